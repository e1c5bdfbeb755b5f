import { z } from "zod";
import type { Db } from "./db";
import type { SessionUser } from "./auth";
import { loadGrants } from "./access/grants";
import { asRole, highestRole, isDisabled, lesserRole, roleAtLeast } from "./access/roles";
import { hashSecret, newId, randomSecret } from "./agents/secrets";
import type { Actor, AuditLog } from "./audit/audit-log";
import { recordAction } from "./audit/audited";
import { DomainError } from "./domain-error";

/** Last-used times are written at most this often per token, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

/** A token carries a role of its own, at most its maker's ("none" would be a token for nothing). */
const TOKEN_ROLES = ["viewer", "operator", "admin"] as const;

export const CreateTokenInput = z.object({
  name: z.string().trim().min(1, "give the token a name").max(100),
  role: z.enum(TOKEN_ROLES),
  expiresInDays: z.number().int().min(1).max(3650).optional(),
});

interface TokenDeps {
  db: Db;
  audit: AuditLog;
}

/** The user's own tokens; the secret itself is never shown again. */
export function listOwnTokens(db: Db, userId: string) {
  return db.apiToken.findMany({
    where: { userId },
    select: { id: true, name: true, role: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true },
    orderBy: { createdAt: "desc" },
  });
}

/** A new token for `user`, its secret returned once and stored only as a hash. Audited as `token.create`. */
export async function createApiToken(deps: TokenDeps, user: SessionUser, actor: Actor, input: z.infer<typeof CreateTokenInput>) {
  // A grant counts: operator on "staging" may make an operator token, which is operator only there.
  const mine = highestRole(user);
  if (!roleAtLeast(mine, input.role)) throw new DomainError("forbidden", `a token can have at most your own role (${mine})`);
  const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : null;
  const token = randomSecret("stvtok");
  const { id } = await deps.db.apiToken.create({ data: { id: newId("tok"), userId: user.id, name: input.name, role: input.role, tokenHash: hashSecret(token), expiresAt } });
  await recordAction(deps.audit, { action: "token.create", actor, targetType: "token", targetId: id, targetName: input.name, params: { role: input.role, expiresAt } });
  return { id, token, expiresAt };
}

/** Its owner, or any admin (a leaked token cannot wait for its owner), revokes a token. Audited as `token.revoke`. */
export async function revokeApiToken(deps: TokenDeps, by: { userId: string; isAdmin: boolean }, actor: Actor, tokenId: string) {
  const token = await deps.db.apiToken.findUnique({ where: { id: tokenId } });
  if (!token || (token.userId !== by.userId && !by.isAdmin)) throw new DomainError("not_found", "no such token");
  if (!token.revokedAt) await deps.db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
  await recordAction(deps.audit, { action: "token.revoke", actor, targetType: "token", targetId: token.id, targetName: token.name });
  return { revoked: true };
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
  // The caller is told which of these it is (it holds the token, so this tells it nothing new) instead of "sign in first".
  const reason = token.revokedAt
    ? "this API token was revoked"
    : token.expiresAt && token.expiresAt <= now
      ? "this API token expired"
      : !owner || isDisabled(owner, now)
        ? "this API token's owner is disabled"
        : null;
  if (reason || !owner) return { refused: { tokenId: token.id, tokenName: token.name, userId: token.userId, email: owner?.email ?? token.userId, reason: reason ?? "this API token's owner is gone" } };
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
    twoFactorEnabled: owner.twoFactorEnabled === true,
  };
  return { user };
}
