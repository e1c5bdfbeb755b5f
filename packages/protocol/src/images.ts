import { z } from "zod";

/** An image id as the engine gives it ("sha256:" + 64 hex) or a unique prefix of its hex. */
export const ImageId = z.string().regex(/^(sha256:)?[0-9a-f]{12,64}$/, "an image id is sha256: and 12–64 lowercase hex characters");

/** A repository and tag to give an image, as `docker tag` takes them. */
export const ImageTagTarget = z.object({
  repository: z
    .string()
    .min(1)
    .max(255)
    .regex(/^[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*(?::[0-9]+)?(?:\/[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*)*$/, "a repository is lowercase path components, optionally after a registry host[:port]"),
  tag: z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a tag is up to 128 letters, digits, underscores, dots or dashes, not starting with . or -"),
});
export type ImageTagTarget = z.infer<typeof ImageTagTarget>;

/** One layer of an image's root filesystem, base first, with the history step that made it when known. */
export const ImageLayer = z.object({
  /** The layer's content digest (RootFS diff id): equal ids are the same layer, stored once. */
  diffId: z.string().max(128),
  sizeBytes: z.number().int().nonnegative().nullable(),
  createdBy: z.string().max(16384).nullable(),
  createdAt: z.number().int().nullable(),
});
export type ImageLayer = z.infer<typeof ImageLayer>;

/** One step of `docker history`, oldest first; metadata steps (ENV, CMD…) make no layer. */
export const ImageHistoryStep = z.object({
  createdAt: z.number().int(),
  createdBy: z.string().max(16384),
  sizeBytes: z.number().int().nonnegative(),
  comment: z.string().max(4096),
  makesLayer: z.boolean(),
});
export type ImageHistoryStep = z.infer<typeof ImageHistoryStep>;

export const ImageDetail = z.object({
  id: z.string().max(128),
  repoTags: z.array(z.string().max(512)).max(256),
  repoDigests: z.array(z.string().max(512)).max(256),
  createdAt: z.number().int(),
  sizeBytes: z.number().int().nonnegative(),
  architecture: z.string().max(64),
  os: z.string().max(64),
  layers: z.array(ImageLayer).max(1000),
  history: z.array(ImageHistoryStep).max(2000),
});
export type ImageDetail = z.infer<typeof ImageDetail>;

/** The images of a host with how their layers are shared: `docker system df -v` plus each image's layers. */
export const ImageDisk = z.object({
  /** Disk the host's image layers take, each shared layer counted once. */
  layersSizeBytes: z.number().int().nonnegative(),
  images: z
    .array(
      z.object({
        id: z.string().max(128),
        repoTags: z.array(z.string().max(512)).max(256),
        createdAt: z.number().int(),
        sizeBytes: z.number().int().nonnegative(),
        /** Of sizeBytes, what lies in layers other images also use. */
        sharedSizeBytes: z.number().int().nonnegative(),
        /** Containers (running or not) created from it. */
        containers: z.number().int().nonnegative(),
        layers: z.array(ImageLayer).max(1000),
      }),
    )
    .max(10_000),
});
export type ImageDisk = z.infer<typeof ImageDisk>;

export const ImageRemoveResult = z.object({ untagged: z.array(z.string()).max(10_000), deleted: z.array(z.string()).max(10_000) });
export type ImageRemoveResult = z.infer<typeof ImageRemoveResult>;

export const ImagePruneResult = z.object({ deleted: z.array(z.string()).max(100_000), reclaimedBytes: z.number().int().nonnegative() });
export type ImagePruneResult = z.infer<typeof ImagePruneResult>;

/** Credentials for one pull, as the engine's X-Registry-Auth takes them; sent only inside that request. */
export const RegistryAuth = z.object({
  username: z.string().min(1).max(512),
  password: z.string().min(1).max(8192),
  serveraddress: z.string().min(1).max(512),
});
export type RegistryAuth = z.infer<typeof RegistryAuth>;

/** Where `docker tag` would point: `repo:tag`, `registry:port/repo:tag`, or `repo` (then `latest`), or why not. */
export type ParsedTagTarget = { ok: true; target: ImageTagTarget } | { ok: false; error: string };

/**
 * Reads a tag target typed in one field, as `docker tag SOURCE TARGET` reads TARGET: the tag is what
 * follows the last colon after the last slash (a colon before a slash is a registry's port). A digest
 * names content, so it cannot be a target: refused in words rather than as a pattern mismatch.
 */
export function parseTagTarget(text: string): ParsedTagTarget {
  const value = text.trim();
  if (!value) return { ok: false, error: "type the new name as repository:tag, e.g. team/app:1.4.2" };
  if (value.includes("@")) return { ok: false, error: "a digest (…@sha256:…) names content and cannot be given as a tag; type repository:tag instead" };
  if (/\s/.test(value)) return { ok: false, error: "a name has no spaces" };
  const slash = value.lastIndexOf("/");
  const colon = value.lastIndexOf(":");
  const hasTag = colon > slash;
  const repository = hasTag ? value.slice(0, colon) : value;
  const tag = hasTag ? value.slice(colon + 1) : "latest";
  if (hasTag && !tag) return { ok: false, error: "nothing after the colon: type the tag, e.g. team/app:1.4.2" };
  const parsed = ImageTagTarget.safeParse({ repository, tag });
  if (parsed.success) return { ok: true, target: parsed.data };
  const issue = parsed.error.issues[0]!;
  const what = issue.path[0] === "tag" ? `the tag "${tag}"` : `the repository "${repository}"`;
  return { ok: false, error: `${what}: ${issue.message}` };
}
