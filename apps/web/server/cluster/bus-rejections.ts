import type { Logger } from "../logger";
import type { DropReason } from "./bus-seal";

/** What the bus refused: messages by reason, and stored values that were not signed for their key. */
export type BusRejectionCounts = Record<DropReason | "bad_value", number>;

/** One warning per reason per this long, however many are dropped: a flood must not become a log flood. */
const LOG_EVERY_MS = 10_000;

/**
 * Counts what the bus drops and says so at warn, at most once per reason every 10 s with how many
 * since the last line. Never the payload or the value: the channel or key name and the claimed sender.
 */
export class BusRejections {
  private readonly counts: BusRejectionCounts = { unsigned: 0, bad_signature: 0, stale: 0, replayed: 0, bad_value: 0 };
  private readonly unlogged = new Map<keyof BusRejectionCounts, number>();
  private readonly loggedAt = new Map<keyof BusRejectionCounts, number>();

  constructor(private readonly log: Logger) {}

  count(reason: keyof BusRejectionCounts, where: { channel?: string; key?: string }): void {
    this.counts[reason]++;
    const pending = (this.unlogged.get(reason) ?? 0) + 1;
    const now = Date.now();
    if (now - (this.loggedAt.get(reason) ?? 0) < LOG_EVERY_MS) {
      this.unlogged.set(reason, pending);
      return;
    }
    this.loggedAt.set(reason, now);
    this.unlogged.set(reason, 0);
    const what = reason === "bad_value" ? "a stored bus value not signed for its key was treated as absent" : "dropped a bus message";
    this.log.warn({ reason, ...where, since: pending }, what);
  }

  snapshot(): BusRejectionCounts {
    return { ...this.counts };
  }
}
