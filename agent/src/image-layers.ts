import type Docker from "dockerode";
import type { ImageDetail, ImageDisk, ImageHistoryStep, ImageLayer } from "@stevedore/protocol";

/** `docker history` as the engine returns it: newest step first. */
interface EngineHistoryStep {
  Created: number;
  CreatedBy?: string;
  Size: number;
  Comment?: string;
}

interface EngineDf {
  LayersSize?: number;
  Images?: { Id: string; RepoTags?: string[] | null; Created: number; Size: number; SharedSize: number; Containers: number }[] | null;
}

/** Steps that only change the image's configuration make no layer (both builders' spellings). */
const METADATA_STEP = /^(?:\/bin\/sh -c #\(nop\)\s+)?(?:ENV|CMD|LABEL|ENTRYPOINT|EXPOSE|USER|WORKDIR|VOLUME|STOPSIGNAL|HEALTHCHECK|SHELL|ARG|ONBUILD|MAINTAINER)\b/;
const INSPECT_CONCURRENCY = 8;

/**
 * Matches history steps (oldest first) to the image's layers. The engine does not say which steps made
 * a layer; the steps with content do, when their count matches the layers, else the non-metadata
 * steps do; when neither fits, no step is claimed (the layers keep their ids, without sizes).
 */
export function matchHistory(history: EngineHistoryStep[], diffIds: string[]): { steps: ImageHistoryStep[]; layers: ImageLayer[] } {
  const oldestFirst = [...history].reverse();
  const count = (flags: boolean[]) => flags.filter(Boolean).length;
  const sized = oldestFirst.map((s) => s.Size > 0);
  const nonMetadata = oldestFirst.map((s) => !METADATA_STEP.test((s.CreatedBy ?? "").trim()));
  const makes = count(sized) === diffIds.length ? sized : count(nonMetadata) === diffIds.length ? nonMetadata : oldestFirst.map(() => false);
  const steps = oldestFirst.map((s, i) => ({
    createdAt: s.Created * 1000,
    createdBy: (s.CreatedBy ?? "").slice(0, 16384),
    sizeBytes: Math.max(0, s.Size),
    comment: (s.Comment ?? "").slice(0, 4096),
    makesLayer: makes[i]!,
  }));
  const layerSteps = steps.filter((s) => s.makesLayer);
  const layers = diffIds.map((diffId, i) => {
    const step = layerSteps[i];
    return { diffId, sizeBytes: step?.sizeBytes ?? null, createdBy: step?.createdBy ?? null, createdAt: step?.createdAt ?? null };
  });
  return { steps, layers };
}

export async function inspectImage(docker: Docker, id: string): Promise<ImageDetail> {
  const image = docker.getImage(id);
  const [info, history] = await Promise.all([image.inspect(), image.history() as Promise<EngineHistoryStep[]>]);
  const { steps, layers } = matchHistory(history, info.RootFS?.Layers ?? []);
  return {
    id: info.Id,
    repoTags: (info.RepoTags ?? []).filter((t) => t !== "<none>:<none>"),
    repoDigests: info.RepoDigests ?? [],
    createdAt: Date.parse(info.Created),
    sizeBytes: info.Size,
    architecture: info.Architecture ?? "",
    os: info.Os ?? "",
    layers,
    history: steps,
  };
}

/** `docker system df -v` for images, with each image's layers unless `withLayers` is false. */
export async function imageDisk(docker: Docker, withLayers: boolean): Promise<ImageDisk> {
  const df = (await docker.df()) as EngineDf;
  const images = df.Images ?? [];
  const details = new Map<string, ImageDetail>();
  let next = 0;
  await Promise.all(
    Array.from({ length: withLayers ? Math.min(INSPECT_CONCURRENCY, images.length) : 0 }, async () => {
      while (next < images.length) {
        const { Id } = images[next++]!;
        // An image removed meanwhile is left out.
        await inspectImage(docker, Id).then((d) => details.set(Id, d), () => undefined);
      }
    }),
  );
  return {
    layersSizeBytes: Math.max(0, df.LayersSize ?? 0),
    images: images
      .filter((img) => !withLayers || details.has(img.Id))
      .map((img) => ({
        id: img.Id,
        repoTags: (img.RepoTags ?? []).filter((t) => t !== "<none>:<none>"),
        createdAt: img.Created * 1000,
        sizeBytes: Math.max(0, img.Size),
        sharedSizeBytes: Math.max(0, img.SharedSize),
        containers: Math.max(0, img.Containers),
        layers: details.get(img.Id)?.layers ?? [],
      })),
  };
}
