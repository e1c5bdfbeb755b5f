import type { EnrollRequest, EnrollResponse } from "@stevedore/protocol";
import type { Prisma } from "../../src/generated/prisma/client";
import type { Db } from "../db";
import { hashSecret, newId, randomSecret, sameHash } from "./secrets";

export class EnrollmentError extends Error {
  constructor(
    readonly status: 401 | 403 | 410,
    message: string,
    /** Who made the join token, when the token was a real one (used or expired): the refusal is audited then. */
    readonly tokenCreatedById: string | null = null,
  ) {
    super(message);
  }
}

export interface JoinToken {
  token: string;
  expiresAt: Date;
}

export async function createJoinToken(db: Db, createdById: string, ttlMs: number, now = new Date()): Promise<JoinToken> {
  const token = randomSecret("stvjoin");
  const expiresAt = new Date(now.getTime() + ttlMs);
  await db.joinToken.create({ data: { id: newId("jt"), tokenHash: hashSecret(token), createdById, expiresAt } });
  return { token, expiresAt };
}

/**
 * Trades a join token for a new host and its credential. The token is claimed with a conditional
 * update inside the transaction, so two agents racing with one token cannot both get a host.
 */
export async function enrollHost(db: Db, req: EnrollRequest, now = new Date()): Promise<EnrollResponse & { name: string; tokenCreatedById: string }> {
  const row = await db.joinToken.findUnique({ where: { tokenHash: hashSecret(req.token) } });
  if (!row) throw new EnrollmentError(401, "unknown join token: create a new one with \"Add host\"");
  if (row.usedAt) throw new EnrollmentError(410, "this join token was already used: create a new one with \"Add host\"", row.createdById);
  if (row.expiresAt <= now) throw new EnrollmentError(410, `this join token expired at ${row.expiresAt.toISOString()}: create a new one with "Add host"`, row.createdById);

  const hostId = newId("host");
  const secret = randomSecret("stvhost");
  return db.$transaction(async (tx) => {
    await tx.host.create({ data: { id: hostId, name: req.hostname, hostname: req.hostname, credentialHash: hashSecret(secret), createdById: row.createdById } });
    const claimed = await tx.joinToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now, hostId } });
    if (claimed.count !== 1) throw new EnrollmentError(410, "this join token was already used: create a new one with \"Add host\"", row.createdById);
    return { hostId, credential: `${hostId}.${secret}`, name: req.hostname, tokenCreatedById: row.createdById };
  });
}

export type CredentialCheck = { ok: true; hostId: string; name: string; lastEventNanos: string | null } | { ok: false; status: 401 | 403; reason: string };

export const CREDENTIAL_FIELDS = { id: true, name: true, credentialHash: true, revokedAt: true, lastEventNanos: true } as const;
export type CredentialRow = Prisma.HostGetPayload<{ select: typeof CREDENTIAL_FIELDS }>;

/** Checks an agent's `Bearer <hostId>.<secret>` credential against the stored hash. */
export async function verifyCredential(read: (hostId: string) => Promise<CredentialRow | null>, authorization: string | undefined): Promise<CredentialCheck> {
  const match = /^Bearer ([A-Za-z0-9_-]{1,64})\.(stvhost_[A-Za-z0-9_-]{43})$/.exec(authorization ?? "");
  if (!match) return { ok: false, status: 401, reason: "missing or malformed credential" };
  const [, hostId, secret] = match as unknown as [string, string, string];
  const host = await read(hostId);
  if (!host || !sameHash(host.credentialHash, hashSecret(secret))) return { ok: false, status: 401, reason: "unknown credential" };
  if (host.revokedAt) return { ok: false, status: 403, reason: "host revoked" };
  return { ok: true, hostId: host.id, name: host.name, lastEventNanos: host.lastEventNanos };
}
