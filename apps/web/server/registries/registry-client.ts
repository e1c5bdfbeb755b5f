import { createHash } from "node:crypto";
import { DomainError } from "../domain-error";
/**
 * A small client for the Registry HTTP API v2 (the distribution spec): the version check, the catalog,
 * tag lists and manifests. Credentials go as Basic auth, or, when the registry answers with a Bearer
 * challenge (Docker Hub, GHCR, Harbor…), are exchanged at the challenge's realm for a token first.
 */

export interface RegistryTarget {
  address: string;
  insecure: boolean;
  username?: string | null;
  password?: string | null;
}

export type RegistryErrorCode = "unauthorized" | "unreachable" | "not_found" | "bad_response" | "rate_limited";

const DOMAIN_CODES = { unauthorized: "forbidden", not_found: "not_found", unreachable: "bad_gateway", bad_response: "bad_gateway", rate_limited: "too_many_requests" } as const;

export class RegistryError extends DomainError {
  constructor(
    message: string,
    readonly reason: RegistryErrorCode,
    /** rate_limited: when the registry said to come back. */
    readonly retryAt?: number,
  ) {
    super(DOMAIN_CODES[reason], message);
  }
}

const TIMEOUT_MS = 10_000;
const PAGE_SIZE = 100;
/** An index or manifest is a few KiB; one this large is not one. */
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
/** When a 429 names no time. */
const DEFAULT_RETRY_MS = 60_000;

/** Index first: a multi-arch tag is resolved to the host's platform by the caller. */
export const MANIFEST_ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

function basic(target: RegistryTarget): Record<string, string> {
  if (!target.username || !target.password) return {};
  return { authorization: `Basic ${Buffer.from(`${target.username}:${target.password}`).toString("base64")}` };
}

/** `Bearer realm="…",service="…",scope="…"` → its parameters. */
function parseChallenge(header: string): Record<string, string> | null {
  if (!/^bearer\s/i.test(header)) return null;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]!.toLowerCase()] = m[2]!;
  return params.realm ? params : null;
}

/** Retry-After (seconds or an HTTP date) as a time; Docker Hub's `RateLimit-Remaining: 0;w=21600` as the window's end. */
function retryAtOf(res: Response, now = Date.now()): number | null {
  const after = res.headers.get("retry-after");
  if (after) {
    const seconds = Number(after);
    const at = Number.isFinite(seconds) ? now + seconds * 1000 : Date.parse(after);
    if (Number.isFinite(at)) return at;
  }
  const remaining = /^\s*(\d+)(?:\s*;\s*w=(\d+))?/.exec(res.headers.get("ratelimit-remaining") ?? "");
  if (remaining && Number(remaining[1]) === 0) return now + (remaining[2] ? Number(remaining[2]) * 1000 : DEFAULT_RETRY_MS);
  return null;
}

/**
 * Requests to one registry that share what they learn: a token per scope (and the challenge, so the
 * next scopes are asked for up front), how many requests were made, and when the registry said to
 * stop (a 429, or a rate limit at zero) so the caller stops too.
 */
export class RegistrySession {
  requests = 0;
  /** Set once the registry asks to be left alone until then. */
  retryAt: number | null = null;
  private readonly tokens = new Map<string, string>();
  private challenge: Record<string, string> | null = null;

  constructor(readonly target: RegistryTarget) {}

  private async fetch(url: string, headers: Record<string, string>, method: "GET" | "HEAD"): Promise<Response> {
    if (this.retryAt !== null && this.retryAt > Date.now()) throw new RegistryError(`${this.target.address} asked to wait until ${new Date(this.retryAt).toISOString()}`, "rate_limited", this.retryAt);
    this.requests++;
    let res: Response;
    try {
      res = await fetch(url, { method, headers: { accept: "application/json", ...headers }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "follow" });
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      const detail = cause?.code ?? cause?.message ?? (err as Error).message;
      const hint = transportHint(detail, this.target.insecure);
      throw new RegistryError(`cannot reach ${new URL(url).host}: ${hint ? `${hint} (${detail})` : detail}`, "unreachable");
    }
    const retryAt = retryAtOf(res);
    if (res.status === 429) {
      await res.body?.cancel();
      this.retryAt = retryAt ?? Date.now() + DEFAULT_RETRY_MS;
      throw new RegistryError(`${this.target.address} is rate-limiting requests (HTTP 429) until ${new Date(this.retryAt).toISOString()}`, "rate_limited", this.retryAt);
    }
    // The answer stands; the next request waits.
    if (retryAt !== null) this.retryAt = retryAt;
    return res;
  }

