import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ContainerListInput, listContainers } from "../../fleet/container-query";
import { callAgent, viewerProcedure } from "../init";

const ContainerRef = z.object({
  hostId: z.string().min(1).max(64),
  id: z.string().regex(/^[0-9a-f]{64}$/, "a full 64-character container id"),
});

export const containersRouter = {
  list: viewerProcedure.input(ContainerListInput).query(({ ctx, input }) => listContainers(ctx.fleet, input)),

  /** The row from the fleet view plus the engine's full inspect document, read live from the agent. */
  get: viewerProcedure.input(ContainerRef).query(async ({ ctx, input }) => {
    const row = ctx.fleet.getContainer(input.hostId, input.id);
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "no such container on this host" });
    const inspect = row.live ? await callAgent(ctx.agents.request(input.hostId, "container.inspect", { id: input.id })) : null;
    return { container: row, inspect };
  }),

  top: viewerProcedure.input(ContainerRef).query(({ ctx, input }) =>
    callAgent(ctx.agents.request(input.hostId, "container.top", { id: input.id })),
  ),
} satisfies TRPCRouterRecord;
