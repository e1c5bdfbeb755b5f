import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { ContainerId, ContainerOperation, RunSpec } from "@stevedore/protocol";
import { operateContainers, runContainers } from "../../containers/container-commands";
import { runPolicyView } from "../../containers/run-policy-view";
import { containerDetail, containerRow, redactTop } from "../../containers/container-secrets";
import { DomainError } from "../../domain-error";
import { ContainerListInput, listContainers } from "../../fleet/container-query";
import { actorOf } from "../../authenticate";
import { type AuthedContext, type Context, hostProcedure, signedInProcedure, throwIfSingleFailure } from "../init";
import { watchState } from "../watch-state";
import { DEFAULT_ROLLOUT_OPTIONS, RolloutOptions } from "../../containers/rollouts";

const HostId = z.string().min(1).max(64);
const ContainerRef = z.object({ hostId: HostId, id: ContainerId });

export const containersRouter = {
  /**
   * One page of the containers on hosts the caller may see, each row with the caller's role on its
   * host (what the page may offer) and whether they may read its secrets (command lines otherwise redacted).
   */
  list: signedInProcedure.input(ContainerListInput).query(({ ctx, input }) => {
    const outdated = (c: Parameters<typeof ctx.updates.statusOf>[0], hostId: string) => ctx.updates.statusOf(c, hostId)?.state === "outdated";
    const page = listContainers(ctx.fleet, input, ctx.access.wholeFleet ? undefined : ctx.access.sees, outdated);
    return { ...page, items: page.items.map((c) => ({ ...containerRow(ctx.access, c), update: ctx.updates.statusOf(c, c.hostId) })) };
  }),

  /** The row plus the engine's inspect document, read live from the agent; env values and arguments only with the logs permission. */
  get: hostProcedure("view", ContainerRef, (i) => [i.hostId]).query(async ({ ctx, input }) => {
    const row = ctx.fleet.getContainer(input.hostId, input.id);
    if (!row) throw new DomainError("not_found", "no such container on this host");
    const inspect = row.live ? await ctx.agents.request(input.hostId, "container.inspect", { id: input.id }) : null;
    return { ...containerDetail(ctx.access, row, inspect), update: ctx.updates.statusOf(row, input.hostId) };
  }),

  /** `docker top`; command lines only with the logs permission (they hold secrets as often as env). */
  top: hostProcedure("view", ContainerRef, (i) => [i.hostId]).query(async ({ ctx, input }) =>
    redactTop(ctx.access, input.hostId, await ctx.agents.request(input.hostId, "container.top", { id: input.id })),
  ),

  /** `docker diff`: the container's writable layer against its image. */
  diff: hostProcedure("view", ContainerRef, (i) => [i.hostId]).query(({ ctx, input }) => ctx.agents.request(input.hostId, "container.diff", { id: input.id }, { timeoutMs: 60_000 })),

  /**
   * The run spec that makes this container again, for Edit and Duplicate: operators only, since it
   * holds env values (the logs permission's secrets, which the operator role includes).
   */
  spec: hostProcedure("operate", ContainerRef, (i) => [i.hostId]).query(({ ctx, input }) => ctx.agents.request(input.hostId, "container.spec", { id: input.id })),

  /** `docker run -d` on one host or several; per-host results, each linked to its audit request. */
  run: hostProcedure("operate", z.strictObject({ hostIds: z.array(HostId).min(1).max(500), spec: RunSpec }), (i) => i.hostIds).mutation(async ({ ctx, input }) =>
    throwIfSingleFailure(await runContainers(ctx, actorOf(ctx), input.hostIds, input.spec, { admin: ctx.access.isAdmin })),
  ),

  /** The run policy as it applies to the caller on these hosts: what the run form shows before a run. */
  runPolicy: hostProcedure("view", z.object({ hostIds: z.array(HostId).max(500) }), (i) => i.hostIds).query(({ ctx, input }) => runPolicyView(ctx, ctx.access.isAdmin, input.hostIds)),

  /** Start, stop, restart, kill, pause, unpause, rename or remove a selection across hosts. */
  operate: hostProcedure("operate", z.object({ targets: z.array(ContainerRef).min(1).max(1000), operation: ContainerOperation }), (i) => i.targets.map((t) => t.hostId)).mutation(
    async ({ ctx, input }) => throwIfSingleFailure(await operateContainers(ctx, actorOf(ctx), input.targets, input.operation)),
  ),

  /** Edit and recreate: replaces the container with one from `spec` under its name, through the health gate; watch with `rollout`. */
  recreate: hostProcedure("operate", ContainerRef.extend({ spec: RunSpec, options: RolloutOptions.default(DEFAULT_ROLLOUT_OPTIONS) }), (i) => [i.hostId]).mutation(({ ctx, input }) => ({
    rolloutId: ctx.rollouts.recreate(actorOf(ctx), rolloutUser(ctx), input, input.spec, input.options).id,
  })),

  /** Pulls each container's image and recreates those it moved, host by host (or N at a time), stopping at the first failure. */
  update: hostProcedure("operate", z.object({ targets: z.array(ContainerRef).min(1).max(500), options: RolloutOptions.default(DEFAULT_ROLLOUT_OPTIONS) }), (i) => i.targets.map((t) => t.hostId)).mutation(({ ctx, input }) => ({
    rolloutId: ctx.rollouts.update(actorOf(ctx), rolloutUser(ctx), input.targets, input.options).id,
  })),

  /** Recreates the container on the image it ran before its last recreate. */
  rollback: hostProcedure("operate", ContainerRef.extend({ options: RolloutOptions.default(DEFAULT_ROLLOUT_OPTIONS) }), (i) => [i.hostId]).mutation(({ ctx, input }) => ({
    rolloutId: ctx.rollouts.rollback(actorOf(ctx), rolloutUser(ctx), input, input.options).id,
  })),

  /** A rollout's state, per container, until it is done. */
  rollout: hostProcedure("view", z.object({ rolloutId: z.string().min(1).max(64) }), (i, ctx) => rolloutOrThrow(ctx, i.rolloutId).targets.map((t) => t.hostId)).subscription(({ ctx, input, signal }) => {
    const rollout = rolloutOrThrow(ctx, input.rolloutId);
    return watchState(rollout, (listener) => ctx.rollouts.watch(rollout.id, listener), signal);
  }),
} satisfies TRPCRouterRecord;

function rolloutUser(ctx: AuthedContext) {
  return { id: ctx.user.id, admin: ctx.access.isAdmin };
}

function rolloutOrThrow(ctx: Context, id: string) {
  const rollout = ctx.rollouts.get(id);
  if (!rollout) throw new DomainError("not_found", "no such rollout (finished ones are kept for 10 minutes)");
  return rollout;
}
