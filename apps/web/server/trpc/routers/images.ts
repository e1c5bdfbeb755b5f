import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { ImageId, ImageReference, ImageTagTarget, hasImage } from "@stevedore/protocol";
import { auditedImageCommand } from "../../images/image-commands";
import { ImageListInput, imageHolders, layerTree, listImages, prunePreview } from "../../images/image-query";
import { DomainError } from "../../domain-error";
import { actorOf } from "../../authenticate";
import { type Context, hostProcedure, signedInProcedure } from "../init";
import { watchState } from "../watch-state";

const HostId = z.string().min(1).max(64);
const ImageRef = z.object({ hostId: HostId, id: ImageId });
const OnHost = z.object({ hostId: HostId });
const onHost = (i: { hostId: string }) => [i.hostId];

const PullId = z.object({ pullId: z.string().min(1).max(64) });

function imageName(ctx: Context, ref: { hostId: string; id: string }): string | null {
  const img = ctx.fleet.hostImages(ref.hostId).find((i) => i.id === ref.id || i.id === `sha256:${ref.id}`);
  return img?.repoTags[0] ?? null;
}

function pullOrThrow(ctx: Context, pullId: string) {
  const pull = ctx.pulls.get(pullId);
  if (!pull) throw new DomainError("not_found", "no such pull (finished pulls are kept for 10 minutes)");
  return pull;
}

export const imagesRouter = {
  /** The images on hosts the caller may see, one row per host and image, with how many containers use each. */
  list: signedInProcedure.input(ImageListInput).query(({ ctx, input }) => {
    const page = listImages(ctx.fleet, input, ctx.access.sees);
    return { ...page, items: page.items.map((i) => ({ ...i, access: ctx.access.roleOn(i.hostId) })) };
  }),

  /** The hosts the caller sees that hold an image (by id), each with the containers using it there and the caller's role. */
  holders: signedInProcedure.input(z.object({ id: ImageId })).query(({ ctx, input }) =>
    imageHolders(ctx.fleet, input.id, ctx.access.sees).map((h) => ({ ...h, access: ctx.access.roleOn(h.hostId) })),
  ),

  /** One image's layers and history, read live from its host. */
  inspect: hostProcedure("view", ImageRef, onHost).query(({ ctx, input }) => ctx.agents.request(input.hostId, "image.inspect", { id: input.id })),

  /** Each image's size unique to it and shared with others on a host (`docker system df -v`). */
  usage: hostProcedure("view", OnHost, onHost).query(async ({ ctx, input }) => {
    const disk = await ctx.agents.request(input.hostId, "image.disk", { layers: false }, { timeoutMs: 60_000 });
    return { layersSizeBytes: disk.layersSizeBytes, images: disk.images.map((i) => ({ id: i.id, sharedSizeBytes: i.sharedSizeBytes, uniqueSizeBytes: i.sizeBytes - i.sharedSizeBytes })) };
  }),

  /** A host's images as a tree of shared layers, and what the sharing saves. */
  layerTree: hostProcedure("view", OnHost, onHost).query(async ({ ctx, input }) =>
    layerTree(await ctx.agents.request(input.hostId, "image.disk", { layers: true }, { timeoutMs: 60_000 })),
  ),

  /** What a prune would remove on a host, and the space it frees at least. */
  prunePreview: hostProcedure("view", OnHost.extend({ all: z.boolean() }), onHost).query(async ({ ctx, input }) =>
    prunePreview(await ctx.agents.request(input.hostId, "image.disk", { layers: true }, { timeoutMs: 60_000 }), input.all),
  ),

  /** `docker rmi <id | tag>`: untags, or removes; the engine refuses while a container uses the image, unless forced. */
  remove: hostProcedure("operate", OnHost.extend({ ref: z.union([ImageId, ImageReference]), force: z.boolean().default(false) }), onHost).mutation(({ ctx, input }) => {
    const byId = ImageId.safeParse(input.ref).success;
    const target = byId ? { targetId: input.ref, targetName: imageName(ctx, { hostId: input.hostId, id: input.ref }) } : { targetName: input.ref };
    return auditedImageCommand(ctx, actorOf(ctx), input.hostId, { action: "image.remove", ...target }, "image.remove", { ref: input.ref, force: input.force });
  }),

  /** `docker tag`. */
  tag: hostProcedure("operate", ImageRef.extend({ target: ImageTagTarget }), onHost).mutation(({ ctx, input }) => {
    return auditedImageCommand(ctx, actorOf(ctx), input.hostId, { action: "image.tag", targetId: input.id, targetName: imageName(ctx, input) }, "image.tag", { id: input.id, target: input.target });
  }),

  /** `docker image prune [--all]` on one host. */
  prune: hostProcedure("operate", OnHost.extend({ all: z.boolean() }), onHost).mutation(({ ctx, input }) => {
    return auditedImageCommand(ctx, actorOf(ctx), input.hostId, { action: "image.prune", targetName: input.all ? "unused images" : "dangling images" }, "image.prune", { all: input.all });
  }),

  /** Of these hosts, the ones that do not have the image (what "run" would have to pull first). */
  missing: hostProcedure("view", z.object({ hostIds: z.array(HostId).max(500), reference: ImageReference }), (i) => i.hostIds).query(({ ctx, input }) =>
    input.hostIds.filter((id) => !hasImage(ctx.fleet.hostImages(id), input.reference)),
  ),

  /** `docker pull` on one host or several; watch it with `pullProgress`. */
  pull: hostProcedure("operate", z.object({ hostIds: z.array(HostId).min(1).max(500), reference: ImageReference }), (i) => i.hostIds).mutation(async ({ ctx, input }) => {
    const pull = await ctx.pulls.start(actorOf(ctx), ctx.user.id, input.hostIds, input.reference);
    return { pullId: pull.id };
  }),

  /** The pull's state, per host and per layer, until every host has finished. */
  pullProgress: hostProcedure("view", PullId, (i, ctx) => pullOrThrow(ctx, i.pullId).hosts.map((h) => h.hostId)).subscription(({ ctx, input, signal }) => {
    const pull = pullOrThrow(ctx, input.pullId);
    return watchState(pull, (listener) => ctx.pulls.watch(pull.id, listener), signal);
  }),

  /** Stops a pull on every host it still runs on. Its starter or an admin may. */
  cancelPull: hostProcedure("operate", PullId, (i, ctx) => pullOrThrow(ctx, i.pullId).hosts.map((h) => h.hostId)).mutation(async ({ ctx, input }) => {
    const pull = pullOrThrow(ctx, input.pullId);
    if (pull.startedById !== ctx.user.id && !ctx.access.isAdmin) throw new DomainError("forbidden", "only the user who started a pull, or an admin, may cancel it");
    return { cancelled: await ctx.pulls.cancel(pull.id) };
  }),
} satisfies TRPCRouterRecord;
