import type { PortBinding } from "@stevedore/protocol";

const ANY_ADDRESS = new Set(["", "0.0.0.0", "::"]);
const LOOPBACK = /^(127\.|::1$)/;

/**
 * Where a browser reaches a published TCP port: the address it is bound to, or the host's name when it
 * is bound to every address. None for loopback (only the host itself reaches it), UDP, or an unpublished port.
 */
export function publishedPortUrl(p: PortBinding, hostName: string): string | null {
  if (!p.publicPort || p.type !== "tcp") return null;
  const ip = p.ip ?? "";
  if (LOOPBACK.test(ip)) return null;
  const address = ANY_ADDRESS.has(ip) ? hostName : ip;
  return `http://${address.includes(":") ? `[${address}]` : address}:${p.publicPort}`;
}

/** `0.0.0.0:8080 → 80/tcp`, as `docker ps` writes it. */
export function portText(p: PortBinding): string {
  return `${p.publicPort ? `${p.ip ?? "0.0.0.0"}:${p.publicPort} → ` : ""}${p.privatePort}/${p.type}`;
}
