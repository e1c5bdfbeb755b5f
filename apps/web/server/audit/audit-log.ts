import { z } from "zod";
import { type Db, dbProvider, lockAuditChain } from "../db";
import type { AuditEntry, Prisma } from "../../src/generated/prisma/client";
import { newId } from "../agents/secrets";
import { type ChainBreak, type CheckpointClaim, ChainVerifier, GENESIS_HASH, type HashedRow, keyedEntryHash } from "./audit-chain";
import { parseCheckpointLine } from "./audit-checkpoint";
import type { AuditKeys } from "./audit-key";
import type { CheckpointSource } from "./audit-witness";
import { type AuditFilters, SEARCH_TUNING, type SearchTuning, type Window, insertTerms, searchSeqs, timeWindow } from "./audit-search";
import { type AuditRowGroup, groupPage } from "./audit-groups";
import { type TermRange, searchRanges, termMatches, termsOf } from "./audit-terms";
import type { AuditAction } from "./audit-actions";
import { redact } from "./redact";

/**
 * `refused`: turned away before anything ran (a role, scope or policy check); `unknown`: the outcome
 * could not be learnt (the agent went away mid-request), settled by a later entry for the same request.
 */
export const AUDIT_PHASES = ["requested", "succeeded", "failed", "refused", "unknown", "observed"] as const;
export type AuditPhase = (typeof AUDIT_PHASES)[number];

/** Who did it: a signed-in user, an API token, or someone on the host itself (outside Stevedore). */
export interface Actor {
  /** system: Stevedore on its own (an automatic update under a policy). */
  type: "user" | "token" | "host" | "system";
  id: string | null;
  name: string;
  ip?: string | null;
  userAgent?: string | null;
}

export interface AuditInput {
  requestId: string;
  phase: AuditPhase;
  /** One of the catalogue's (audit-actions.ts): what is not listed there does not compile. */
  action: AuditAction;
  actor: Actor;
  at?: Date;
  hostId?: string | null;
  hostName?: string | null;
  targetType?: string | null;
  targetId?: string | null;
  targetName?: string | null;
  params?: unknown;
  error?: string | null;
  /**
   * An engine event's identity on its host (`<timeNano>/<container id>/<action>`): an entry with one is
   * written once per host and key, whatever replays it (kept in observed_event, in the same transaction).
   */
  onceKey?: string;
}

export const AuditQuery = z.object({
  actorId: z.string().max(64).optional(),
  hostId: z.string().max(64).optional(),
  targetId: z.string().max(128).optional(),
  requestId: z.string().max(64).optional(),
  action: z.string().max(64).optional(),
  phase: z.enum(AUDIT_PHASES).optional(),
  from: z.date().optional(),
  to: z.date().optional(),
  /** Words that each start a word of the actor, host, target, container id, action, image or error. */
  q: z.string().trim().max(200).optional(),
  /** Entries older than this sequence number (the previous page's `nextCursor`). */
  cursor: z.number().int().positive().optional(),
  limit: z.number().int().min(1).max(500).default(50),
});
export type AuditQuery = z.input<typeof AuditQuery>;

/** What verify made of the witnesses' checkpoints. */
export interface CheckpointReport {
  /** Checkpoints signed with the audit key, each held against the chain. */
  checked: number;
  newest: { seq: number; at: string } | null;
  /** Lines that are not checkpoints signed with the audit key: someone else wrote to a witness (the first 20). */
  rejected: { where: string; reason: string }[];
  rejectedCount: number;
}

/**
 * `ok`: the chain is intact and reaches every checkpoint; `keyedFrom` is its first keyed entry (null:
 * none yet). Otherwise `brokenAt` is the first position that does not fit, with why. Rejected
 * checkpoint lines are reported either way: they say a witness was written to, not that the chain changed.
 */
export type VerifyResult =
  | { ok: true; checked: number; head: string; keyedFrom: number | null; checkpoints: CheckpointReport }
  | { ok: false; checked: number; brokenAt: number; reason: string; checkpoints: CheckpointReport };

/** The chain's newest entry, for a checkpoint. */
export interface ChainHead {
  seq: number;
  hash: string;
  /** Entries up to and including it. */
  count: number;
  /** The first keyed entry, or the next one while there is none. */
  keyedFrom: number;
}

