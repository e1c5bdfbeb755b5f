import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { ContainerId } from "@stevedore/protocol";
import { viewerProcedure } from "../init";

const HostId = z.string().min(1).max(64);

/** Resource use as the agents sample it: charts per container, totals per host, the fleet's top consumers. */
export const statsRouter = {
  /** The last 15 minutes of one container. */
  container: viewerProcedure.input(z.object({ hostId: HostId, id: ContainerId })).query(({ ctx, input }) => {
    if (!ctx.fleet.has(input.hostId)) throw new TRPCError({ code: "NOT_FOUND", message: "no such host" });
    return ctx.stats.container(input.hostId, input.id);
  }),

  /** Every host's latest totals (hosts that reported recently). */
  hosts: viewerProcedure.query(({ ctx }) => Object.fromEntries(ctx.stats.latestHostTotals())),

  /** One host's totals over the last 15 minutes. */
  host: viewerProcedure.input(z.object({ hostId: HostId })).query(({ ctx, input }) => ctx.stats.host(input.hostId)),

  /** The containers using the most CPU and memory right now, across the fleet. */
  top: viewerProcedure.input(z.object({ limit: z.number().int().min(1).max(50).default(10) })).query(({ ctx, input }) => {
    const { byCpu, byMemory } = ctx.stats.top(input.limit);
    const describe = (e: (typeof byCpu)[number]) => {
      const row = ctx.fleet.getContainer(e.hostId, e.stats.id);
      return { ...e.stats, hostId: e.hostId, hostName: row?.hostName ?? e.hostId, name: row?.name ?? e.stats.id.slice(0, 12), image: row?.image ?? "" };
    };
    return { byCpu: byCpu.map(describe), byMemory: byMemory.map(describe) };
  }),
} satisfies TRPCRouterRecord;
