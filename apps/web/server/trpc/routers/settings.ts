import type { TRPCRouterRecord } from "@trpc/server";
import { recordAction } from "../../audit/audited";
import { ImageSettings, TerminalSettings } from "../../settings";
import { actorOf } from "../../authenticate";
import { RunPolicySettings } from "../../containers/run-policy";
import { setRunPolicy } from "../../containers/run-policy-view";
import { UpdatePolicySettings } from "../../updates/update-policy";
import { adminProcedure, signedInProcedure } from "../init";

export const settingsRouter = {
  terminal: adminProcedure.query(({ ctx }) => ctx.settings.get("terminal")),

  setTerminal: adminProcedure.input(TerminalSettings).mutation(async ({ ctx, input }) => {
    const from = await ctx.settings.get("terminal");
    const to = await ctx.settings.set("terminal", input, ctx.user.id);
    await recordAction(ctx.audit, { action: "settings.terminal", actor: actorOf(ctx), targetType: "settings", targetName: "terminal", params: { from, to } });
    return to;
  }),

  /** Readable by everyone: the run form says when runs are pinned to digests. */
  images: signedInProcedure.query(({ ctx }) => ctx.settings.get("images")),

  setImages: adminProcedure.input(ImageSettings).mutation(async ({ ctx, input }) => {
    const from = await ctx.settings.get("images");
    const to = await ctx.settings.set("images", input, ctx.user.id);
    await recordAction(ctx.audit, { action: "settings.images", actor: actorOf(ctx), targetType: "settings", targetName: "images", params: { from, to } });
    return to;
  }),

  /** Which host paths non-admins' runs may bind-mount: a fleet default and per-group rules. */
  runPolicy: adminProcedure.query(({ ctx }) => ctx.settings.get("runPolicy")),

  /** What may update itself, and when: a fleet default and per-group rules (containers' labels win). */
  updatePolicy: adminProcedure.query(({ ctx }) => ctx.settings.get("updatePolicy")),

  setUpdatePolicy: adminProcedure.input(UpdatePolicySettings).mutation(async ({ ctx, input }) => {
    const from = await ctx.settings.get("updatePolicy");
    const to = await ctx.settings.set("updatePolicy", input, ctx.user.id);
    await recordAction(ctx.audit, { action: "settings.update-policy", actor: actorOf(ctx), targetType: "settings", targetName: "update policy", params: { from, to } });
    return to;
  }),

  setRunPolicy: adminProcedure.input(RunPolicySettings).mutation(({ ctx, input }) => setRunPolicy(ctx, actorOf(ctx), ctx.user.id, input)),
} satisfies TRPCRouterRecord;
