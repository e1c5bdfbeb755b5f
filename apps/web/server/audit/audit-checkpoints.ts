import type { Logger } from "../logger";
import type { AuditLog } from "./audit-log";
import { type SignedCheckpoint, parseCheckpointLine, signCheckpoint } from "./audit-checkpoint";
import type { AuditKeys } from "./audit-key";
import type { FileWitness, Witness } from "./audit-witness";

export interface CheckpointWritten {
  checkpoint: SignedCheckpoint;
  /** Each witness and whether it kept the checkpoint (a webhook that failed retries with the next one). */
  witnesses: { name: string; ok: boolean; error?: string }[];
}

/**
 * Writes signed checkpoints of the audit chain's head to the witnesses: at start and every interval
 * when the head moved since the last one, on demand (`audit.checkpoint`), and at shutdown. Runs beside
 * the append queue, reading only committed entries, so appends never wait for a witness. Each replica
 * writes its own; duplicates agree, and verify checks each.
 */
export class AuditCheckpoints {
  private timer: NodeJS.Timeout | undefined;
  /** One checkpoint at a time, in order. */
  private queue: Promise<unknown> = Promise.resolve();
  /** The head the last checkpoint named, to skip writing the same one again. */
  private last: { seq: number; head: string } | null = null;

  constructor(
    private readonly deps: { audit: AuditLog; keys: AuditKeys; file: FileWitness; witnesses: Witness[]; intervalMs: number; log: Logger },
  ) {}

  /** Picks up where the file witness left off, checkpoints a head that moved since, then every interval. */
  async start(): Promise<void> {
    if ((await this.deps.audit.headMatchesKey()) === false) {
      this.deps.log.error("audit: the newest entry is not keyed with this AUDIT_KEY (replicas must share one, and it must not change): verify will report the chain broken");
    }
    const last = await this.deps.file.last().catch(() => null);
    const parsed = last ? parseCheckpointLine(this.deps.keys, last) : null;
    if (parsed?.ok) this.last = { seq: parsed.checkpoint.seq, head: parsed.checkpoint.head };
    // Not awaited: a webhook receiver that is away must not hold up the start.
    void this.checkpointIfMoved();
    this.timer = setInterval(() => void this.checkpointIfMoved(), this.deps.intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and checkpoints what was appended since the last one (call after the appends drained). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.checkpointIfMoved();
  }

  /** A checkpoint now, moved or not (null when the trail is empty: nothing to witness). */
  checkpoint(): Promise<CheckpointWritten | null> {
    return this.enqueue(() => this.write(false));
  }

  private checkpointIfMoved(): Promise<CheckpointWritten | null> {
    return this.enqueue(() => this.write(true)).catch((err: unknown) => {
      this.deps.log.error({ err }, "audit checkpoint: could not read the chain's head");
      return null;
    });
  }

  private enqueue<T>(job: () => Promise<T>): Promise<T> {
    const next = this.queue.then(job);
    this.queue = next.catch(() => {});
    return next;
  }

  private async write(onlyIfMoved: boolean): Promise<CheckpointWritten | null> {
    const head = await this.deps.audit.head();
    if (!head) return null;
    if (onlyIfMoved && this.last?.seq === head.seq && this.last.head === head.hash) return null;
    const checkpoint = signCheckpoint(this.deps.keys, { seq: head.seq, head: head.hash, count: head.count, keyedFrom: head.keyedFrom, at: new Date().toISOString() });
    const line = JSON.stringify(checkpoint);
    const results = await Promise.allSettled(this.deps.witnesses.map((w) => w.write(line)));
    const witnesses = this.deps.witnesses.map((w, i) => {
      const r = results[i]!;
      if (r.status === "fulfilled") return { name: w.name, ok: true };
      const error = r.reason instanceof Error ? r.reason.message : String(r.reason);
      this.deps.log.warn({ witness: w.name, seq: head.seq, error }, "audit checkpoint: a witness did not keep it");
      return { name: w.name, ok: false, error };
    });
    // A webhook that failed keeps the line and sends it before the next checkpoint's.
    this.last = { seq: head.seq, head: head.hash };
    return { checkpoint, witnesses };
  }
}
