import { DomainError } from "../domain-error";
/**
 * A small client for the Registry HTTP API v2 (the distribution spec): the version check, the catalog
 * and tag lists. Credentials go as Basic auth, or, when the registry answers with a Bearer challenge
 * (Docker Hub, GHCR, Harbor…), are exchanged at the challenge's realm for a token first.
 */

export interface RegistryTarget {
  address: string;
  insecure: boolean;
  username?: string | null;
  password?: string | null;
}

export type RegistryErrorCode = "unauthorized" | "unreachable" | "not_found" | "bad_response";

const DOMAIN_CODES = { unauthorized: "forbidden", not_found: "not_found", unreachable: "bad_gateway", bad_response: "bad_gateway" } as const;

export class RegistryError extends DomainError {
  constructor(
    message: string,
    readonly reason: RegistryErrorCode,
  ) {
    super(DOMAIN_CODES[reason], message);
  }
}

const TIMEOUT_MS = 10_000;
const PAGE_SIZE = 100;

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

async function fetchOrThrow(url: string, headers: Record<string, string>): Promise<Response> {
  try {
    return await fetch(url, { headers: { accept: "application/json", ...headers }, signal: AbortSignal.timeout(TIMEOUT_MS), redirect: "follow" });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    throw new RegistryError(`cannot reach ${new URL(url).host}: ${cause?.code ?? cause?.message ?? (err as Error).message}`, "unreachable");
  }
}

async function get(target: RegistryTarget, path: string, scope: string): Promise<Response> {
  const url = `${target.insecure ? "http" : "https"}://${target.address}${path}`;
  let res = await fetchOrThrow(url, basic(target));
  const challenge = res.status === 401 ? parseChallenge(res.headers.get("www-authenticate") ?? "") : null;
  if (challenge) {
    await res.body?.cancel();
    const tokenUrl = new URL(challenge.realm!);
    if (challenge.service) tokenUrl.searchParams.set("service", challenge.service);
    tokenUrl.searchParams.set("scope", challenge.scope ?? scope);
    const tokenRes = await fetchOrThrow(tokenUrl.toString(), basic(target));
    if (!tokenRes.ok) throw new RegistryError(`the registry's token service refused the credentials (HTTP ${tokenRes.status})`, "unauthorized");
    const body = (await tokenRes.json().catch(() => ({}))) as { token?: string; access_token?: string };
    const token = body.token ?? body.access_token;
    if (!token) throw new RegistryError("the registry's token service answered without a token", "bad_response");
    res = await fetchOrThrow(url, { authorization: `Bearer ${token}` });
  }
  if (res.status === 401 || res.status === 403) {
    await res.body?.cancel();
    throw new RegistryError(target.username ? `the registry refused the credentials for ${target.username} (HTTP ${res.status})` : `the registry needs credentials (HTTP ${res.status})`, "unauthorized");
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

async function json<T>(res: Response): Promise<T> {
  try {
    return (await res.json()) as T;
  } catch {
    throw new RegistryError("the registry's answer is not JSON", "bad_response");
  }
}

/** `GET /v2/`: reachable, speaks v2, and accepts the credentials. */
export async function checkRegistry(target: RegistryTarget): Promise<{ apiVersion: string | null }> {
  const res = await get(target, "/v2/", "registry:catalog:*");
  await res.body?.cancel();
  return { apiVersion: res.headers.get("docker-distribution-api-version") };
}

/** One page of the catalog, in the registry's order; `next` continues after the last one. */
export async function listRepositories(target: RegistryTarget, after?: string): Promise<{ repositories: string[]; next: string | null }> {
  const query = new URLSearchParams({ n: String(PAGE_SIZE) });
  if (after) query.set("last", after);
  const res = await get(target, `/v2/_catalog?${query}`, "registry:catalog:*");
  const more = /rel="next"/.test(res.headers.get("link") ?? "");
  const { repositories = [] } = await json<{ repositories?: string[] }>(res);
  return { repositories, next: more && repositories.length > 0 ? repositories.at(-1)! : null };
}

export async function listTags(target: RegistryTarget, repository: string): Promise<string[]> {
  const res = await get(target, `/v2/${repository}/tags/list`, `repository:${repository}:pull`);
  const { tags } = await json<{ tags?: string[] | null }>(res);
  return (tags ?? []).sort((a, b) => b.localeCompare(a, undefined, { numeric: true }));
}
