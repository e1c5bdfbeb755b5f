import { z } from "zod";
import { RegistryError, RegistrySession, type RegistryTarget, allTags, getManifest, headManifest, pullScope } from "../registries/registry-client";
import { parseReference } from "../registries/image-reference";
import { newerVersions, type NewerVersions } from "./version-tags";

/**
 * What the registry says an image reference names now, for the platforms the fleet runs it on.
 * Asked with as few requests as the answer allows: one HEAD per reference when a host already has
 * what the tag names (the common case), and the index and platform manifests only when not.
 */

/** One platform's image under the reference now. `configDigest` is the image id a host would have. */
export const PlatformManifest = z.object({ platform: z.string().max(64).nullable(), digest: z.string().max(128), configDigest: z.string().max(128).nullable() });
export type PlatformManifest = z.infer<typeof PlatformManifest>;

export interface ReferenceCheck {
  reference: string;
  checkedAt: number;
  /** What the tag names now (an index or a manifest); null until a check succeeds. */
  digest: string | null;
  /** Read only when some host's image is not `digest`: the platforms those hosts run. */
  manifests: PlatformManifest[];
  newer: NewerVersions | null;
  /** When the tag list behind `newer` was read: daily, not at every check (see TAG_LIST_MAX_AGE_MS). */
  newerCheckedAt: number | null;
  /** The last check's failure; the digest and manifests are then the last ones known. */
  error: string | null;
}

/**
 * Tag lists are re-read once a day; digests at every check. A tag list is one more request per
 * repository, and new versions matter on the scale of days, a moved tag at once.
 */
export const TAG_LIST_MAX_AGE_MS = 24 * 3_600_000;

/** A reference in use, with what the fleet already has of it. */
export interface ReferenceInUse {
  reference: string;
  /** `linux/amd64`, `linux/arm/v7`: the platforms of the hosts that run it. */
  platforms: ReadonlySet<string>;
  /** The digests the hosts' images of it were pulled or pushed by (their RepoDigests). */
  localDigests: ReadonlySet<string>;
}

const Descriptor = z.object({ digest: z.string().max(128), platform: z.object({ os: z.string(), architecture: z.string(), variant: z.string().optional() }).optional() });
const Index = z.object({ manifests: z.array(Descriptor).max(1000) });
const ImageManifest = z.object({ config: z.object({ digest: z.string().max(128) }) });

const INDEX_TYPES = new Set(["application/vnd.oci.image.index.v1+json", "application/vnd.docker.distribution.manifest.list.v2+json"]);

export function platformKey(p: { os: string; architecture: string; variant?: string | undefined }): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join("/");
}

/** The index's manifest for a platform: exact variant first, then the architecture's (arm64 images rarely say v8). */
function forPlatform(index: z.infer<typeof Index>, platform: string): z.infer<typeof Descriptor> | undefined {
  const exact = index.manifests.find((m) => m.platform && platformKey(m.platform) === platform);
  if (exact) return exact;
  const [os, architecture] = platform.split("/");
  return index.manifests.find((m) => m.platform?.os === os && m.platform?.architecture === architecture);
}

/** Tag lists per repository within one run: references of one repository share one. */
type TagLists = Map<string, Promise<string[]>>;

export async function checkReference(session: RegistrySession, use: ReferenceInUse, tagLists: TagLists, previous: ReferenceCheck | undefined, fresh: boolean): Promise<ReferenceCheck> {
  const ref = parseReference(use.reference);
  const checkedAt = Date.now();
  const kept = { newer: previous?.newer ?? null, newerCheckedAt: previous?.newerCheckedAt ?? null };
  try {
    // Digest pins are not checked (image-updates.ts leaves them out): a reference here has a tag.
    const tag = ref.tag ?? "latest";
    const head = await headManifest(session, ref.repository, tag);
    const manifests = use.localDigests.has(head.digest) ? [] : await platformManifests(session, ref.repository, head, use);
    const tagsDue = fresh || kept.newerCheckedAt === null || checkedAt - kept.newerCheckedAt > TAG_LIST_MAX_AGE_MS;
    const versions = tagsDue ? { newer: await newerTags(session, ref.repository, tag, tagLists), newerCheckedAt: checkedAt } : kept;
    return { reference: use.reference, checkedAt, digest: head.digest, manifests, ...versions, error: null };
  } catch (err) {
    if (!(err instanceof RegistryError)) throw err;
    return { reference: use.reference, checkedAt, digest: previous?.digest ?? null, manifests: previous?.manifests ?? [], ...kept, error: err.message };
  }
}

