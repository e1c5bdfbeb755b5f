import crypto from "node:crypto";
import type { IncomingMessage } from "node:http";

/** Set by the HTTP server on every request; what sign-in rate limits, sessions and the audit trail see. */
export const CLIENT_IP_HEADER = "x-stevedore-client-ip";
/** On a connection one replica hands to another: proof it comes from a replica, and the client it came from. */
export const LINK_TOKEN_HEADER = "x-stevedore-replica-link";
export const LINK_CLIENT_IP_HEADER = "x-stevedore-link-client-ip";

/**
 * The client's address: the socket's peer, or, behind a trusted reverse proxy, the address that proxy
 * appended last to X-Forwarded-For. Whatever a client sent in these headers itself is discarded, so it
 * cannot pose as another address to dodge a rate limit or mislead the audit trail.
 */
export function stampClientAddress(req: IncomingMessage, trustProxy: boolean, linkToken?: string): string | null {
  const forwarded = req.headers["x-forwarded-for"];
  const chain = (Array.isArray(forwarded) ? forwarded.join(",") : (forwarded ?? "")).split(",").map((s) => s.trim()).filter(Boolean);
  const linked = req.headers[LINK_CLIENT_IP_HEADER];
  const fromReplica = linkToken !== undefined && typeof linked === "string" && sameToken(req.headers[LINK_TOKEN_HEADER], linkToken);
  const ip = fromReplica ? linked || null : ((trustProxy && chain.length ? chain[chain.length - 1] : req.socket.remoteAddress)?.replace(/^::ffff:/, "") ?? null);
  delete req.headers["x-forwarded-for"];
  delete req.headers[LINK_TOKEN_HEADER];
  delete req.headers[LINK_CLIENT_IP_HEADER];
  if (ip) req.headers[CLIENT_IP_HEADER] = ip;
  else delete req.headers[CLIENT_IP_HEADER];
  return ip;
}

function sameToken(given: string | string[] | undefined, expected: string): boolean {
  if (typeof given !== "string" || given.length !== expected.length) return false;
  return crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}