const MAX_REJECTED_REPORTED = 20;

/** Fields the search looked in before the index existed; used for entries not indexed yet. */
const SUBSTRING_FIELDS = ["actorName", "hostName", "targetName", "targetId", "action", "error", "params"] as const;

const SEARCHABLE = { seq: true, action: true, actorName: true, hostName: true, targetName: true, targetId: true, params: true, error: true } as const;

/**
 * The audit trail. Appends are serialised (one at a time, each in a transaction that reads the
 * current head), so every row links to exactly the row before it, with an HMAC under the audit key
 * (audit-chain.ts). The same transaction adds the entry's search terms to the index (audit_term).
 */
export class AuditLog {
  private queue: Promise<unknown> = Promise.resolve();
  private waiting = 0;
  /**
   * Entries from this sequence number up are in the search index; 0 when all are; undefined until
   * read. Only entries written before the index existed are below it, until indexOlderEntries runs.
   */
  private indexedFrom: number | undefined;

  /** The first keyed entry, once seen: it never changes (unless the trail is wiped). */
  private firstKeyed: number | undefined;
  private readonly tuning: SearchTuning;
  private readonly checkpoints: readonly CheckpointSource[];

  /**
   * `checkpoints`: the witnesses verify reads checkpoints from. `tuning` is for tests, to reach each
   * search strategy with a few entries.
   */
  constructor(
    private readonly db: Db,
    private readonly keys: AuditKeys,
    opts: { checkpoints?: readonly CheckpointSource[]; tuning?: SearchTuning } = {},
  ) {
    this.tuning = opts.tuning ?? SEARCH_TUNING;
    this.checkpoints = opts.checkpoints ?? [];
  }

  append(input: AuditInput) {
    return this.enqueue(() => this.write([input])).then((entries) => entries[0]!);
  }

  /** Resolves once every append queued so far is written (before the database is closed). */
  async drained(): Promise<void> {
    let queue: Promise<unknown>;
    do {
      queue = this.queue;
      await queue;
    } while (queue !== this.queue);
  }

  /** Appends (and index batches) queued and not yet written: a database that cannot keep up shows here first. */
  get pending(): number {
    return this.waiting;
  }

