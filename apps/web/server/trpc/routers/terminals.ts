import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { ContainerId, DEFAULT_DETACH_KEYS, TerminalMode, TerminalSize } from "@stevedore/protocol";
import { mayUseTerminal } from "../../access";
import { TerminalOpenError } from "../../terminals/terminal-sessions";
import { type Context, actorOf, viewerProcedure } from "../init";
import type { SessionUser } from "../../auth";

type Authed = Context & { user: SessionUser };

/** Terminals are opened from a signed-in browser, by a user with the terminal permission on the host. */
function assertTerminal(ctx: Authed, hostId: string): void {
  if (ctx.user.token) throw new TRPCError({ code: "FORBIDDEN", message: "terminals are opened from a signed-in browser session, not with an API token" });
  if (!mayUseTerminal(ctx.user, ctx.fleet.hostGroups(hostId))) {
    const host = ctx.fleet.getHost(hostId)?.name ?? hostId;
    throw new TRPCError({ code: "FORBIDDEN", message: `terminals on ${host} need the terminal permission (an admin grants it per host group)` });
  }
}

/** A live session on any replica. */
async function sessionOrThrow(ctx: Context, sessionId: string) {
  const session = await ctx.terminals.find(sessionId);
  if (!session) throw new TRPCError({ code: "NOT_FOUND", message: "that terminal session has ended" });
  return session;
}

export const terminalsRouter = {
  /**
   * Starts a session, "attach" (the container's PID 1, like `docker attach`) or "exec" (a new process,
   * like `docker exec -it`), and returns a single-use ticket for the browser's WebSocket.
   */
  open: viewerProcedure
    .input(
      z.object({
        hostId: z.string().min(1).max(64),
        containerId: ContainerId,
        mode: TerminalMode,
        command: z.array(z.string().min(1).max(4096)).min(1).max(256).optional(),
        user: z.string().trim().max(256).optional(),
        size: TerminalSize,
      }),
    )
    .mutation(async ({ ctx, input }) => {
      assertTerminal(ctx, input.hostId);
      const c = ctx.fleet.getContainer(input.hostId, input.containerId);
      if (!c) throw new TRPCError({ code: "NOT_FOUND", message: "no such container on this host" });
      if (!c.live) throw new TRPCError({ code: "PRECONDITION_FAILED", message: "the host is not reachable" });
      if (c.state !== "running") throw new TRPCError({ code: "PRECONDITION_FAILED", message: `container ${c.name} is not running` });
      const preference = await ctx.db.userPreference.findUnique({ where: { userId: ctx.user.id } });
      const command = input.mode === "exec" ? (input.command ?? ["sh"]) : [c.command];
      try {
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
        });
        return { sessionId: session.id, ticket: await ctx.terminals.ticketFor({ id: session.id, hostId: input.hostId, containerId: c.id }, ctx.user) };
      } catch (err) {
        if (err instanceof TerminalOpenError) throw new TRPCError({ code: "PRECONDITION_FAILED", message: err.message });
        throw err;
      }
    }),

  /** A ticket to (re)join a live session: after a reload, or as another viewer. */
  join: viewerProcedure.input(z.object({ sessionId: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    const session = await sessionOrThrow(ctx, input.sessionId);
    assertTerminal(ctx, session.hostId);
    return { sessionId: session.id, ticket: await ctx.terminals.ticketFor(session, ctx.user) };
  }),

  /** Live sessions on a container (or host) that the caller could join. */
  list: viewerProcedure.input(z.object({ hostId: z.string().min(1).max(64), containerId: z.string().max(64).optional() })).query(async ({ ctx, input }) => {
    if (ctx.user.token || !mayUseTerminal(ctx.user, ctx.fleet.hostGroups(input.hostId))) return [];
    return ctx.terminals.list(input);
  }),

  /** Ends a session for everyone watching it: its owner or an admin. */
  close: viewerProcedure.input(z.object({ sessionId: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    const session = await sessionOrThrow(ctx, input.sessionId);
    if (session.ownerId !== ctx.user.id && ctx.user.role !== "admin") throw new TRPCError({ code: "FORBIDDEN", message: "only the user who opened a session, or an admin, may close it" });
    await ctx.terminals.close(session, `closed by ${ctx.user.email}`);
    return { closed: true };
  }),
} satisfies TRPCRouterRecord;
