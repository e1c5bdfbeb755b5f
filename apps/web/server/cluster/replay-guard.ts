import { BUS_SKEW_MS } from "./bus-seal";

/** Ids remembered at most; at 1,000 messages a second for a minute's window this is never reached. */
const MAX_REMEMBERED = 100_000;

/**
 * Refuses a message id seen before. An id need only be remembered while its timestamp is inside the
 * window (after that the message is stale anyway), and at most MAX_REMEMBERED of them: when full, the
 * oldest goes and every message dated at or before it is refused too, so memory stays bounded without
 * ever letting a forgotten id back in.
 */
export class ReplayGuard {
  private readonly seen = new Map<string, number>();
  private floor = -Infinity;

  constructor(private readonly max = MAX_REMEMBERED) {}

  /** True the first time an id is offered (and it is not older than what was forgotten). */
  firstSight(id: string, ts: number, now = Date.now()): boolean {
    this.forgetExpired(now);
    if (ts <= this.floor || this.seen.has(id)) return false;
    if (this.seen.size >= this.max) {
      const [oldId, oldTs] = this.seen.entries().next().value as [string, number];
      this.seen.delete(oldId);
      this.floor = Math.max(this.floor, oldTs);
      if (ts <= this.floor) return false;
    }
    this.seen.set(id, ts);
    return true;
  }

  get size(): number {
    return this.seen.size;
  }

  /** Entries are in arrival order, close to timestamp order: drop from the front while they are out of the window. */
  private forgetExpired(now: number): void {
    for (const [id, ts] of this.seen) {
      if (ts + BUS_SKEW_MS >= now) return;
      this.seen.delete(id);
    }
  }
}
