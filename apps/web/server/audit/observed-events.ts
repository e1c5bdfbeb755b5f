import type { LifecycleEvent } from "@stevedore/protocol";
import type { Db } from "../db";
import type { Logger } from "../logger";
import { newId } from "../agents/secrets";
import type { Actor, AuditLog } from "./audit-log";

export const OUTSIDE_STEVEDORE: Actor = { type: "host", id: null, name: "on the host, outside Stevedore" };

interface Cursor {
  last: bigint;
  /** Events already recorded at exactly `last` (several can share one nanosecond). */
  atLast: Set<string>;
  queue: Promise<void>;
}

/**
 * Puts changes made on a host outside Stevedore (docker CLI, compose, a restart policy) into the
 * audit trail, from the engine's own events. Each host has a cursor, kept in the database, so a
 * reconnecting agent replays from there and an event is recorded once even when it arrives twice.
 */
export class ObservedEvents {
  private readonly cursors = new Map<string, Cursor>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly log: Logger,
  ) {}

  /** Where the host's agent should replay from; undefined before its first recorded event. */
  resumeFrom(hostId: string, persisted: string | null): string | undefined {
    const cursor = this.cursors.get(hostId);
    if (cursor) return cursor.last > 0n ? String(cursor.last) : undefined;
    this.cursors.set(hostId, { last: persisted ? BigInt(persisted) : 0n, atLast: new Set(), queue: Promise.resolve() });
    return persisted ?? undefined;
  }

  record(hostId: string, hostName: string, events: LifecycleEvent[]): Promise<void> {
    const cursor = this.cursors.get(hostId) ?? { last: 0n, atLast: new Set<string>(), queue: Promise.resolve() };
    this.cursors.set(hostId, cursor);
    cursor.queue = cursor.queue.then(() => this.write(hostId, hostName, cursor, events)).catch((err: unknown) => this.log.error({ err, hostId }, "recording engine events failed"));
    return cursor.queue;
  }

  private async write(hostId: string, hostName: string, cursor: Cursor, events: LifecycleEvent[]): Promise<void> {
    const before = cursor.last;
    for (const e of events) {
      const t = BigInt(e.timeNano);
      const key = `${e.id}/${e.action}`;
      if (t < cursor.last || (t === cursor.last && cursor.atLast.has(key))) continue;
      if (t > cursor.last) {
        cursor.last = t;
        cursor.atLast = new Set();
      }
      cursor.atLast.add(key);
      if (e.ours) continue;
      await this.audit.append({
        requestId: newId("evt"),
        phase: "observed",
        action: `container.${e.action}`,
        actor: OUTSIDE_STEVEDORE,
        at: new Date(Number(t / 1_000_000n)),
        hostId,
        hostName,
        targetType: "container",
        targetId: e.id,
        targetName: e.name ?? null,
        params: { image: e.image, exitCode: e.exitCode, signal: e.signal },
      });
    }
    if (cursor.last !== before) await this.db.host.updateMany({ where: { id: hostId }, data: { lastEventNanos: String(cursor.last) } });
  }
}
