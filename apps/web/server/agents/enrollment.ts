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
  id: string;
  token: string;
  expiresAt: Date;
  maxUses: number;
}

/** One host by default ("Add host"); `maxUses` above 1 for a fleet or a DaemonSet, until used up, expired or revoked. */
export async function createJoinToken(db: Db, createdById: string, ttlMs: number, opts: { maxUses?: number; label?: string | null; now?: Date } = {}): Promise<JoinToken> {
  const token = randomSecret("stvjoin");
  const now = opts.now ?? new Date();
  const expiresAt = new Date(now.getTime() + ttlMs);
  const maxUses = opts.maxUses ?? 1;
  const id = newId("jt");
  await db.joinToken.create({ data: { id, tokenHash: hashSecret(token), createdById, expiresAt, maxUses, label: opts.label ?? null } });
  return { id, token, expiresAt, maxUses };
}

const NEW_TOKEN = 'create a new one with "Add host"';

function usedUp(row: { maxUses: number; createdById: string }): EnrollmentError {
  return new EnrollmentError(410, row.maxUses === 1 ? `this join token was already used: ${NEW_TOKEN}` : `this join token has enrolled all ${row.maxUses} hosts it allows: ${NEW_TOKEN}`, row.createdById);
}

/**
 * Trades a join token for a new host and its credential. A use is claimed with a conditional
 * increment inside the transaction, so agents racing with one token never get more hosts than it allows.
 */
export async function enrollHost(db: Db, req: EnrollRequest, now = new Date()): Promise<EnrollResponse & { name: string; tokenCreatedById: string; tokenId: string; use: number; maxUses: number }> {
  const row = await db.joinToken.findUnique({ where: { tokenHash: hashSecret(req.token) } });
  if (!row) throw new EnrollmentError(401, `unknown join token: ${NEW_TOKEN}`);
  if (row.revokedAt) throw new EnrollmentError(410, `this join token was revoked at ${row.revokedAt.toISOString()}: ${NEW_TOKEN}`, row.createdById);
  if (row.uses >= row.maxUses) throw usedUp(row);
  if (row.expiresAt <= now) throw new EnrollmentError(410, `this join token expired at ${row.expiresAt.toISOString()}: ${NEW_TOKEN}`, row.createdById);

  const hostId = newId("host");
  const secret = randomSecret("stvhost");
  return db.$transaction(async (tx) => {
    await tx.host.create({ data: { id: hostId, name: req.hostname, hostname: req.hostname, credentialHash: hashSecret(secret), credentialIssuedAt: now, createdById: row.createdById } });
    const claimed = await tx.joinToken.updateMany({ where: { id: row.id, uses: { lt: row.maxUses }, revokedAt: null }, data: { uses: { increment: 1 }, usedAt: now, hostId } });
    if (claimed.count !== 1) throw usedUp(row);
    const { uses } = await tx.joinToken.findUniqueOrThrow({ where: { id: row.id }, select: { uses: true } });
    return { hostId, credential: `${hostId}.${secret}`, name: req.hostname, tokenCreatedById: row.createdById, tokenId: row.id, use: uses, maxUses: row.maxUses };
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
