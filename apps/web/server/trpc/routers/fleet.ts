import { setTimeout as sleep } from "node:timers/promises";
import type { TRPCRouterRecord } from "@trpc/server";
import { DomainError } from "../../domain-error";
import type { FleetChange } from "../../fleet/types";
import { CallerAccess } from "../../access/caller-access";
import { signedInProcedure, trpcErrorOf } from "../init";

/**
 * Under sustained change, a browser gets at most one batch per this window. Each batch costs a
 * serialization and a write per browser: at 20 changes a second to 100 browsers, 50 ms windows were
 * 2,000 writes a second and a fifth of a core.
 */
const COALESCE_MS = 100;
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
    let { access } = ctx;
    const listener = (change: FleetChange) => {
      if (!access.wholeFleet && !access.may(change.hostId, "view")) return;
      pending.set(`${change.kind}:${change.hostId}`, change);
      wake?.();
    };
    const onAbort = () => wake?.();
    ctx.fleet.changes.on("change", listener);
    signal?.addEventListener("abort", onAbort);
    let lastSent = 0;
    let revoked: string | null = null;
    // Grants changed: what the stream shows follows them; access gone: the stream ends.
    const unwatch = ctx.accessWatch.watch({
      kind: "fleet.changes",
      user: ctx.user,
      onChange: (user) => (access = new CallerAccess(user, ctx.fleet)),
      onRevoked: (reason) => {
        revoked = reason;
        wake?.();
      },
    });
    try {
      while (!signal?.aborted) {
        if (pending.size === 0) await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
        if (revoked) throw trpcErrorOf(new DomainError("unauthorized", revoked));
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
