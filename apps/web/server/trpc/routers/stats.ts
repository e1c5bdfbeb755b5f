import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { ContainerId } from "@stevedore/protocol";
import { hostProcedure, signedInProcedure } from "../init";

const HostId = z.string().min(1).max(64);

/** Resource use as the agents sample it: charts per container, totals per host, the top consumers on the hosts the caller sees. */
export const statsRouter = {
  /** The last 15 minutes of one container. */
  container: hostProcedure("view", z.object({ hostId: HostId, id: ContainerId }), (i) => [i.hostId]).query(({ ctx, input }) => ctx.stats.container(input.hostId, input.id)),

  /** The latest totals of every host the caller sees (hosts that reported recently). */
  hosts: signedInProcedure.query(({ ctx }) => Object.fromEntries([...ctx.stats.latestHostTotals()].filter(([hostId]) => ctx.access.sees(hostId)))),

  /** One host's totals over the last 15 minutes, and its engine's data filesystem. */
  host: hostProcedure("view", z.object({ hostId: HostId }), (i) => [i.hostId]).query(({ ctx, input }) => ctx.stats.host(input.hostId)),

  /** The containers using the most CPU and memory right now, on the hosts the caller sees. */
  top: signedInProcedure.input(z.object({ limit: z.number().int().min(1).max(50).default(10) })).query(({ ctx, input }) => {
    const { byCpu, byMemory } = ctx.stats.top(input.limit, Date.now(), ctx.access.wholeFleet ? undefined : ctx.access.sees);
    const describe = (e: (typeof byCpu)[number]) => {
      const row = ctx.fleet.getContainer(e.hostId, e.stats.id);
      return { ...e.stats, hostId: e.hostId, hostName: row?.hostName ?? e.hostId, name: row?.name ?? e.stats.id.slice(0, 12), image: row?.image ?? "" };
    };
    return { byCpu: byCpu.map(describe), byMemory: byMemory.map(describe) };
  }),
} satisfies TRPCRouterRecord;
