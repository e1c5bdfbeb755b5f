import type { IncomingMessage } from "node:http";
import { type TokenRefusal, userFromApiToken } from "./api-tokens";
import { type SessionUser, getSessionUser } from "./auth";
import type { Actor } from "./audit/audit-log";
import { CLIENT_IP_HEADER } from "./client-address";
import type { Services } from "./services";

export interface Authentication {
  user: SessionUser | null;
  /** A real token that was turned away (revoked, expired, owner disabled): audited as a refusal. */
  refusedToken: TokenRefusal | null;
  client: { ip: string | null; userAgent: string | null };
}

/**
 * The one way a request is authenticated, for tRPC, plain HTTP endpoints and WebSocket upgrades:
 * an API token (`Authorization: Bearer stvtok_…`) where `tokens` allows it, else the session cookie.
 */
export async function authenticate(svc: Pick<Services, "auth" | "db">, req: IncomingMessage, opts: { tokens: boolean } = { tokens: true }): Promise<Authentication> {
  const client = clientOf(req);
  if (opts.tokens && req.headers.authorization?.startsWith("Bearer ")) {
    const result = await userFromApiToken(svc.db, req.headers.authorization);
    return { user: result && "user" in result ? result.user : null, refusedToken: result && "refused" in result ? result.refused : null, client };
  }
  return { user: await getSessionUser(svc.auth, svc.db, req.headers), refusedToken: null, client };
}

/** Where a request came from, as the audit trail records it (the address set by client-address.ts). */
export function clientOf(req: IncomingMessage): Authentication["client"] {
  return { ip: (req.headers[CLIENT_IP_HEADER] as string | undefined) ?? null, userAgent: req.headers["user-agent"] ?? null };
}

/** The audit trail's "who": the signed-in user, or their API token by name, and from where. */
export function actorOf(auth: Pick<Authentication, "client"> & { user: SessionUser }): Actor {
  const { user, client } = auth;
  if (user.token) return { type: "token", id: user.token.id, name: `${user.email} (token "${user.token.name}")`, ip: client.ip, userAgent: client.userAgent };
  return { type: "user", id: user.id, name: user.email, ip: client.ip, userAgent: client.userAgent };
}
