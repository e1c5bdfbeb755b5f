import { registryOf } from "@stevedore/protocol";

/**
 * An image reference split the way the Registry HTTP API addresses it: the host to call, the
 * repository path, and the tag or digest. Docker Hub is named `docker.io` in references but serves
 * the API at registry-1.docker.io, and one-segment names live under `library/` (distribution spec,
 * "docker/reference" normalisation).
 */
export interface RemoteReference {
  /** The registry as references and stored credentials name it (`docker.io`, `registry.example.com:5000`). */
  registry: string;
  /** The host the v2 API is served from. */
  apiHost: string;
  repository: string;
  tag: string | null;
  digest: string | null;
}

/** Docker Hub: named `docker.io` in references, its API and credential addresses differ. */
export const DOCKER_HUB = { name: "docker.io", api: "registry-1.docker.io", auth: "https://index.docker.io/v1/" } as const;
const HUB_ALIASES = new Set([DOCKER_HUB.name, "index.docker.io", DOCKER_HUB.api]);

/** The host a registry's v2 API is served from. */
export function apiHostOf(registry: string): string {
  return HUB_ALIASES.has(registry) ? DOCKER_HUB.api : registry;
}

export function parseReference(reference: string): RemoteReference {
  const ref = reference.trim();
  const at = ref.indexOf("@");
  const digest = at >= 0 ? ref.slice(at + 1) : null;
  const named = at >= 0 ? ref.slice(0, at) : ref;
  const host = registryOf(named);
  const hub = HUB_ALIASES.has(host);
  let path = named.startsWith(`${host}/`) ? named.slice(host.length + 1) : named;
  const lastSlash = path.lastIndexOf("/");
  const colon = path.lastIndexOf(":");
  const tag = colon > lastSlash ? path.slice(colon + 1) : null;
  if (tag !== null) path = path.slice(0, colon);
  if (hub && !path.includes("/")) path = `library/${path}`;
  return {
    registry: hub ? DOCKER_HUB.name : host,
    apiHost: apiHostOf(host),
    repository: path,
    tag: tag ?? (digest ? null : "latest"),
    digest,
  };
}

/** `uname -m` as the agent reports it → the OCI platform architecture (and variant) an index lists. */
export function ociPlatform(arch: string): { os: "linux"; architecture: string; variant?: string } {
  const map: Record<string, { architecture: string; variant?: string }> = {
    x86_64: { architecture: "amd64" },
    amd64: { architecture: "amd64" },
    aarch64: { architecture: "arm64" },
    arm64: { architecture: "arm64" },
    armv7l: { architecture: "arm", variant: "v7" },
    armv6l: { architecture: "arm", variant: "v6" },
    i686: { architecture: "386" },
    s390x: { architecture: "s390x" },
    ppc64le: { architecture: "ppc64le" },
  };
  return { os: "linux", ...(map[arch] ?? { architecture: arch }) };
}
