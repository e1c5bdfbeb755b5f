import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { RuleInput } from "../../alerts/alert-kinds";
import { ChannelInput } from "../../alerts/channel-kinds";
import { SendError, send } from "../../alerts/channel-senders";
import { type AttemptLog, notification } from "../../alerts/delivery-queue";
import type { AuditAction } from "../../audit/audit-actions";
import { audited, recordAction } from "../../audit/audited";
import { actorOf } from "../../authenticate";
import { newId } from "../../agents/secrets";
import { type AuthedContext, adminProcedure, hostProcedure, signedInProcedure } from "../init";

const Id = z.object({ id: z.string().min(1).max(64) });
const AlertId = z.object({ alertId: z.string().min(1).max(64) });
/** Open, neither acknowledged nor silenced. */
const firing = (now: Date) => ({ resolvedAt: null, acknowledgedAt: null, OR: [{ silencedUntil: null }, { silencedUntil: { lte: now } }] });
/** Filtered in the query, so a caller who sees few hosts still gets a full page (and a true count). */
const visibleHosts = (ctx: AuthedContext) => [...ctx.fleet.hostIds()].filter(ctx.access.sees);
const hostOfAlert = async (i: { alertId: string }, ctx: AuthedContext) => [(await ctx.alerts.store.existing(i.alertId)).hostId];

function audit(ctx: AuthedContext, action: AuditAction, target: { type: string; id: string; name: string }, params: unknown, host?: { id: string; name: string }) {
  return recordAction(ctx.audit, { actor: actorOf(ctx), action, targetType: target.type, targetId: target.id, targetName: target.name, hostId: host?.id ?? null, hostName: host?.name ?? null, params });
}

