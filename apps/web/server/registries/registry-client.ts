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
      throw new RegistryError(`cannot reach ${new URL(url).host}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, "unreachable");
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
      throw new RegistryError(`the registry answered HTTP ${res.status}${text ? `: ${text}` : ""}`, "bad_response");
    }
    return res;
  }
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
