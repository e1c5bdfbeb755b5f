import crypto from "node:crypto";
import type { AuditEntry } from "../../src/generated/prisma/client";
import type { Checkpoint } from "./audit-checkpoint";
import type { AuditKeys } from "./audit-key";

export const GENESIS_HASH = "0".repeat(64);

/** The fields a row's hash covers, in a fixed order: everything but seq and the hashes themselves. */
const HASHED_FIELDS = [
  "id", "at", "requestId", "phase", "action", "actorType", "actorId", "actorName", "sourceIp", "userAgent",
  "hostId", "hostName", "targetType", "targetId", "targetName", "params", "error",
] as const;
export type HashedRow = Pick<AuditEntry, (typeof HASHED_FIELDS)[number]>;
export type ChainRow = HashedRow & Pick<AuditEntry, "seq" | "prevHash" | "hash" | "keyed">;

function canonical(row: HashedRow): string {
  return JSON.stringify(HASHED_FIELDS.map((f) => (f === "at" ? row.at.toISOString() : row[f])));
}

/** The unkeyed link of entries written before the audit key existed: anyone can compute it. */
export function entryHash(prevHash: string, row: HashedRow): string {
  return crypto.createHash("sha256").update(prevHash).update("\n").update(canonical(row)).digest("hex");
}

/** The keyed link: the same input under HMAC-SHA256 (as fast), which only the key's holder can compute. */
export function keyedEntryHash(keys: AuditKeys, prevHash: string, row: HashedRow): string {
  return crypto.createHmac("sha256", keys.link).update(prevHash).update("\n").update(canonical(row)).digest("hex");
}

/** A checkpoint to hold the chain to, with where it was read (for the report). */
export type CheckpointClaim = Checkpoint & { where: string };

export interface ChainBreak {
  seq: number;
  reason: string;
}

/**
 * Walks the chain one row at a time, in sequence order, and names the first row that does not fit:
 * a broken link (removed, inserted or reordered), content that does not match its hash (edited), an
 * unkeyed entry where only keyed ones may be (written without the key), or a row that is not what a
 * checkpoint says (replaced, removed, or the chain cut short before it). Pure: no database, no files.
 */
export class ChainVerifier {
  private prevHash = GENESIS_HASH;
  private checked = 0;
  private lastSeq = 0;
  private firstKeyed: number | null = null;
  private readonly claims: CheckpointClaim[];
  private next = 0;
  /** The lowest `keyedFrom` any checkpoint states, and which one states it. */
  private readonly keyedClaim: CheckpointClaim | undefined;

  constructor(
    private readonly keys: AuditKeys,
    claims: readonly CheckpointClaim[],
  ) {
    const seen = new Set<string>();
    this.claims = [...claims]
      .sort((a, b) => a.seq - b.seq)
      .filter((c) => {
        // Replicas (or a retried delivery) may witness the same point more than once.
        const key = `${c.seq} ${c.head} ${c.count} ${c.keyedFrom}`;
        return !seen.has(key) && seen.add(key);
      });
    this.keyedClaim = this.claims.reduce<CheckpointClaim | undefined>((low, c) => (!low || c.keyedFrom < low.keyedFrom ? c : low), undefined);
  }

  get result() {
    return { checked: this.checked, head: this.prevHash, lastSeq: this.lastSeq, keyedFrom: this.firstKeyed };
  }

  /** The next row in sequence order: the first problem found at or before it, or null. */
  add(r: ChainRow): ChainBreak | null {
    const skipped = this.claims[this.next];
    if (skipped && skipped.seq < r.seq) {
      return { seq: skipped.seq, reason: `missing: ${describe(skipped)} says entry #${skipped.seq} had hash ${short(skipped.head)}, and there is no entry #${skipped.seq} (it was removed)` };
    }
    if (!r.keyed) {
      if (this.firstKeyed !== null) return { seq: r.seq, reason: `not keyed, after keyed entries (from #${this.firstKeyed}): written without the audit key` };
      if (this.keyedClaim && r.seq >= this.keyedClaim.keyedFrom) {
        return { seq: r.seq, reason: `not keyed, but ${describe(this.keyedClaim)} says every entry from #${this.keyedClaim.keyedFrom} on is: rewritten without the audit key` };
      }
    } else this.firstKeyed ??= r.seq;
    if (r.prevHash !== this.prevHash) return { seq: r.seq, reason: "does not link to the entry before it (an entry was removed, inserted or reordered)" };
    const hash = r.keyed ? keyedEntryHash(this.keys, this.prevHash, r) : entryHash(this.prevHash, r);
    if (hash !== r.hash) {
      return { seq: r.seq, reason: r.keyed ? "its content does not match its keyed hash (the entry was edited, or written without the audit key)" : "its content does not match its hash (the entry was edited)" };
    }
    this.prevHash = r.hash;
    this.checked++;
    this.lastSeq = r.seq;
    for (let c = this.claims[this.next]; c && c.seq === r.seq; c = this.claims[++this.next]) {
      if (c.head !== r.hash) return { seq: r.seq, reason: `not the entry ${describe(c)} names (hash ${short(c.head)}): it was replaced` };
      if (c.count !== this.checked) {
        return { seq: r.seq, reason: `${describe(c)} counted ${c.count} entries up to here, the chain has ${this.checked}: entries before it were ${c.count > this.checked ? "removed" : "inserted"}` };
      }
    }
    return null;
  }

  /** After the last row: a checkpoint beyond it means the newest entries were removed. */
  end(): ChainBreak | null {
    const beyond = this.claims[this.next];
    if (!beyond) return null;
    const newest = this.claims[this.claims.length - 1]!;
    const ends = this.lastSeq === 0 ? "the chain is empty" : `the chain ends at #${this.lastSeq} (${this.checked} entries)`;
    return { seq: beyond.seq, reason: `truncated: ${ends}, but ${describe(beyond)} says it reached #${beyond.seq}${newest !== beyond ? ` and the newest, of ${newest.at}, #${newest.seq}` : ""} (${newest.count} entries)` };
  }
}

function describe(c: CheckpointClaim): string {
  return `the checkpoint of ${c.at} (${c.where})`;
}

function short(hash: string): string {
  return `${hash.slice(0, 12)}…`;
}