/** Alerts: everyone sees those of the hosts they see; operators acknowledge and silence on their hosts; admins manage rules and channels. */
export const alertsRouter = {
  list: signedInProcedure
    .input(
      z
        .object({
          state: z.enum(["open", "firing", "acknowledged", "silenced", "resolved", "all"]).default("open"),
          hostId: z.string().max(64).optional(),
          subject: z.string().max(256).optional(),
          limit: z.number().int().min(1).max(500).default(200),
        })
        .default({ state: "open", limit: 200 }),
    )
    .query(async ({ ctx, input }) => {
      const now = new Date();
      const state =
        input.state === "open" ? { resolvedAt: null }
        : input.state === "firing" ? firing(now)
        : input.state === "acknowledged" ? { resolvedAt: null, acknowledgedAt: { not: null } }
        : input.state === "silenced" ? { resolvedAt: null, silencedUntil: { gt: now } }
        : input.state === "resolved" ? { resolvedAt: { not: null } }
        : {};
      const hosts = visibleHosts(ctx).filter((id) => !input.hostId || id === input.hostId);
      const rows = await ctx.db.alert.findMany({ where: { ...state, hostId: { in: hosts }, ...(input.subject && { subject: input.subject }) }, orderBy: { lastAt: "desc" }, take: input.limit });
      return rows.map((a) => ({ ...a, mayOperate: ctx.access.may(a.hostId, "operate") }));
    }),

  /** Open alerts that are neither acknowledged nor silenced, on the hosts the caller sees: the navigation's count. */
  firingCount: signedInProcedure.query(async ({ ctx }) => {
    return ctx.db.alert.count({ where: { ...firing(new Date()), hostId: { in: visibleHosts(ctx) } } });
  }),

  /** One alert, for its page: what fired, where, and who acknowledged or silenced it. */
  get: hostProcedure("view", AlertId, hostOfAlert).query(async ({ ctx, input }) => {
    const a = await ctx.alerts.store.existing(input.alertId);
    return { ...a, mayOperate: ctx.access.may(a.hostId, "operate") };
  }),

  /** An alert's delivery log (every attempt, its status and error). */
  deliveries: hostProcedure("view", AlertId, hostOfAlert).query(async ({ ctx, input }) => {
    const rows = await ctx.db.alertDelivery.findMany({ where: { alertId: input.alertId }, orderBy: { createdAt: "asc" } });
    // Names only: listing the channels would open every channel's sealed secrets.
    const named = await ctx.db.alertChannel.findMany({ where: { id: { in: [...new Set(rows.map((d) => d.channelId))] } }, select: { id: true, name: true } });
    const channels = new Map(named.map((c) => [c.id, c.name]));
    return rows.map(({ leaseOwner: _owner, ...d }) => ({ ...d, channelName: channels.get(d.channelId) ?? "(removed channel)", log: JSON.parse(d.log) as AttemptLog[] }));
  }),

  acknowledge: hostProcedure("operate", AlertId, hostOfAlert).mutation(async ({ ctx, input }) => {
    const a = await ctx.alerts.store.acknowledge(input.alertId, ctx.user.email);
    await audit(ctx, "alert.acknowledge", { type: "alert", id: a.id, name: a.summary }, { rule: a.ruleName }, { id: a.hostId, name: a.hostName });
    return a;
  }),

  silence: hostProcedure("operate", AlertId.extend({ minutes: z.number().int().min(0).max(30 * 24 * 60, "a silence lasts at most 30 days") }), hostOfAlert).mutation(async ({ ctx, input }) => {
    const a = await ctx.alerts.store.silence(input.alertId, input.minutes, ctx.user.email);
    await audit(ctx, "alert.silence", { type: "alert", id: a.id, name: a.summary }, { rule: a.ruleName, minutes: input.minutes, until: a.silencedUntil?.toISOString() ?? null }, { id: a.hostId, name: a.hostName });
    return a;
  }),

  rules: adminProcedure.query(({ ctx }) => ctx.alerts.rules.list()),

  addRule: adminProcedure.input(RuleInput).mutation(async ({ ctx, input }) => {
    const r = await ctx.alerts.rules.add(input);
    ctx.alerts.evaluator.invalidate();
    await audit(ctx, "alert.rule-add", { type: "alert-rule", id: r.id, name: r.name }, r);
    return r;
  }),

  updateRule: adminProcedure.input(Id.extend({ rule: RuleInput })).mutation(async ({ ctx, input }) => {
    const r = await ctx.alerts.rules.update(input.id, input.rule);
    ctx.alerts.evaluator.invalidate();
    await audit(ctx, "alert.rule-update", { type: "alert-rule", id: r.id, name: r.name }, r);
    return r;
  }),

  removeRule: adminProcedure.input(Id).mutation(async ({ ctx, input }) => {
    const r = await ctx.alerts.rules.remove(input.id);
    ctx.alerts.evaluator.invalidate();
    await audit(ctx, "alert.rule-remove", { type: "alert-rule", id: r.id, name: r.name }, { kind: r.kind });
    return { removed: true };
  }),

  /** Never a secret: which are set, and the URL's host. */
  channels: adminProcedure.query(({ ctx }) => ctx.alerts.channels.list()),

  addChannel: adminProcedure.input(ChannelInput).mutation(async ({ ctx, input }) => {
    const c = await ctx.alerts.channels.add(input);
    await audit(ctx, "alert.channel-add", { type: "alert-channel", id: c.id, name: c.name }, { kind: c.kind, destination: c.destination, settings: c.settings, secretsSet: c.secretsSet });
    return c;
  }),

  updateChannel: adminProcedure.input(Id.extend({ channel: ChannelInput })).mutation(async ({ ctx, input }) => {
    const c = await ctx.alerts.channels.update(input.id, input.channel);
    const changed = Object.entries(input.channel.secrets ?? {}).filter(([, v]) => v).map(([k]) => k);
    await audit(ctx, "alert.channel-update", { type: "alert-channel", id: c.id, name: c.name }, { kind: c.kind, destination: c.destination, settings: c.settings, secretsChanged: changed });
    return c;
  }),

  removeChannel: adminProcedure.input(Id).mutation(async ({ ctx, input }) => {
    const c = await ctx.alerts.channels.remove(input.id);
    await audit(ctx, "alert.channel-remove", { type: "alert-channel", id: c.id, name: c.name }, { kind: c.kind });
    return { removed: true };
  }),

  /** "Send test": a saved channel or the form's draft (its empty secrets from the saved one), sent now, the answer returned. */
  testChannel: adminProcedure.input(z.object({ id: z.string().max(64).optional(), channel: ChannelInput })).mutation(async ({ ctx, input }) => {
    const target = await ctx.alerts.channels.draftTarget(input.channel, input.id);
    // Asserted: it is assigned inside the callback, where TypeScript does not look, and would narrow to null.
    let status = null as number | null;
    // Audited with its real outcome: a send the receiver refused is a failed entry, in its words.
    const outcome = await audited(ctx.audit, { actor: actorOf(ctx), action: "alert.channel-test", targetType: "alert-channel", targetId: input.id ?? "draft", targetName: input.channel.name, params: { kind: target.kind } }, async () => {
      try {
        return await send(target, notification(newId("dlv"), "test", null, ctx.config.publicUrl));
      } catch (err) {
        if (!(err instanceof SendError)) throw new Error("sending failed");
        status = err.status;
        throw err;
      }
    }, (r) => ({ params: { kind: target.kind, status: r.status } }));
    return outcome.ok ? { ok: true as const, status: outcome.result.status } : { ok: false as const, status, error: outcome.error.message };
  }),
} satisfies TRPCRouterRecord;
