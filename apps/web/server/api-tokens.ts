import type { Db } from "./db";
import type { Role, SessionUser } from "./auth";
import { asRole, lesserRole, loadGrants } from "./access";
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

/**
 * The user a `Bearer stvtok_…` header stands for, with the lesser of the token's role and the owner's
 * current one (demoting a user demotes their tokens). Null for an unknown, revoked or expired token,
 * or a disabled owner.
 */
export async function userFromApiToken(db: Db, authorization: string | undefined, now = new Date()): Promise<SessionUser | null> {
  const match = /^Bearer (stvtok_[A-Za-z0-9_-]{43})$/.exec(authorization ?? "");
  if (!match) return null;
  const token = await db.apiToken.findUnique({ where: { tokenHash: hashSecret(match[1]!) } });
  if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) return null;
  const owner = await db.user.findUnique({ where: { id: token.userId } });
  if (!owner || owner.banned) return null;
  if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
    await db.apiToken.update({ where: { id: token.id }, data: { lastUsedAt: now } });
  }
  const ceiling = asRole(token.role);
  return {
    id: owner.id,
    email: owner.email,
    name: owner.name,
    role: lesserRole(ceiling, asRole(owner.role)),
    grants: await loadGrants(db, owner.id),
    token: { id: token.id, name: token.name },
    ceiling,
  };
}