  /** Runs a job after every append (and index batch) before it, alone. */
  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    this.waiting++;
    const next = this.queue.then(job).finally(() => this.waiting--);
    this.queue = next.catch(() => {});
    return next;
  }

  /**
   * Several entries in one transaction, in order (one commit instead of one each): observed engine
   * events are written so, a batch at a time, between users' appends.
   */
  appendMany(inputs: AuditInput[]) {
    return this.enqueue(() => this.write(inputs));
  }

  private async write(inputs: AuditInput[]) {
    return this.db.$transaction(async (tx) => {
      await lockAuditChain(tx, dbProvider(this.db));
      // Under the chain's lock no other append runs, so what is not recorded yet cannot be meanwhile;
      // the table's primary key makes a slip an error rather than a duplicate.
      const fresh = await unrecorded(tx, inputs);
      const rows = fresh.map(toRow);
      const head = await tx.auditEntry.findFirst({ orderBy: { seq: "desc" }, select: { hash: true } });
      // The first keyed entry links to the last unkeyed one, so older entries stay verifiable.
      let prevHash = head?.hash ?? GENESIS_HASH;
      const entries: AuditEntry[] = [];
      for (const row of rows) {
        const entry = await tx.auditEntry.create({ data: { ...row, prevHash, hash: keyedEntryHash(this.keys, prevHash, row), keyed: true } });
        prevHash = entry.hash;
        entries.push(entry);
      }
      await insertTerms(tx, entries.flatMap((entry) => termsOf(entry).map((term) => ({ term, seq: entry.seq }))));
      const once = fresh.flatMap((input, i) => (input.onceKey ? [{ hostId: input.hostId ?? "", key: input.onceKey, seq: entries[i]!.seq }] : []));
      if (once.length) await tx.observedEvent.createMany({ data: once });
      return entries;
    });
  }

  /**
   * Adds the entries written before the search index existed to it, newest first (recent history is
   * searchable soonest), in batches that go through the append queue, so an append waits for one
   * batch at most. A batch holds the event loop (about 10 ms for 200 entries); after each, it waits at
   * least as long, so requests are served in between. Resumable: the index itself shows how far it
   * got. Until it is done, searches also look at the entries not indexed yet the old way.
   * Returns how many entries it indexed.
   */
  async indexOlderEntries(opts: { batch?: number; signal?: AbortSignal } = {}): Promise<number> {
    const { batch = 200, signal } = opts;
    let indexed = 0;
    while (!signal?.aborted) {
      const started = performance.now();
      const n = await this.enqueue(() => this.indexBatch(batch));
      if (n === 0) break;
      indexed += n;
      await new Promise((resolve) => setTimeout(resolve, performance.now() - started));
    }
    return indexed;
  }

  private async indexBatch(batch: number): Promise<number> {
    this.indexedFrom ??= await this.findIndexedFrom();
    if (this.indexedFrom === 0) return 0;
    const rows = await this.db.auditEntry.findMany({ where: { seq: { lt: this.indexedFrom } }, orderBy: { seq: "desc" }, take: batch, select: SEARCHABLE });
    if (rows.length > 0) await this.db.$transaction((tx) => insertTerms(tx, rows.flatMap((r) => termsOf(r).map((term) => ({ term, seq: r.seq })))));
    this.indexedFrom = rows.length < batch ? 0 : rows[rows.length - 1]!.seq;
    return rows.length;
  }

  /**
   * Every entry above the lowest indexed one is indexed (appends index themselves; the backfill goes
   * down without gaps), so the index's lowest sequence number is where the unindexed entries end.
   */
  private async findIndexedFrom(): Promise<number> {
    const lowest = await this.db.auditTerm.findFirst({ orderBy: { seq: "asc" }, select: { seq: true } });
    const newest = lowest ? null : await this.db.auditEntry.findFirst({ orderBy: { seq: "desc" }, select: { seq: true } });
    const from = lowest?.seq ?? (newest?.seq ?? 0) + 1;
    const older = await this.db.auditEntry.findFirst({ where: { seq: { lt: from } }, select: { seq: true } });
    return older ? from : 0;
  }

  /** The newest committed entry (null: the trail is empty), read beside the append queue. */
  async head(): Promise<ChainHead | null> {
    const head = await this.db.auditEntry.findFirst({ orderBy: { seq: "desc" }, select: { seq: true, hash: true, keyed: true } });
    if (!head) return null;
    // Counted afresh (an index scan, tens of milliseconds at a million entries, once an interval).
    const count = await this.db.auditEntry.count({ where: { seq: { lte: head.seq } } });
    if (head.keyed) {
      // Remembered once found (finding it may walk every older unkeyed entry), while it is still there.
      const still = this.firstKeyed !== undefined && (await this.db.auditEntry.findUnique({ where: { seq: this.firstKeyed }, select: { keyed: true } }))?.keyed;
      if (!still) this.firstKeyed = (await this.db.auditEntry.findFirst({ where: { keyed: true }, orderBy: { seq: "asc" }, select: { seq: true } }))?.seq;
    }
    return { seq: head.seq, hash: head.hash, count, keyedFrom: head.keyed ? (this.firstKeyed ?? head.seq) : head.seq + 1 };
  }

  /**
   * Whether the newest entry's link is this key's: false when another AUDIT_KEY wrote it (replicas
   * that do not share one), or it was edited; null when it is not keyed. One row, for a check at start.
   */
  async headMatchesKey(): Promise<boolean | null> {
    const head = await this.db.auditEntry.findFirst({ orderBy: { seq: "desc" } });
    if (!head?.keyed) return null;
    return keyedEntryHash(this.keys, head.prevHash, head) === head.hash;
  }

  /**
   * Walks the whole chain in order and reports the first position that does not fit: each link
   * (keyed or, before the key existed, plain SHA-256), and each checkpoint the witnesses hold (and
   * `extra`, e.g. lines a webhook receiver kept) with a valid signature. Lines without one are reported.
   */
  async verify(opts: { batch?: number; extra?: readonly CheckpointSource[] } = {}): Promise<VerifyResult> {
    const { batch = 10_000, extra = [] } = opts;
    const { claims, report } = await this.readCheckpoints([...this.checkpoints, ...extra]);
    const verifier = new ChainVerifier(this.keys, claims);
    const broken = (b: ChainBreak): VerifyResult => ({ ok: false, checked: verifier.result.checked, brokenAt: b.seq, reason: b.reason, checkpoints: report });
    let after = 0;
    for (;;) {
      const rows = await this.db.auditEntry.findMany({ where: { seq: { gt: after } }, orderBy: { seq: "asc" }, take: batch });
      for (const r of rows) {
        const b = verifier.add(r);
        if (b) return broken(b);
      }
      if (rows.length < batch) break;
      after = rows[rows.length - 1]!.seq;
    }
    const b = verifier.end();
    if (b) return broken(b);
    const { checked, head, keyedFrom } = verifier.result;
    return { ok: true, checked, head, keyedFrom, checkpoints: report };
  }

  private async readCheckpoints(sources: readonly CheckpointSource[]): Promise<{ claims: CheckpointClaim[]; report: CheckpointReport }> {
    const claims: CheckpointClaim[] = [];
    const report: CheckpointReport = { checked: 0, newest: null, rejected: [], rejectedCount: 0 };
    const reject = (where: string, reason: string) => {
      if (report.rejected.length < MAX_REJECTED_REPORTED) report.rejected.push({ where, reason });
      report.rejectedCount++;
    };
    for (const source of sources) {
      try {
        for await (const { line, text } of source.lines()) {
          const where = `${source.name} line ${line}`;
          const parsed = parseCheckpointLine(this.keys, text);
          if (!parsed.ok) {
            reject(where, parsed.reason);
            continue;
          }
          const { sig: _sig, ...checkpoint } = parsed.checkpoint;
          claims.push({ ...checkpoint, where });
          report.checked++;
          if (!report.newest || checkpoint.seq > report.newest.seq) report.newest = { seq: checkpoint.seq, at: checkpoint.at };
        }
      } catch (err) {
        reject(source.name, `could not be read (${(err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err))}): its checkpoints were not checked`);
      }
    }
    return { claims, report };
  }

  /** A page of entries, within `scope` (see AuditFilters) when the caller is not an admin. */
  async list(raw: AuditQuery, scope?: AuditFilters["scope"]) {
    const q = AuditQuery.parse(raw);
    const filters: AuditFilters = { actorId: q.actorId, hostId: q.hostId, targetId: q.targetId, requestId: q.requestId, action: q.action, phase: q.phase, from: q.from, to: q.to, scope };
    const words = q.q ? searchRanges(q.q) : [];
    const rows = words.length ? await this.search(words, filters, q.cursor, q.limit + 1) : await this.filter(filters, q.cursor, q.limit + 1);
    const page = rows.slice(0, q.limit);
    return { items: page, nextCursor: rows.length > q.limit ? page[page.length - 1]!.seq : null };
  }

  /**
   * A page of rows, each a request's entries or a run of one target's observed events (audit-groups.ts),
   * newest first; the cursor pages over rows, never splitting one. Same filters and scope as `list`.
   */
  async groups(raw: AuditQuery, scope?: AuditFilters["scope"]): Promise<{ rows: AuditRowGroup[]; nextCursor: number | null }> {
    const q = AuditQuery.parse(raw);
    const filters: AuditFilters = { actorId: q.actorId, hostId: q.hostId, targetId: q.targetId, requestId: q.requestId, action: q.action, phase: q.phase, from: q.from, to: q.to, scope };
    const words = q.q ? searchRanges(q.q) : [];
    return groupPage(
      {
        matching: (below, take) => (words.length ? this.search(words, filters, below, take) : this.filter(filters, below, take)),
        requests: (ids) => this.db.auditEntry.findMany({ where: { requestId: { in: ids }, hostId: hostWhere({ scope }) }, orderBy: { seq: "asc" } }),
        matches: (e) => entryMatches(e, filters, words),
      },
      q.cursor,
      q.limit,
    );
  }

  private async filter(filters: AuditFilters, cursor: number | undefined, take: number): Promise<AuditEntry[]> {
    const w: Window = { below: cursor };
    if (filters.from || filters.to) {
      // The sequence numbers the range's entries lie between: the newest of them are then found by
      // sequence number, instead of sorting every entry of a long range by it.
      const time = await timeWindow(this.db, filters);
      if (!time) return [];
      w.below = Math.min(cursor ?? Infinity, time.below!);
      w.above = time.above;
    }
    return this.db.auditEntry.findMany({ where: filterWhere(filters, w), orderBy: { seq: "desc" }, take });
  }

  private async search(words: TermRange[], filters: AuditFilters, cursor: number | undefined, take: number): Promise<AuditEntry[]> {
    let seqs = await searchSeqs(this.db, words, filters, cursor, take, this.tuning);
    if (seqs.length < take) {
      if (this.indexedFrom === undefined) await this.enqueue(async () => void (this.indexedFrom ??= await this.findIndexedFrom()));
      const below = Math.min(this.indexedFrom!, cursor ?? Infinity);
      if (below > 0) {
        // Not indexed yet (written before the index existed): found as before, by substring, per word.
        const older = await this.db.auditEntry.findMany({
          where: { ...filterWhere(filters, { below }), AND: words.map((w) => ({ OR: SUBSTRING_FIELDS.map((f) => ({ [f]: { contains: w.word } })) })) },
          orderBy: { seq: "desc" },
          take: take - seqs.length,
          select: { seq: true },
        });
        seqs = [...new Set([...seqs, ...older.map((r) => r.seq)])].sort((a, b) => b - a).slice(0, take);
      }
    }
    if (seqs.length === 0) return [];
    return this.db.auditEntry.findMany({ where: { seq: { in: seqs } }, orderBy: { seq: "desc" } });
  }
}

