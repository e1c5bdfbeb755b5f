import type { LifecycleEvent } from "@stevedore/protocol";
import type { Db } from "../db";
import type { Logger } from "../logger";
import { newId } from "../agents/secrets";
import { AGENT_LIMITS } from "../agents/agent-limits";
import { observedAction } from "./audit-actions";
import type { Actor, AuditLog } from "./audit-log";

export const OUTSIDE_STEVEDORE: Actor = { type: "host", id: null, name: "on the host, outside Stevedore" };

/** An engine clock this far ahead of ours is not believed: its events are recorded at our time and do not move the cursor. */
export const MAX_EVENT_CLOCK_SKEW_MS = 5 * 60_000;
/** Events written for one host, in one transaction, before the next host with a backlog gets its turn. */
const TURN = 20;

interface Cursor {
  last: bigint;
  /** Events already recorded at exactly `last` (several can share one nanosecond). */
  atLast: Set<string>;
}

interface Pending {
  event: LifecycleEvent;
  at: Date;
  /** Recorded at the control plane's time: the engine's was too far ahead. */
  clockSkew: boolean;
}

/** Events left out of the trail one by one (past the queue's bound), summarized in one entry. */
interface Skipped {
  count: number;
  from: Date;
  to: Date;
  actions: Record<string, number>;
}

interface Backlog {
  hostName: string;
  events: Pending[];
  skipped: Skipped | null;
  /** The cursor to persist once every event before it is written. */
  cursor: bigint | null;
}

/**
 * Puts changes made on a host outside Stevedore (docker CLI, compose, a restart policy) into the
 * audit trail, from the engine's own events. Each host has a cursor, kept in the database, so a
 * reconnecting agent replays from there; an event is recorded once even when it arrives twice (the
 * cursor in memory, and its once-key in the database for what a restart replays).
 *
 * Events wait in their own bounded queue, written TURN at a time in one transaction, host by host in
 * turn, so a host flooding events never delays a user's audited action by more than one such batch,
 * nor another host's events by more than one turn. Past the bound, a host's surplus is counted and written as one
 * summary entry (what, how many, between when), so nothing goes unrecorded without a trace.
 */
