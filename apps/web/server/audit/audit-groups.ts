import type { AuditEntry } from "../../src/generated/prisma/client";

/**
 * The audit page's rows: one per request (its "requested", its outcome, and any later entry of the
 * same request id, such as an unknown outcome settled from the host's state, or a terminal's close),
 * and one per run of the same target's observed engine events (a crash-looping container's
 * die/start/restart…, up to MAX_REPEATS entries a row), instead of one row per entry.
 *
 * Rows are ordered by their newest matching entry and paged with a cursor over entries: a page walks
 * the matching entries newest first (at most GROUP_WALK_BUDGET of them) and places each in a row; the
 * next cursor is where it stopped. A request whose newest matching entry lies above the cursor was
 * shown on an earlier page, so its older entries are skipped there, never shown as a second, partial row.
 */
export interface AuditRowGroup {
  /** The request id, or "observed:<newest seq>" for a run of observed events. */
  key: string;
  kind: "request" | "observed";
  /** The newest matching entry's sequence number: the row's place in the order. */
  head: number;
  /** Oldest first. A request's are every entry of it the caller may see, matching or not. */
  entries: AuditEntry[];
}

/** A run of one target's observed events is cut into rows of at most this many. */
export const MAX_REPEATS = 50;
/** Matching entries one page reads at most (a flood of one container's events costs a page this much). */
export const GROUP_WALK_BUDGET = 1_000;

export interface GroupSource {
  /** Matching entries with a sequence number below `below` (all when undefined), newest first, at most `take`. */
  matching(below: number | undefined, take: number): Promise<AuditEntry[]>;
  /** Every entry of these requests within the caller's scope, oldest first. */
  requests(requestIds: string[]): Promise<AuditEntry[]>;
  /** Whether an entry passes the filters and the search (as `matching` decides it). */
  matches(entry: AuditEntry): boolean;
}

const targetOf = (e: AuditEntry) => `${e.hostId ?? ""}\n${e.targetId ?? e.targetName ?? ""}`;

export async function groupPage(source: GroupSource, cursor: number | undefined, limit: number, budget = GROUP_WALK_BUDGET): Promise<{ rows: AuditRowGroup[]; nextCursor: number | null }> {
  const rows: AuditRowGroup[] = [];
  /** Requests placed or skipped on this page. */
  const handled = new Set<string>();
  /** Open runs of observed events, by target: a request on the target closes its run. */
  const runs = new Map<string, AuditRowGroup>();
  const done = (nextCursor: number | null) => {
    for (const r of rows) r.entries.sort((a, b) => a.seq - b.seq);
    return { rows, nextCursor };
  };
  let below = cursor;
  let walked = 0;
  for (;;) {
    const take = Math.min(budget - walked, Math.max(2 * limit, 100));
    const batch = await source.matching(below, take);
    const ids = [...new Set(batch.filter((e) => e.phase !== "observed" && !handled.has(e.requestId)).map((e) => e.requestId))];
    const byRequest = new Map<string, AuditEntry[]>();
    for (const e of ids.length ? await source.requests(ids) : []) {
      const list = byRequest.get(e.requestId);
      if (list) list.push(e);
      else byRequest.set(e.requestId, [e]);
    }
    for (const e of batch) {
      walked++;
      if (e.phase === "observed") {
        const run = runs.get(targetOf(e));
        if (run && run.entries.length < MAX_REPEATS) {
          run.entries.push(e);
          continue;
        }
        if (rows.length === limit) return done(e.seq + 1);
        const row: AuditRowGroup = { key: `observed:${e.seq}`, kind: "observed", head: e.seq, entries: [e] };
        rows.push(row);
        runs.set(targetOf(e), row);
        continue;
      }
      if (handled.has(e.requestId)) continue;
      handled.add(e.requestId);
      const entries = byRequest.get(e.requestId) ?? [e];
      const head = entries.reduce((h, x) => (x.seq > h && source.matches(x) ? x.seq : h), e.seq);
      if (cursor !== undefined && head >= cursor) continue;
      if (rows.length === limit) return done(e.seq + 1);
      rows.push({ key: e.requestId, kind: "request", head, entries: entries.some((x) => x.seq === e.seq) ? entries : [...entries, e] });
      runs.delete(targetOf(e));
    }
    if (batch.length < take) return done(null);
    below = batch[batch.length - 1]!.seq;
    if (walked >= budget) return done(below);
  }
}

/** How a row ended: its latest outcome entry (a settled "unknown" ends as what settled it), else still requested. */
export function finalEntry(entries: readonly AuditEntry[]): AuditEntry {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.phase !== "requested") return entries[i]!;
  return entries[entries.length - 1]!;
}
