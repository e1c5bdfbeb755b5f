import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { ContainerId, MAX_LOG_STREAMS } from "@stevedore/protocol";
import { hostProcedure } from "../init";

const Containers = z.object({ containers: z.array(z.object({ hostId: z.string().min(1).max(64), containerId: ContainerId })).min(1).max(MAX_LOG_STREAMS) });
const hostsOf = (i: z.output<typeof Containers>) => i.containers.map((c) => c.hostId);

export const logsRouter = {
  /**
   * A single-use ticket for the browser's /logs socket, naming the containers it may stream. Logs
   * often hold secrets: this needs the logs permission on every host named (operators have it; viewers
   * by a "logs" grant; a token only if its own role is operator or above).
   */
  ticket: hostProcedure("logs", Containers, hostsOf).mutation(async ({ ctx, input }) => {
    ctx.logs.assertMayRead(ctx.user, input.containers);
    return { ticket: await ctx.logs.ticketFor(ctx.user, input.containers) };
  }),

  /** What the merged view shows for each container: its name, host and state, and whether its logs may be read. */
  targets: hostProcedure("view", Containers, hostsOf).query(({ ctx, input }) =>
    input.containers.map(({ hostId, containerId }) => {
      const c = ctx.fleet.getContainer(hostId, containerId);
      return {
        hostId,
        containerId,
        found: c !== null,
        name: c?.name ?? containerId.slice(0, 12),
        hostName: c?.hostName ?? ctx.fleet.getHost(hostId)?.name ?? hostId,
        state: c?.state ?? null,
        logs: c !== null && ctx.access.may(hostId, "logs"),
      };
    }),
  ),
} satisfies TRPCRouterRecord;
