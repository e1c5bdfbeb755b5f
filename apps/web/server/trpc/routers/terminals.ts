import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { ContainerId, DEFAULT_DETACH_KEYS, TerminalMode, TerminalSize } from "@stevedore/protocol";
import { DomainError } from "../../domain-error";
import { actorOf } from "../../authenticate";
import { recordRefusal } from "../../audit/audited";
import { requireStepUp } from "../../two-factor/step-up";
import { type AuthedContext, type Context, hostProcedure } from "../init";

const SessionId = z.object({ sessionId: z.string().min(1).max(64) });

/** A live session on any replica. */
async function sessionOrThrow(ctx: Context, sessionId: string) {
  const session = await ctx.terminals.find(sessionId);
  if (!session) throw new DomainError("not_found", "that terminal session has ended");
  return session;
}

/**
 * A terminal on a host of a step-up group needs a second factor verified lately (two-factor/step-up.ts);
 * a refusal is audited as terminal.refused with the reason.
 */
async function stepUpFor(ctx: AuthedContext, hostId: string, target: { id: string; name: string; sessionId?: string }) {
  const host = ctx.fleet.getHost(hostId);
  try {
    return await requireStepUp(ctx, ctx.user, { name: host?.name ?? hostId, groups: host?.groups ?? [] });
  } catch (err) {
    const reason = err instanceof Error ? err.message : String(err);
    await recordRefusal(ctx.audit, { actor: actorOf(ctx), action: "terminal.refused", hostId, hostName: host?.name ?? null, targetType: "container", targetId: target.id, targetName: target.name, params: { stepUp: "missing", sessionId: target.sessionId ?? null } }, reason);
    throw err;
  }
}

/** Terminals are remote root: the terminal permission on the session's host (never with an API token). */
const sessionHost = async (i: { sessionId: string }, ctx: Context) => [(await sessionOrThrow(ctx, i.sessionId)).hostId];

export const terminalsRouter = {
  /**
   * Starts a session, "attach" (the container's PID 1, like `docker attach`) or "exec" (a new process,
   * like `docker exec -it`), and returns a single-use ticket for the browser's WebSocket.
   */
  open: hostProcedure(
    "terminal",
    z.object({
      hostId: z.string().min(1).max(64),
      containerId: ContainerId,
      mode: TerminalMode,
      command: z.array(z.string().min(1).max(4096)).min(1).max(256).optional(),
      user: z.string().trim().max(256).optional(),
      size: TerminalSize,
    }),
    (i) => [i.hostId],
  ).mutation(async ({ ctx, input }) => {
      const c = ctx.fleet.getContainer(input.hostId, input.containerId);
      if (!c) throw new DomainError("not_found", "no such container on this host");
      if (!c.live) throw new DomainError("precondition_failed", "the host is not reachable");
      if (c.state !== "running") throw new DomainError("precondition_failed", `container ${c.name} is not running`);
      const stepUp = await stepUpFor(ctx, input.hostId, { id: c.id, name: c.name });
      const preference = await ctx.db.userPreference.findUnique({ where: { userId: ctx.user.id } });
      const command = input.mode === "exec" ? (input.command ?? ["sh"]) : [c.command];
      const session = await ctx.terminals.open(actorOf(ctx), ctx.user, {
          hostId: input.hostId,
          hostName: c.hostName,
          containerId: c.id,
          containerName: c.name,
          mode: input.mode,
          command,
          user: input.mode === "exec" && input.user ? input.user : undefined,
          detachKeys: preference?.detachKeys ?? DEFAULT_DETACH_KEYS,
          size: input.size,
          ...(stepUp ? { stepUp } : {}),
        });
      return { sessionId: session.id, ticket: await ctx.terminals.ticketFor({ id: session.id, hostId: input.hostId, containerId: c.id }, ctx.user) };
    }),

  /** A ticket to (re)join a live session: after a reload, or as another viewer. */
  join: hostProcedure("terminal", SessionId, sessionHost).mutation(async ({ ctx, input }) => {
    const session = await sessionOrThrow(ctx, input.sessionId);
    await stepUpFor(ctx, session.hostId, { id: session.containerId, name: session.containerId, sessionId: session.id });
    return { sessionId: session.id, ticket: await ctx.terminals.ticketFor(session, ctx.user) };
  }),

  /** Live sessions on a container (or host) that the caller could join. */
  list: hostProcedure("view", z.object({ hostId: z.string().min(1).max(64), containerId: z.string().max(64).optional() }), (i) => [i.hostId]).query(async ({ ctx, input }) =>
    ctx.access.may(input.hostId, "terminal") ? ctx.terminals.list(input) : [],
  ),

  /** Ends a session for everyone watching it: its owner or an admin. */
  close: hostProcedure("view", SessionId, sessionHost).mutation(async ({ ctx, input }) => {
    const session = await sessionOrThrow(ctx, input.sessionId);
    if (session.ownerId !== ctx.user.id && !ctx.access.isAdmin) throw new DomainError("forbidden", "only the user who opened a session, or an admin, may close it", [session.hostId]);
    await ctx.terminals.close(session, `closed by ${ctx.user.email}`);
    return { closed: true };
  }),
} satisfies TRPCRouterRecord;