  /** A token for each scope, in one request where the token service allows it (the distribution token spec does). */
  async authorize(scopes: readonly string[]): Promise<void> {
    const missing = scopes.filter((s) => !this.tokens.has(s));
    if (!this.challenge || missing.length === 0) return;
    const tokenUrl = new URL(this.challenge.realm!);
    if (this.challenge.service) tokenUrl.searchParams.set("service", this.challenge.service);
    for (const scope of missing) tokenUrl.searchParams.append("scope", scope);
    const tokenRes = await this.fetch(tokenUrl.toString(), basic(this.target), "GET");
    if (!tokenRes.ok) {
      await tokenRes.body?.cancel();
      throw new RegistryError(`the registry's token service refused the credentials (HTTP ${tokenRes.status})`, "unauthorized");
    }
    const body = (await tokenRes.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError("the registry's token service answered without a token", "bad_response");
    for (const scope of missing) this.tokens.set(scope, token);
  }

  /** Whether the registry asked for Bearer tokens (so `authorize` can fetch many scopes at once). */
  get usesTokens(): boolean {
    return this.challenge !== null;
  }

  async request(path: string, scope: string, { method = "GET", accept }: { method?: "GET" | "HEAD"; accept?: string } = {}): Promise<Response> {
    const url = `${this.target.insecure ? "http" : "https"}://${this.target.address}${path}`;
    const extra: Record<string, string> = accept ? { accept } : {};
    const headers = () => {
      const token = this.tokens.get(scope);
      return { ...extra, ...(token ? { authorization: `Bearer ${token}` } : basic(this.target)) };
    };
    let res = await this.fetch(url, headers(), method);
    const challenge = res.status === 401 ? parseChallenge(res.headers.get("www-authenticate") ?? "") : null;
    if (challenge) {
      await res.body?.cancel();
      // A token that no longer covers the scope (expired) is asked for again, once.
      this.tokens.delete(scope);
      this.challenge = challenge;
      const wanted = challenge.scope ?? scope;
      await this.authorize([wanted]);
      if (wanted !== scope) this.tokens.set(scope, this.tokens.get(wanted)!);
      res = await this.fetch(url, headers(), method);
    }
    if (res.status === 401 || res.status === 403) {
      await res.body?.cancel();
      throw new RegistryError(this.target.username ? `the registry refused the credentials for ${this.target.username} (HTTP ${res.status})` : `the registry needs credentials (HTTP ${res.status})`, "unauthorized");
    }
    if (res.status === 404) {
      await res.body?.cancel();
      throw new RegistryError(`not found on the registry: ${path}`, "not_found");
    }
    if (!res.ok) {
      const text = (await res.text().catch(() => "")).slice(0, 300);
      // Go's TLS server (the distribution registry, Harbor…) answers a plain HTTP request this way.
      if (res.status === 400 && /HTTP request to an HTTPS server/i.test(text)) throw new RegistryError(`cannot reach ${this.target.address}: ${SPEAKS_HTTPS} (HTTP 400: ${text.trim()})`, "unreachable");
      throw new RegistryError(`the registry answered HTTP ${res.status}${text ? `: ${text}` : ""}`, "bad_response");
    }
    return res;
  }
}

const SPEAKS_HTTPS = "this registry speaks HTTPS, not plain HTTP; untick \"Plain HTTP\"";

/**
 * What a TLS failure means for the one setting the user controls, instead of OpenSSL's code alone.
 * HTTPS to a plain-HTTP server reads its first bytes as a TLS record of a wrong version (or absurd length).
 */
export function transportHint(detail: string, insecure: boolean): string | null {
  if (!insecure && /WRONG_VERSION_NUMBER|PACKET_LENGTH_TOO_LONG|RECORD_LAYER_FAILURE|HTTP_REQUEST|UNEXPECTED_EOF/i.test(detail)) {
    return "this registry speaks plain HTTP, not HTTPS; tick \"Plain HTTP\" (the engines pulling from it must also list it under insecure-registries)";
  }
  if (!insecure && /SELF_SIGNED|UNABLE_TO_VERIFY|UNABLE_TO_GET_ISSUER|CERT_HAS_EXPIRED|CERT_NOT_YET_VALID|ALTNAME_INVALID|CERT_UNTRUSTED/i.test(detail)) {
    return "its TLS certificate is not trusted here (self-signed, expired, or for another name); give the control plane its CA with NODE_EXTRA_CA_CERTS";
  }
  if (insecure && /UND_ERR_SOCKET|other side closed|ECONNRESET/i.test(detail)) return `it closed the connection: if ${SPEAKS_HTTPS.replace("this registry ", "it ")}`;
  return null;
}

async function json<T>(res: Response): Promise<T> {
  try {
    return (await res.json()) as T;
  } catch {
    throw new RegistryError("the registry's answer is not JSON", "bad_response");
  }
}

/** `GET /v2/`: reachable, speaks v2, and accepts the credentials. */
export async function checkRegistry(target: RegistryTarget): Promise<{ apiVersion: string | null }> {
  const res = await new RegistrySession(target).request("/v2/", "registry:catalog:*");
  await res.body?.cancel();
  return { apiVersion: res.headers.get("docker-distribution-api-version") };
}

/** One page of the catalog, in the registry's order; `next` continues after the last one. */
export async function listRepositories(target: RegistryTarget, after?: string): Promise<{ repositories: string[]; next: string | null }> {
  const query = new URLSearchParams({ n: String(PAGE_SIZE) });
  if (after) query.set("last", after);
  const res = await new RegistrySession(target).request(`/v2/_catalog?${query}`, "registry:catalog:*");
  const more = /rel="next"/.test(res.headers.get("link") ?? "");
  const { repositories = [] } = await json<{ repositories?: string[] }>(res);
  return { repositories, next: more && repositories.length > 0 ? repositories.at(-1)! : null };
}

/** Newest first, by the numbers in them. */
export async function listTags(target: RegistryTarget, repository: string): Promise<string[]> {
  return (await allTags(new RegistrySession(target), repository)).sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
}

/** Every tag of a repository, following the registry's pages (up to `maxPages` of 1,000). */
export async function allTags(session: RegistrySession, repository: string, maxPages = 20): Promise<string[]> {
  const tags: string[] = [];
  let path: string | null = `/v2/${repository}/tags/list?n=1000`;
  for (let page = 0; path && page < maxPages; page++) {
    const res = await session.request(path, pullScope(repository));
    const next = /<([^>]+)>\s*;\s*rel="next"/.exec(res.headers.get("link") ?? "")?.[1] ?? null;
    tags.push(...((await json<{ tags?: string[] | null }>(res)).tags ?? []));
    path = next && next.startsWith("/v2/") ? next : null;
  }
  return tags;
}

export function pullScope(repository: string): string {
  return `repository:${repository}:pull`;
}

export interface ManifestHead {
  digest: string;
  mediaType: string;
}

/** `HEAD /v2/<repo>/manifests/<ref>`: the digest a tag names now, without downloading anything (and, on Docker Hub, without counting as a pull). */
export async function headManifest(session: RegistrySession, repository: string, reference: string): Promise<ManifestHead> {
  const res = await session.request(`/v2/${repository}/manifests/${reference}`, pullScope(repository), { method: "HEAD", accept: MANIFEST_ACCEPT });
  const digest = res.headers.get("docker-content-digest");
  // A registry that leaves the digest out of a HEAD says it in a GET, or its body's hash does.
  if (!digest) return getManifest(session, repository, reference);
  return { digest, mediaType: (res.headers.get("content-type") ?? "").split(";")[0]!.trim() };
}

export interface Manifest extends ManifestHead {
  body: unknown;
}

export async function getManifest(session: RegistrySession, repository: string, reference: string): Promise<Manifest> {
  const res = await session.request(`/v2/${repository}/manifests/${reference}`, pullScope(repository), { accept: MANIFEST_ACCEPT });
  const bytes = Buffer.from(await res.arrayBuffer());
  if (bytes.length > MAX_MANIFEST_BYTES) throw new RegistryError(`the manifest of ${repository}:${reference} is ${bytes.length} bytes, more than a manifest can be`, "bad_response");
  let body: unknown;
  try {
    body = JSON.parse(bytes.toString("utf8"));
  } catch {
    throw new RegistryError(`the manifest of ${repository}:${reference} is not JSON`, "bad_response");
  }
  const digest = res.headers.get("docker-content-digest") ?? `sha256:${createHash("sha256").update(bytes).digest("hex")}`;
  const mediaType = (res.headers.get("content-type") ?? "").split(";")[0]!.trim() || String((body as { mediaType?: unknown }).mediaType ?? "");
  return { digest, mediaType, body };
}

/** A config blob is a few KiB (the image's history and environment); one this large is not read. */
const MAX_CONFIG_BYTES = 1024 * 1024;
/** Tags described in one call, and at once: each costs one to three requests to the registry. */
export const MAX_TAG_DETAILS = 25;
const TAG_DETAIL_CONCURRENCY = 4;

export interface TagDetail {
  tag: string;
  /** What the tag names now: the index's digest for a multi-platform tag. */
  digest: string | null;
  /** `os/arch[/variant]` of each image of a multi-platform tag; null for a single image. */
  platforms: string[] | null;
  /** Compressed size of the (described platform's) layers and config: what a pull downloads. */
  sizeBytes: number | null;
  /** Of the described platform, when several. */
  platform: string | null;
  /** The image config's `created`. */
  createdAt: number | null;
  error: string | null;
}

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string; variant?: string };
}

