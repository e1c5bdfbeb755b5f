import type { IncomingMessage } from "node:http";

/** Set by the HTTP server on every request; what sign-in rate limits, sessions and the audit trail see. */
export const CLIENT_IP_HEADER = "x-stevedore-client-ip";

/**
 * The client's address: the socket's peer, or, behind a trusted reverse proxy, the address that proxy
 * appended last to X-Forwarded-For. Whatever a client sent in these headers itself is discarded, so it
 * cannot pose as another address to dodge a rate limit or mislead the audit trail.
 */
export function stampClientAddress(req: IncomingMessage, trustProxy: boolean): string | null {
  const forwarded = req.headers["x-forwarded-for"];
  const chain = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",").map((s) => s.trim()).filter(Boolean);
  const ip = (trustProxy && chain.length ? chain[chain.length - 1] : req.socket.remoteAddress)?.replace(/^::ffff:/, "") ?? null;
  delete req.headers["x-forwarded-for"];
  if (ip) req.headers[CLIENT_IP_HEADER] = ip;
  else delete req.headers[CLIENT_IP_HEADER];
  return ip;
}
