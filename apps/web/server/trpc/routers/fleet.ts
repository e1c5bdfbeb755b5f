import { setTimeout as sleep } from "node:timers/promises";
import type { TRPCRouterRecord } from "@trpc/server";
import { DomainError } from "../../domain-error";
import type { FleetChange } from "../../fleet/types";
import type { Db } from "../../db";
import { signedInProcedure } from "../init";

/**
 * Under sustained change, a browser gets at most one batch per this window. Each batch costs a
 * serialization and a write per browser: at 20 changes a second to 100 browsers, 50 ms windows were
 * 2,000 writes a second and a fifth of a core.
 */
const COALESCE_MS = 100;
/** A stream outlives the request that opened it: its user is re-checked this often and cut off once disabled. */
const RECHECK_USER_MS = 30_000;

/**
 * Open streams' users, re-checked together: one query per interval however many streams are open
 * (100 browsers each re-checking on their own timer were a burst of 100 queries, a 400 ms stall).
 */
class StreamUsers {
  private readonly streams = new Map<() => void, string>();
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db) {}

  watch(userId: string, onDisabled: () => void): () => void {
    this.streams.set(onDisabled, userId);
    this.timer ??= setInterval(() => void this.check(), RECHECK_USER_MS);
    return () => {
      this.streams.delete(onDisabled);
      if (this.streams.size > 0 || !this.timer) return;
      clearInterval(this.timer);
      this.timer = null;
    };
  }

  private async check(): Promise<void> {
    const ids = [...new Set(this.streams.values())];
    // A failed read cuts no one off; the next interval tries again.
    const users = await this.db.user.findMany({ where: { id: { in: ids } }, select: { id: true, banned: true } }).catch(() => null);
    if (!users) return;
    const enabled = new Set(users.filter((u) => !u.banned).map((u) => u.id));
    for (const [onDisabled, id] of this.streams) if (!enabled.has(id)) onDisabled();
  }
}
const streamUsers = new WeakMap<Db, StreamUsers>();

export const fleetRouter = {
  /**
   * Live change notifications. Changes are coalesced per host and kind (so what waits for a slow
   * browser is bounded by the number of hosts); the first change after a quiet spell goes out at
   * once, later ones at most every 100 ms. The browser then re-reads what it shows, the same path a
   * reload takes, so a lost message loses nothing. A host the caller cannot see sends nothing at all
   * (not even that it changed).
   */
  changes: signedInProcedure.subscription(async function* ({ ctx, signal }) {
    const pending = new Map<string, FleetChange>();
    let wake: (() => void) | null = null;
    const { access } = ctx;
    const listener = (change: FleetChange) => {
      if (!access.wholeFleet && !access.may(change.hostId, "view")) return;
      pending.set(`${change.kind}:${change.hostId}`, change);
      wake?.();
    };
    const onAbort = () => wake?.();
    ctx.fleet.changes.on("change", listener);
    signal?.addEventListener("abort", onAbort);
    let lastSent = 0;
    let revoked = false;
    if (!streamUsers.has(ctx.db)) streamUsers.set(ctx.db, new StreamUsers(ctx.db));
    const unwatch = streamUsers.get(ctx.db)!.watch(ctx.user.id, () => {
      revoked = true;
      wake?.();
    });
    try {
      while (!signal?.aborted) {
        if (pending.size === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (revoked) throw new DomainError("unauthorized", "this account was disabled");
        const wait = lastSent + COALESCE_MS - Date.now();
        if (wait > 0) await sleep(wait);
        if (signal?.aborted) break;
        lastSent = Date.now();
        const batch = [...pending.values()];
        pending.clear();
        yield batch;
      }
    } finally {
      unwatch();
      ctx.fleet.changes.off("change", listener);
      signal?.removeEventListener("abort", onAbort);
    }
  }),
} satisfies TRPCRouterRecord;