async function platformManifests(session: RegistrySession, repository: string, head: { digest: string; mediaType: string }, use: ReferenceInUse): Promise<PlatformManifest[]> {
  const top = await getManifest(session, repository, head.digest);
  if (!INDEX_TYPES.has(top.mediaType)) return [{ platform: null, digest: top.digest, configDigest: configOf(top.body, repository) }];
  const index = Index.safeParse(top.body);
  if (!index.success) throw new RegistryError(`the index of ${repository} is malformed`, "bad_response");
  const out: PlatformManifest[] = [];
  for (const platform of use.platforms) {
    const entry = forPlatform(index.data, platform);
    if (!entry) {
      out.push({ platform, digest: "", configDigest: null });
      continue;
    }
    // A host that pulled this platform's manifest by digest lists that digest: no need for its config.
    const configDigest = use.localDigests.has(entry.digest) ? null : configOf((await getManifest(session, repository, entry.digest)).body, repository);
    out.push({ platform, digest: entry.digest, configDigest });
  }
  return out;
}

function configOf(body: unknown, repository: string): string {
  const manifest = ImageManifest.safeParse(body);
  if (!manifest.success) throw new RegistryError(`a manifest of ${repository} names no image config`, "bad_response");
  return manifest.data.config.digest;
}

async function newerTags(session: RegistrySession, repository: string, tag: string, tagLists: TagLists): Promise<NewerVersions | null> {
  if (newerVersions(tag, []) === null) return null;
  let tags = tagLists.get(repository);
  if (!tags) tagLists.set(repository, (tags = allTags(session, repository)));
  return newerVersions(tag, await tags);
}

/** How many references of one registry are asked at once. */
const PER_REGISTRY = 8;
/** Scopes per token request, when the registry hands out Bearer tokens. */
const SCOPES_PER_TOKEN = 50;

export interface RegistryRun {
  checks: ReferenceCheck[];
  requests: number;
}

/**
 * Checks one registry's references: the first alone (to learn whether the registry wants tokens, and
 * then ask for the others' scopes in a few requests), the rest a few at a time. Once the registry
 * rate-limits, the references not yet asked keep their last result, marked with when to retry.
 */
/** `fresh`: read tag lists too, whatever their age (a check someone asked for). */
export async function checkRegistryReferences(target: RegistryTarget, uses: readonly ReferenceInUse[], previous: ReadonlyMap<string, ReferenceCheck>, fresh = true): Promise<RegistryRun> {
  const session = new RegistrySession(target);
  const tagLists: TagLists = new Map();
  const checks: ReferenceCheck[] = [];
  const queue = [...uses];
  const one = async (use: ReferenceInUse) => checks.push(await checkReference(session, use, tagLists, previous.get(use.reference), fresh));
  const first = queue.shift();
  if (first) await one(first);
  if (session.usesTokens) {
    const scopes = [...new Set(queue.map((u) => pullScope(parseReference(u.reference).repository)))];
    // A token service that refuses many scopes at once costs only the savings: each reference then meets its own challenge.
    for (let i = 0; i < scopes.length; i += SCOPES_PER_TOKEN) await session.authorize(scopes.slice(i, i + SCOPES_PER_TOKEN)).catch(() => undefined);
  }
  await Promise.all(
    Array.from({ length: Math.min(PER_REGISTRY, queue.length) }, async () => {
      for (let use = queue.shift(); use; use = queue.shift()) await one(use);
    }),
  );
  return { checks, requests: session.requests };
}
