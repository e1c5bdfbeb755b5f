import type { Db } from "./db";
import type { SessionUser } from "./auth";
import { loadGrants } from "./access/grants";
import { type Role, asRole, isDisabled, lesserRole } from "./access/roles";
import { hashSecret, newId, randomSecret } from "./agents/secrets";

/** Last-used times are written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export async function createApiToken(db: Db, user: SessionUser, input: { name: string; role: Role; expiresAt?: Date }) {
  const token = randomSecret("stvtok");
  const row = await db.apiToken.create({
    data: { id: newId("tok"), userId: user.id, name: input.name, role: input.role, tokenHash: hashSecret(token), expiresAt: input.expiresAt },
  });
  return { token, id: row.id };
}

/** A real token turned away: who it belongs to, and why. */
export interface TokenRefusal {
  tokenId: string;
  tokenName: string;
  userId: string;
  email: string;
  reason: string;
}

/**
 * The user a `Bearer stvtok_…` header stands for, with the lesser of the token's role and the owner's
 * current one (demoting a user demotes their tokens). A refusal for a revoked or expired token or a
 * disabled owner; null for a header that names no token at all.
 */
export async function userFromApiToken(db: Db, authorization: string | undefined, now = new Date()): Promise<{ user: SessionUser } | { refused: TokenRefusal } | null> {
  const match = /^Bearer (stvtok_[A-Za-z0-9_-]{43})$/.exec(authorization ?? "");
  if (!match) return null;
  const token = await db.apiToken.findUnique({ where: { tokenHash: hashSecret(match[1]!) } });
  if (!token) return null;
  const owner = await db.user.findUnique({ where: { id: token.userId } });
  const reason = token.revokedAt ? "the token was revoked" : token.expiresAt && token.expiresAt <= now ? "the token expired" : !owner || isDisabled(owner, now) ? "the token's owner is disabled" : null;
  if (reason || !owner) return { refused: { tokenId: token.id, tokenName: token.name, userId: token.userId, email: owner?.email ?? token.userId, reason: reason ?? "the token's owner is gone" } };
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  const ceiling = asRole(token.role);
  const user: SessionUser = {
    id: owner.id,
    email: owner.email,
    name: owner.name,
    role: lesserRole(ceiling, asRole(owner.role)),
    grants: await loadGrants(db, owner.id),
    token: { id: token.id, name: token.name },
    ceiling,
  };
  return { user };
}
