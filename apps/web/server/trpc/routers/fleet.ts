import { setTimeout as sleep } from "node:timers/promises";
import { TRPCError, type TRPCRouterRecord } from "@trpc/server";
import type { FleetChange } from "../../fleet/types";
import { viewerProcedure } from "../init";

/**
 * Under sustained change, a browser gets at most one batch per this window. Each batch costs a
 * serialization and a write per browser: at 20 changes a second to 100 browsers, 50 ms windows were
 * 2,000 writes a second and a fifth of a core.
 */
const COALESCE_MS = 100;
/** A stream outlives the request that opened it: the user is re-checked this often and cut off once disabled. */
const RECHECK_USER_MS = 30_000;

export const fleetRouter = {
  /**
   * Live change notifications. Changes are coalesced per host and kind (so what waits for a slow
   * browser is bounded by the number of hosts); the first change after a quiet spell goes out at
   * once, later ones at most every 100 ms. The browser then re-reads what it shows, the same path a
   * reload takes, so a lost message loses nothing.
   */
  changes: viewerProcedure.subscription(async function* ({ ctx, signal }) {
    const pending = new Map<string, FleetChange>();
    let wake: (() => void) | null = null;
    const listener = (change: FleetChange) => {
      pending.set(`${change.kind}:${change.hostId}`, change);
      wake?.();
    };
    const onAbort = () => wake?.();
    ctx.fleet.changes.on("change", listener);
    signal?.addEventListener("abort", onAbort);
    let lastSent = 0;
    let revoked = false;
    const recheck = setInterval(() => {
      void ctx.db.user.findUnique({ where: { id: ctx.user.id }, select: { banned: true } }).then((u) => {
        if (!u || u.banned) {
          revoked = true;
          wake?.();
        }
      });
    }, RECHECK_USER_MS);
    try {
      while (!signal?.aborted) {
        if (pending.size === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (revoked) throw new TRPCError({ code: "UNAUTHORIZED", message: "this account was disabled" });
        const wait = lastSent + COALESCE_MS - Date.now();
        if (wait > 0) await sleep(wait);
        if (signal?.aborted) break;
        lastSent = Date.now();
        const batch = [...pending.values()];
        pending.clear();
        yield batch;
      }
    } finally {
      clearInterval(recheck);
      ctx.fleet.changes.off("change", listener);
      signal?.removeEventListener("abort", onAbort);
    }
  }),
} satisfies TRPCRouterRecord;
