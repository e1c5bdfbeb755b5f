import type { Db } from "../db";
import type { Logger } from "../logger";
import type { AlertChannels } from "./alert-channels";
import type { AlertRow } from "./alert-store";
import { type Notification, SendError, send } from "./channel-senders";

/** A claimed delivery is this replica's for this long; past it (the replica died) another takes it over. */
const LEASE_MS = 60_000;
const POLL_MS = 1_000;
const BATCH = 20;
const MAX_DELAY_MS = 10 * 60_000;
/** Attempts kept in a delivery's log. */
const LOG_KEEP = 20;

export interface AttemptLog {
  at: string;
  status: number | null;
  error: string | null;
  ms: number;
}

export interface DeliveryQueueOptions {
  db: Db;
  channels: AlertChannels;
  replicaId: string;
  publicUrl: string;
  retryBaseMs: number;
  maxAttempts: number;
  log: Logger;
}

/** The wait before attempt `attempts + 1`: base × 2^(attempts−1), at most 10 minutes, ±20 % so retries spread. */
export function backoffMs(attempts: number, baseMs: number, random = Math.random()): number {
  const delay = Math.min(baseMs * 2 ** Math.max(0, attempts - 1), MAX_DELAY_MS);
  return Math.round(delay * (0.8 + 0.4 * random));
}

/**
 * Sends what AlertStore queued. The queue is the `alert_delivery` table, so a delivery survives a
 * restart; a replica claims a due row with a conditional update that sets its lease (only one
 * replica's update can match), sends it, and records the attempt: delivered, or due again after the
 * backoff, or failed after `maxAttempts`. Polls every second; a local enqueue wakes it at once.
 */
export class DeliveryQueue {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly o: DeliveryQueueOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.running;
  }

  /** Something was queued here: look now rather than at the next poll. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  private schedule(ms: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.running = this.round()
        .catch((err: unknown) => this.o.log.error({ err }, "alert deliveries: a round failed"))
        .finally(() => {
          this.running = null;
          if (this.stopped) return;
          const now = this.again;
          this.again = false;
          this.schedule(now ? 0 : POLL_MS);
        });
    }, ms);
    this.timer.unref();
  }

  private async round(): Promise<void> {
    for (;;) {
      const now = new Date();
      const due = await this.o.db.alertDelivery.findMany({ where: { status: "pending", nextAt: { lte: now }, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] }, orderBy: { nextAt: "asc" }, take: BATCH });
      if (due.length === 0) return;
      await Promise.all(due.map((d) => this.claimAndSend(d)));
      if (due.length < BATCH || this.stopped) return;
    }
  }

  private async claimAndSend(d: { id: string; alertId: string | null; channelId: string; event: string; attempts: number; log: string }): Promise<void> {
    const now = new Date();
    const { count } = await this.o.db.alertDelivery.updateMany({
      where: { id: d.id, status: "pending", attempts: d.attempts, OR: [{ leaseUntil: null }, { leaseUntil: { lt: now } }] },
      data: { leaseOwner: this.o.replicaId, leaseUntil: new Date(now.getTime() + LEASE_MS) },
    });
    if (count === 0) return; // another replica has it
    const started = performance.now();
    let status: number | null = null;
    let error: string | null = null;
    // A channel that cannot be read now (the database, SECRETS_KEY changed) is not a removed one:
    // it is retried. Only the error's name is logged: a parse error would quote the opened secrets.
    const target = await this.o.channels.target(d.channelId).catch((err: unknown) => {
      this.o.log.warn({ deliveryId: d.id, channelId: d.channelId, error: err instanceof Error ? err.name : "unknown" }, "alert delivery: the channel could not be read");
      return "unreadable" as const;
    });
    const alert = d.alertId ? await this.o.db.alert.findUnique({ where: { id: d.alertId } }) : null;
    if (target === "unreadable") error = "the channel could not be read";
    else if (!target) error = "the channel was removed";
    else if (d.alertId && !alert) error = "the alert was removed";
    else {
      try {
        ({ status } = await send(target, notification(d.id, d.event, alert, this.o.publicUrl)));
      } catch (err) {
        error = err instanceof SendError ? err.message : "sending failed";
        status = err instanceof SendError ? err.status : null;
        if (!(err instanceof SendError)) this.o.log.warn({ err, deliveryId: d.id }, "alert delivery failed unexpectedly");
      }
    }
    const attempts = d.attempts + 1;
    const entry: AttemptLog = { at: now.toISOString(), status, error, ms: Math.round(performance.now() - started) };
    const log = [...(JSON.parse(d.log) as AttemptLog[]), entry].slice(-LOG_KEEP);
    const gone = !target || (d.alertId && !alert);
    const final = error === null ? "delivered" : gone || attempts >= this.o.maxAttempts ? "failed" : "pending";
    await this.o.db.alertDelivery.updateMany({
      where: { id: d.id, leaseOwner: this.o.replicaId },
      data: {
        status: final,
        attempts,
        lastStatus: status,
        lastError: error,
        log: JSON.stringify(log),
        leaseOwner: null,
        leaseUntil: null,
        deliveredAt: final === "delivered" ? new Date() : null,
        nextAt: final === "pending" ? new Date(Date.now() + backoffMs(attempts, this.o.retryBaseMs)) : now,
      },
    });
    if (final === "pending") this.o.log.info({ deliveryId: d.id, attempts, error }, "alert delivery failed; retrying");
    else if (final === "failed") this.o.log.warn({ deliveryId: d.id, attempts, error }, "alert delivery gave up");
  }
}

export function notification(deliveryId: string, event: string, a: AlertRow | null, publicUrl: string): Notification {
  return {
    event: event === "resolved" ? "resolved" : event === "test" ? "test" : "firing",
    deliveryId,
    url: `${publicUrl}/alerts${a ? `?alert=${a.id}` : ""}`,
    alert: a && {
      id: a.id,
      rule: a.ruleName,
      kind: a.kind,
      severity: a.severity,
      hostId: a.hostId,
      host: a.hostName,
      container: a.subject,
      summary: a.summary,
      count: a.count,
      firstAt: a.firstAt.toISOString(),
      lastAt: a.lastAt.toISOString(),
      resolvedAt: a.resolvedAt?.toISOString() ?? null,
    },
  };
}
