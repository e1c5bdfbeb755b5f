import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { ContainerId, ContainerOperation, RunSpec } from "@stevedore/protocol";
import { mayReadLogs, mayUseTerminal } from "../../access";
import { operateContainers, runContainers } from "../../containers/container-commands";
import { isFleetAdmin } from "../../containers/run-policy";
import { runPolicyView } from "../../containers/run-policy-view";
import { ContainerListInput, listContainers } from "../../fleet/container-query";
import { actorOf, agentTRPCError, assertRoleOnHosts, callAgent, hostOperatorProcedure, roleOn, viewerProcedure } from "../init";

const HostId = z.string().min(1).max(64);
const ContainerRef = z.object({
  hostId: HostId,
  id: ContainerId,
});

/** A single target that failed is the caller's error, with the engine's code and words. */
function throwIfSingleFailure<T extends { ok: boolean; error?: { code: string; message: string } }>(results: T[]): T[] {
  const [only] = results;
  if (results.length === 1 && only && !only.ok && only.error) throw agentTRPCError(only.error.code, only.error.message);
  return results;
}

export const containersRouter = {
  /** One page, each row with the caller's role on its host (what the page may offer). */
  list: viewerProcedure.input(ContainerListInput).query(({ ctx, input }) => {
    const page = listContainers(ctx.fleet, input);
    return { ...page, items: page.items.map((c) => ({ ...c, access: roleOn(ctx, c.hostId), logs: mayReadLogs(ctx.user, ctx.fleet.hostGroups(c.hostId)) })) };
  }),

  /** The row from the fleet view plus the engine's full inspect document, read live from the agent. */
  get: viewerProcedure.input(ContainerRef).query(async ({ ctx, input }) => {
    const row = ctx.fleet.getContainer(input.hostId, input.id);
    if (!row) throw new TRPCError({ code: "NOT_FOUND", message: "no such container on this host" });
    const inspect = row.live ? await callAgent(ctx.agents.request(input.hostId, "container.inspect", { id: input.id })) : null;
    // `terminal`: whether the caller may open a terminal here (the permission is a grant of its own).
    const terminal = !ctx.user.token && mayUseTerminal(ctx.user, ctx.fleet.hostGroups(row.hostId));
    // `logs`: whether the caller may read its logs (they often hold secrets: a permission of its own).
    const logs = mayReadLogs(ctx.user, ctx.fleet.hostGroups(row.hostId));
    return { container: { ...row, access: roleOn(ctx, row.hostId), terminal, logs }, inspect };
  }),

  top: viewerProcedure.input(ContainerRef).query(({ ctx, input }) =>
    callAgent(ctx.agents.request(input.hostId, "container.top", { id: input.id })),
  ),

  /** `docker diff`: the container's writable layer against its image. */
  diff: viewerProcedure.input(ContainerRef).query(({ ctx, input }) => callAgent(ctx.agents.request(input.hostId, "container.diff", { id: input.id }, { timeoutMs: 60_000 }))),

  /** `docker run -d` on one host or several; per-host results, each linked to its audit request. */
  run: hostOperatorProcedure
    .input(z.strictObject({ hostIds: z.array(HostId).min(1).max(500), spec: RunSpec }))
    .mutation(async ({ ctx, input }) => {
      assertRoleOnHosts(ctx, input.hostIds, "operator");
      return throwIfSingleFailure(await runContainers(ctx, actorOf(ctx), input.hostIds, input.spec, { admin: isFleetAdmin(ctx.user) }));
    }),

  /** The run policy as it applies to the caller on these hosts: what the run form shows before a run. */
  runPolicy: viewerProcedure.input(z.object({ hostIds: z.array(HostId).max(500) })).query(({ ctx, input }) => runPolicyView(ctx, ctx.user, input.hostIds)),

  /** Start, stop, restart, kill, pause, unpause, rename or remove a selection across hosts. */
  operate: hostOperatorProcedure
    .input(z.object({ targets: z.array(ContainerRef).min(1).max(1000), operation: ContainerOperation }))
    .mutation(async ({ ctx, input }) => {
      assertRoleOnHosts(ctx, input.targets.map((t) => t.hostId), "operator");
      return throwIfSingleFailure(await operateContainers(ctx, actorOf(ctx), input.targets, input.operation));
    }),
} satisfies TRPCRouterRecord;
