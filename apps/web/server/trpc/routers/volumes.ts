import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { HostResourceListInput } from "../../volumes/host-resources";
import { VOLUME_NAME, VolumeCreate } from "@stevedore/protocol";
import { actorOf } from "../../authenticate";
import { createVolume, inspectVolume, listVolumes, pruneVolumes, removeVolume, volumePrunePreview } from "../../volumes/volumes";
import { hostProcedure, signedInProcedure } from "../init";

const OnHost = z.strictObject({ hostId: z.string().min(1).max(64) });
const onHost = (i: { hostId: string }) => [i.hostId];
const VolumeName = z.string().regex(VOLUME_NAME, "a volume name is letters, digits and _ . - (up to 255)");

export const volumesRouter = {
  /** The volumes on every host the caller sees (read live from each), and the hosts that could not say. */
  list: signedInProcedure.input(HostResourceListInput).query(({ ctx, input }) => listVolumes(ctx, ctx.access, input)),

  /** One volume: options, labels, the containers using it, its size where the engine reports one. */
  inspect: hostProcedure("view", OnHost.extend({ name: VolumeName }), onHost).query(({ ctx, input }) => inspectVolume(ctx, input.hostId, input.name)),

  /** `docker volume create`; driver options naming a host path are for admins only. */
  create: hostProcedure("operate", OnHost.extend({ volume: VolumeCreate }), onHost).mutation(({ ctx, input }) => createVolume(ctx, actorOf(ctx), ctx.access, input.hostId, input.volume)),

  /** `docker volume rm`; the engine refuses while a container uses it (unless forced, and then only if none runs). */
  remove: hostProcedure("operate", OnHost.extend({ name: VolumeName, force: z.boolean().default(false) }), onHost).mutation(({ ctx, input }) => removeVolume(ctx, actorOf(ctx), input.hostId, input.name, input.force)),

  /** What a prune would remove on a host, with the space it frees. */
  prunePreview: hostProcedure("view", OnHost, onHost).query(({ ctx, input }) => volumePrunePreview(ctx, input.hostId)),

  /** Removes the volumes of the preview that are still unused. */
  prune: hostProcedure("operate", OnHost.extend({ names: z.array(VolumeName).min(1, "choose at least one volume").max(10_000) }), onHost).mutation(({ ctx, input }) =>
    pruneVolumes(ctx, actorOf(ctx), input.hostId, input.names),
  ),
} satisfies TRPCRouterRecord;