const platformOf = (p: Descriptor["platform"]) => (p?.os && p.architecture ? [p.os, p.architecture, p.variant].filter(Boolean).join("/") : null);
const isDigest = (d: unknown): d is string => typeof d === "string" && /^sha256:[0-9a-f]{64}$/.test(d);

/** A blob read whole, refused past `maxBytes` and checked against its digest (registry answers are untrusted). */
async function getBlob(session: RegistrySession, repository: string, digest: string, maxBytes: number): Promise<Buffer> {
  const res = await session.request(`/v2/${repository}/blobs/${digest}`, pullScope(repository));
  const declared = Number(res.headers.get("content-length") ?? "0");
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new RegistryError(`the blob ${digest} is ${declared} bytes, more than ${maxBytes} read for it`, "bad_response");
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    if (size > maxBytes) throw new RegistryError(`the blob ${digest} is more than ${maxBytes} bytes`, "bad_response");
    chunks.push(Buffer.from(chunk));
  }
  const body = Buffer.concat(chunks);
  if (`sha256:${createHash("sha256").update(body).digest("hex")}` !== digest) throw new RegistryError(`the blob ${digest} does not match its digest`, "bad_response");
  return body;
}

/**
 * A tag's digest, size and date, from its manifest and its image's config: a multi-platform tag is
 * described by its linux/amd64 image (else its first), and lists its platforms. Attestation manifests
 * (`unknown/unknown`) are not platforms.
 */
