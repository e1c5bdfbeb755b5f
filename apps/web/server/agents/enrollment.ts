import type { EnrollRequest, EnrollResponse } from "@stevedore/protocol";
import type { Prisma } from "../../src/generated/prisma/client";
import type { Db } from "../db";
import { hashSecret, newId, randomSecret } from "./secrets";

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
    await tx.host.create({ data: { id: hostId, name: req.hostname, hostname: req.hostname, credentialHash: hashSecret(secret), credentialIssuedAt: now, createdById: row.createdById } });
    const claimed = await tx.joinToken.updateMany({ where: { id: row.id, usedAt: null }, data: { usedAt: now, hostId } });
    if (claimed.count !== 1) throw new EnrollmentError(410, "this join token was already used: create a new one with \"Add host\"", row.createdById);
    return { hostId, credential: `${hostId}.${secret}`, name: req.hostname, tokenCreatedById: row.createdById };
  });
}

export const CREDENTIAL_FIELDS = {
  id: true,
  name: true,
  credentialHash: true,
  credentialIssuedAt: true,
  pendingCredentialHash: true,
  previousCredentialHash: true,
  previousCredentialUntil: true,
  revokedAt: true,
  lastEventNanos: true,
} as const;
export type CredentialRow = Prisma.HostGetPayload<{ select: typeof CREDENTIAL_FIELDS }>;
