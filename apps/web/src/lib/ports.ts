import type { PortBinding } from "@stevedore/protocol";

const WILDCARD = new Set(["", "0.0.0.0", "::"]);

/** The published ports once each (the engine lists 0.0.0.0 and :: bindings of one port separately), then the unpublished ones. */
export function distinctPorts(ports: PortBinding[]): PortBinding[] {
  const seen = new Set<string>();
  const out: PortBinding[] = [];
  const sorted = [...ports].sort((a, b) => Number(b.publicPort !== undefined) - Number(a.publicPort !== undefined) || a.privatePort - b.privatePort);
  for (const p of sorted) {
    const key = `${WILDCARD.has(p.ip ?? "") ? "*" : p.ip}:${p.publicPort ?? ""}:${p.privatePort}/${p.type}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(p);
  }
  return out;
}

/**
 * Where a browser reaches a published TCP port: the address it is bound to when that is a specific
 * one, else the host's, when known. None for UDP or an unpublished port.
 */
export function publishedPortUrl(p: PortBinding, hostAddress: string | undefined): string | null {
  if (p.publicPort === undefined || p.type !== "tcp") return null;
  const address = p.ip && !WILDCARD.has(p.ip) ? p.ip : hostAddress;
  if (!address) return null;
  return `http://${address.includes(":") ? `[${address}]` : address}:${p.publicPort}`;
}

/** `0.0.0.0:8080 → 80/tcp`, as `docker ps` writes it. */
export function portText(p: PortBinding): string {
  return `${p.publicPort ? `${p.ip ?? "0.0.0.0"}:${p.publicPort} → ` : ""}${p.privatePort}/${p.type}`;
}