/** The filters and search words held against one entry, as the queries hold them (for a request's other entries). */
function entryMatches(e: AuditEntry, f: AuditFilters, words: TermRange[]): boolean {
  const fields = ["actorId", "hostId", "targetId", "requestId", "action", "phase"] as const;
  if (fields.some((k) => f[k] !== undefined && e[k] !== f[k])) return false;
  if ((f.from && e.at < f.from) || (f.to && e.at > f.to)) return false;
  if (!words.length) return true;
  const terms = termsOf(e);
  return words.every((w) => terms.some((t) => termMatches(t, w)));
}

/** The host condition: the filter's host (when within the scope), or the scope itself. */
function hostWhere(f: AuditFilters): Prisma.AuditEntryWhereInput["hostId"] {
  if (f.hostId !== undefined) return !f.scope || f.scope === "hosts" || f.scope.includes(f.hostId) ? f.hostId : { in: [] };
  return f.scope === "hosts" ? { not: null } : f.scope ? { in: [...f.scope] } : undefined;
}

function filterWhere(f: AuditFilters, w: Window): Prisma.AuditEntryWhereInput {
  return {
    actorId: f.actorId,
    hostId: hostWhere(f),
    targetId: f.targetId,
    requestId: f.requestId,
    action: f.action,
    phase: f.phase,
    at: f.from || f.to ? { gte: f.from, lte: f.to } : undefined,
    seq: w.below !== undefined || w.above !== undefined ? { lt: w.below, gte: w.above } : undefined,
  };
}

function toRow(input: AuditInput): HashedRow {
  return {
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
}

/** The inputs to write: those without a once-key, and those whose key is neither recorded nor repeated in the batch. */
async function unrecorded(tx: Prisma.TransactionClient, inputs: AuditInput[]): Promise<AuditInput[]> {
  const keyed = inputs.filter((i) => i.onceKey);
  if (keyed.length === 0) return inputs;
  const hostIds = [...new Set(keyed.map((i) => i.hostId ?? ""))];
  const recorded = await tx.observedEvent.findMany({ where: { hostId: { in: hostIds }, key: { in: keyed.map((i) => i.onceKey!) } }, select: { hostId: true, key: true } });
  const seen = new Set(recorded.map((r) => `${r.hostId}\n${r.key}`));
  return inputs.filter((i) => {
    if (!i.onceKey) return true;
    const id = `${i.hostId ?? ""}\n${i.onceKey}`;
    if (seen.has(id)) return false;
    seen.add(id);
    return true;
  });
}
