import crypto from "node:crypto";
import { z } from "zod";
import type { Db } from "../db";
import type { AuditEntry } from "../../src/generated/prisma/client";
import { newId } from "../agents/secrets";
import { redact } from "./redact";

export const GENESIS_HASH = "0".repeat(64);

export type AuditPhase = "requested" | "succeeded" | "failed" | "observed";

/** Who did it: a signed-in user, an API token, or someone on the host itself (outside Stevedore). */
export interface Actor {
  type: "user" | "token" | "host";
  id: string | null;
  name: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface AuditInput {
  requestId: string;
  phase: AuditPhase;
  action: string;
  actor: Actor;
  at?: Date;
  hostId?: string | null;
  hostName?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  targetName?: string | null;
  params?: unknown;
  error?: string | null;
}

/** The fields a row's hash covers, in a fixed order: everything but seq and the hashes themselves. */
const HASHED_FIELDS = [
  "id", "at", "requestId", "phase", "action", "actorType", "actorId", "actorName", "sourceIp", "userAgent",
  "hostId", "hostName", "targetType", "targetId", "targetName", "params", "error",
] as const;
type HashedRow = Pick<AuditEntry, (typeof HASHED_FIELDS)[number]>;

export function entryHash(prevHash: string, row: HashedRow): string {
  const canonical = JSON.stringify(HASHED_FIELDS.map((f) => (f === "at" ? row.at.toISOString() : row[f])));
  return crypto.createHash("sha256").update(prevHash).update("\n").update(canonical).digest("hex");
}

export const AuditQuery = z.object({
  actorId: z.string().max(64).optional(),
  hostId: z.string().max(64).optional(),
  targetId: z.string().max(128).optional(),
  requestId: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  phase: z.enum(["requested", "succeeded", "failed", "observed"]).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  q: z.string().trim().max(200).optional(),
  /** Entries older than this sequence number (the previous page's `nextCursor`). */
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type AuditQuery = z.input<typeof AuditQuery>;

export type VerifyResult = { ok: true; checked: number; head: string } | { ok: false; checked: number; brokenAt: number; reason: string };

/**
 * The audit trail. Appends are serialised (one at a time, each in a transaction that reads the
 * current head), so every row links to exactly the row before it.
 */
export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly db: Db) {}

  append(input: AuditInput) {
    const next = this.queue.then(() => this.write(input));
    this.queue = next.catch(() => {});
    return next;
  }

  private async write(input: AuditInput) {
    const row: HashedRow = {
      id: newId("aud"),
      at: input.at ?? new Date(),
      requestId: input.requestId,
      phase: input.phase,
      action: input.action,
      actorType: input.actor.type,
      actorId: input.actor.id,
      actorName: input.actor.name,
      sourceIp: input.actor.ip ?? null,
      userAgent: input.actor.userAgent?.slice(0, 512) ?? null,
      hostId: input.hostId ?? null,
      hostName: input.hostName ?? null,
      targetType: input.targetType ?? null,
      targetId: input.targetId ?? null,
      targetName: input.targetName ?? null,
      params: input.params === undefined ? null : JSON.stringify(redact(input.params)),
      error: input.error?.slice(0, 4096) ?? null,
    };
    return this.db.$transaction(async (tx) => {
      const head = await tx.auditEntry.findFirst({ orderBy: { seq: "desc" }, select: { hash: true } });
      const prevHash = head?.hash ?? GENESIS_HASH;
      return tx.auditEntry.create({ data: { ...row, prevHash, hash: entryHash(prevHash, row) } });
    });
  }

  /** Walks the whole chain in order and reports the first row that does not fit. */
  async verify(batch = 10_000): Promise<VerifyResult> {
    let prevHash = GENESIS_HASH;
    let checked = 0;
    let after = 0;
    for (;;) {
      const rows = await this.db.auditEntry.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: batch });
      for (const r of rows) {
        if (r.prevHash !== prevHash) return { ok: false, checked, brokenAt: r.seq, reason: "does not link to the entry before it (an entry was removed, inserted or reordered)" };
        if (entryHash(prevHash, r) !== r.hash) return { ok: false, checked, brokenAt: r.seq, reason: "its content does not match its hash (the entry was edited)" };
        prevHash = r.hash;
        checked++;
      }
      if (rows.length < batch) return { ok: true, checked, head: prevHash };
      after = rows[rows.length - 1]!.seq;
    }
  }

  async list(raw: AuditQuery) {
    const q = AuditQuery.parse(raw);
    const rows = await this.db.auditEntry.findMany({
      where: {
        actorId: q.actorId,
        hostId: q.hostId,
        targetId: q.targetId,
        requestId: q.requestId,
        action: q.action,
        phase: q.phase,
        at: q.from || q.to ? { gte: q.from, lte: q.to } : undefined,
        seq: q.cursor ? { lt: q.cursor } : undefined,
        OR: q.q
          ? [{ actorName: { contains: q.q } }, { targetName: { contains: q.q } }, { targetId: { startsWith: q.q } }, { hostName: { contains: q.q } }, { action: { contains: q.q } }, { error: { contains: q.q } }]
          : undefined,
      },
      orderBy: { seq: "desc" },
      take: q.limit + 1,
    });
    const page = rows.slice(0, q.limit);
    return { items: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!.seq : null };
  }
}
