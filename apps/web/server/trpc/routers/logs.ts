import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { ContainerId, MAX_LOG_STREAMS } from "@stevedore/protocol";
import { mayReadLogs } from "../../access";
import { LogsRefusal } from "../../logs/log-streams";
import { viewerProcedure } from "../init";

const Containers = z.array(z.object({ hostId: z.string().min(1).max(64), containerId: ContainerId })).min(1).max(MAX_LOG_STREAMS);

export const logsRouter = {
  /**
   * A single-use ticket for the browser's /logs socket, naming the containers it may stream. Logs
   * often hold secrets: this needs the logs permission on every host named (operators have it; viewers
   * by a "logs" grant; a token only if its own role is operator or above).
   */
  ticket: viewerProcedure.input(z.object({ containers: Containers })).mutation(async ({ ctx, input }) => {
    try {
      ctx.logs.assertMayRead(ctx.user, input.containers);
    } catch (err) {
      if (err instanceof LogsRefusal) throw new TRPCError({ code: err.kind === "forbidden" ? "FORBIDDEN" : "NOT_FOUND", message: err.message });
      throw err;
    }
    return { ticket: await ctx.logs.ticketFor(ctx.user, input.containers) };
  }),

  /** What the merged view shows for each container: its name, host and state, and whether its logs may be read. */
  targets: viewerProcedure.input(z.object({ containers: Containers })).query(({ ctx, input }) =>
    input.containers.map(({ hostId, containerId }) => {
      const c = ctx.fleet.getContainer(hostId, containerId);
      return {
        hostId,
        containerId,
        found: c !== null,
        name: c?.name ?? containerId.slice(0, 12),
        hostName: c?.hostName ?? ctx.fleet.getHost(hostId)?.name ?? hostId,
        state: c?.state ?? null,
        logs: c !== null && mayReadLogs(ctx.user, ctx.fleet.hostGroups(hostId)),
      };
    }),
  ),
} satisfies TRPCRouterRecord;