export class ObservedEvents {
  private readonly cursors = new Map<string, Cursor>();
  private readonly backlogs = new Map<string, Backlog>();
  private queued = 0;
  private draining: Promise<void> | null = null;

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly log: Logger,
    private readonly maxQueued = AGENT_LIMITS.maxQueuedEvents,
  ) {}

  /** Where the host's agent should replay from; undefined before its first recorded event. */
  resumeFrom(hostId: string, persisted: string | null): string | undefined {
    const cursor = this.cursors.get(hostId);
    if (cursor) return cursor.last > 0n ? String(cursor.last) : undefined;
    this.cursors.set(hostId, { last: persisted ? BigInt(persisted) : 0n, atLast: new Set() });
    return persisted ?? undefined;
  }

  /** Events waiting to be written, all hosts together (bounded by `maxQueued`). */
  get backlog(): number {
    return this.queued;
  }

  /** Takes a message's events in; resolves once everything queued so far is written. */
  record(hostId: string, hostName: string, events: LifecycleEvent[], now = Date.now()): Promise<void> {
    let cursor = this.cursors.get(hostId);
    if (!cursor) this.cursors.set(hostId, (cursor = { last: 0n, atLast: new Set() }));
    const backlog = this.backlogs.get(hostId) ?? { hostName, events: [], skipped: null, cursor: null };
    backlog.hostName = hostName;
    const latest = BigInt(now + MAX_EVENT_CLOCK_SKEW_MS) * 1_000_000n;
    for (const e of events) {
      const t = BigInt(e.timeNano);
      const clockSkew = t > latest;
      if (!clockSkew) {
        const key = `${e.id}/${e.action}`;
        if (t < cursor.last || (t === cursor.last && cursor.atLast.has(key))) continue;
        if (t > cursor.last) {
          cursor.last = t;
          cursor.atLast = new Set();
        }
        cursor.atLast.add(key);
        backlog.cursor = cursor.last;
      }
      if (e.ours) continue;
      const at = clockSkew ? new Date(now) : new Date(Number(t / 1_000_000n));
      if (this.queued < this.maxQueued) {
        backlog.events.push({ event: e, at, clockSkew });
        this.queued++;
      } else {
        backlog.skipped = skip(backlog.skipped, e.action, at);
      }
    }
    if (hasWork(backlog)) this.backlogs.set(hostId, backlog);
    return (this.draining ??= this.drain());
  }

  private async drain(): Promise<void> {
    // Never done synchronously, so `draining` is set before this clears it.
    await Promise.resolve();
    while (this.backlogs.size > 0) {
      // Map order: hosts take turns, each writing up to TURN events, then going to the back. record()
      // keeps adding to the same backlog meanwhile.
      const [hostId, backlog] = this.backlogs.entries().next().value as [string, Backlog];
      const started = performance.now();
      try {
        const turn = backlog.events.splice(0, TURN);
        this.queued -= turn.length;
        if (turn.length) await this.audit.appendMany(turn.map((p) => observedEntry(hostId, backlog.hostName, p)));
        if (backlog.events.length === 0) {
          // Everything before this cursor is written (or in this summary): it can be persisted.
          const { skipped, cursor } = backlog;
          backlog.skipped = null;
          backlog.cursor = null;
          if (skipped) await this.audit.append(summaryEntry(hostId, backlog.hostName, skipped));
          if (cursor !== null) await this.db.host.updateMany({ where: { id: hostId }, data: { lastEventNanos: String(cursor) } });
        }
      } catch (err) {
        this.log.error({ err, hostId, queued: backlog.events.length }, "recording engine events failed; this batch and the host's queued events are not in the audit trail");
        this.queued -= backlog.events.length;
        Object.assign(backlog, { events: [], skipped: null, cursor: null });
      }
      this.backlogs.delete(hostId);
      if (hasWork(backlog)) this.backlogs.set(hostId, backlog);
      // Background work at half the event loop at most: after each turn, wait as long as it took. (SQLite
      // answers without leaving the loop, so without a pause a backlog of 20,000 would hold every request
      // and socket until it was written.)
      await new Promise((resolve) => setTimeout(resolve, performance.now() - started));
    }
    this.draining = null;
  }
}

/** Events to write, a summary to write or a cursor to persist. */
function hasWork(b: Backlog): boolean {
  return b.events.length > 0 || b.skipped !== null || b.cursor !== null;
}

function skip(s: Skipped | null, action: string, at: Date): Skipped {
  const out = s ?? { count: 0, from: at, to: at, actions: {} };
  out.count++;
  if (at < out.from) out.from = at;
  if (at > out.to) out.to = at;
  out.actions[action] = (out.actions[action] ?? 0) + 1;
  return out;
}

function observedEntry(hostId: string, hostName: string, { event: e, at, clockSkew }: Pending) {
  return {
    requestId: newId("evt"),
    phase: "observed" as const,
    action: observedAction(e.action),
    actor: OUTSIDE_STEVEDORE,
    at,
    hostId,
    hostName,
    targetType: "container",
    targetId: e.id,
    targetName: e.name ?? null,
    params: { image: e.image, exitCode: e.exitCode, signal: e.signal, ...(clockSkew && { engineTimeNano: e.timeNano }) },
    onceKey: `${e.timeNano}/${e.id}/${e.action}`,
  };
}

function summaryEntry(hostId: string, hostName: string, s: Skipped) {
  return {
    requestId: newId("evt"),
    phase: "observed" as const,
    action: "engine.events-summarized" as const,
    actor: OUTSIDE_STEVEDORE,
    at: s.to,
    hostId,
    hostName,
    targetType: "host",
    targetId: hostId,
    targetName: hostName,
    params: { count: s.count, from: s.from.toISOString(), to: s.to.toISOString(), actions: s.actions },
    error: `${s.count} engine events came faster than the audit trail records them one by one; summarized here`,
  };
}