export async function describeTag(session: RegistrySession, repository: string, tag: string): Promise<TagDetail> {
  const detail: TagDetail = { tag, digest: null, platforms: null, sizeBytes: null, platform: null, createdAt: null, error: null };
  try {
    let manifest = await getManifest(session, repository, tag);
    detail.digest = manifest.digest;
    const index = manifest.body as { manifests?: Descriptor[] };
    if (Array.isArray(index.manifests)) {
      const images = index.manifests.filter((m) => isDigest(m.digest) && platformOf(m.platform) && platformOf(m.platform) !== "unknown/unknown");
      detail.platforms = images.map((m) => platformOf(m.platform)!);
      const chosen = images.find((m) => platformOf(m.platform) === "linux/amd64") ?? images[0];
      if (!chosen) return detail;
      detail.platform = platformOf(chosen.platform);
      manifest = await getManifest(session, repository, chosen.digest!);
    }
    const image = manifest.body as { config?: Descriptor; layers?: Descriptor[] };
    if (!image.config || !isDigest(image.config.digest)) throw new RegistryError("the manifest names no image config", "bad_response");
    const sizes = [image.config, ...(image.layers ?? [])].map((d) => d.size);
    detail.sizeBytes = sizes.every((n) => Number.isSafeInteger(n) && n! >= 0) ? sizes.reduce<number>((sum, n) => sum + n!, 0) : null;
    const config = JSON.parse((await getBlob(session, repository, image.config.digest, MAX_CONFIG_BYTES)).toString("utf8")) as { created?: unknown };
    const created = typeof config.created === "string" ? Date.parse(config.created) : NaN;
    detail.createdAt = Number.isFinite(created) ? created : null;
  } catch (err) {
    // One tag's failure is its row's, not the list's; a rate limit stops the rest (the session refuses them).
    detail.error = err instanceof RegistryError ? err.message : err instanceof SyntaxError ? "the image config is not JSON" : String(err);
  }
  return detail;
}

/** `describeTag` for up to MAX_TAG_DETAILS tags, a few at a time, over one session (one token). */
export async function describeTags(target: RegistryTarget, repository: string, tags: readonly string[]): Promise<TagDetail[]> {
  const session = new RegistrySession(target);
  const wanted = tags.slice(0, MAX_TAG_DETAILS);
  const out: TagDetail[] = new Array<TagDetail>(wanted.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < wanted.length; i = next++) out[i] = await describeTag(session, repository, wanted[i]!);
  };
  await Promise.all(Array.from({ length: Math.min(TAG_DETAIL_CONCURRENCY, wanted.length) }, worker));
  return out;
}
