"use client";

import { useMemo } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "./trpc";

/** After one refresh, further changes within this long are gathered into one more (a busy fleet). */
const REFRESH_EVERY_MS = 500;

/**
 * Gathers change kinds and hands them over: at once after a quiet spell, then at most every
 * REFRESH_EVERY_MS while changes keep coming.
 */
function changeGate(flush: (kinds: Set<string>) => void) {
  let pending = new Set<string>();
  let timer: ReturnType<typeof setTimeout> | null = null;
  let last = 0;
  const fire = () => {
    timer = null;
    last = Date.now();
    const kinds = pending;
    pending = new Set();
    flush(kinds);
  };
  return (kinds: Iterable<string>) => {
    for (const k of kinds) pending.add(k);
    timer ??= setTimeout(fire, Math.max(0, last + REFRESH_EVERY_MS - Date.now()));
  };
}

/**
 * Keeps every open view live: a change notification marks the matching queries stale and TanStack
 * Query refetches the ones on screen, the same request a reload would make. A stream of changes
 * (hundreds of hosts reconnecting) refreshes at most every REFRESH_EVERY_MS, and a refresh in flight
 * is let finish rather than restarted, then made once more (it may have read the state before the change).
 */
export function useFleetChanges(): { connected: boolean } {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const push = useMemo(() => {
    const gate = changeGate((kinds) => {
      // A change that comes while a read is in flight may be newer than what that read returns, and the
      // read, let finish, clears the invalidation: those kinds are asked again at the gate's next window.
      const again = new Set<string>();
      const invalidate = (kind: string, queryKey: readonly unknown[]) => {
        if (queryClient.isFetching({ queryKey }) > 0) again.add(kind);
        void queryClient.invalidateQueries({ queryKey }, { cancelRefetch: false });
      };
      if (kinds.size > 0) invalidate("host", trpc.overview.get.queryKey());
      if (kinds.has("containers")) {
        invalidate("containers", trpc.containers.list.queryKey());
        invalidate("containers", trpc.containers.get.queryKey());
      }
      // Image rows count the containers using them, so container changes refresh them too.
      if (kinds.has("images") || kinds.has("containers")) {
        invalidate("images", trpc.images.list.queryKey());
        invalidate("images", trpc.images.holders.queryKey());
      }
      if (kinds.has("images")) invalidate("images", trpc.images.inspect.queryKey());
      // Volume and network rows name the containers using them: container changes refresh them too.
      if (kinds.has("volumes") || kinds.has("containers")) {
        invalidate("volumes", trpc.volumes.list.queryKey());
        invalidate("volumes", trpc.volumes.inspect.queryKey());
        invalidate("volumes", trpc.volumes.prunePreview.queryKey());
      }
      if (kinds.has("networks") || kinds.has("containers")) {
        invalidate("networks", trpc.networks.list.queryKey());
        invalidate("networks", trpc.networks.inspect.queryKey());
        invalidate("networks", trpc.networks.prunePreview.queryKey());
        invalidate("networks", trpc.hosts.networks.queryKey());
      }
      // An alert opened, recurred, resolved, was acknowledged or silenced: the lists, pages and the navigation's count.
      if (kinds.has("alerts")) {
        invalidate("alerts", trpc.alerts.list.queryKey());
        invalidate("alerts", trpc.alerts.firingCount.queryKey());
        invalidate("alerts", trpc.alerts.get.queryKey());
        invalidate("alerts", trpc.alerts.deliveries.queryKey());
      }
      if (kinds.has("host")) {
        // One page per open list or picker (hosts.search), not the fleet: a host change re-reads only what is on screen.
        invalidate("host", trpc.hosts.search.queryKey());
        invalidate("host", trpc.hosts.get.queryKey());
      }
      if (again.size > 0) gate(again);
    });
    return gate;
  }, [queryClient, trpc]);
  const sub = useSubscription(
    trpc.fleet.changes.subscriptionOptions(undefined, {
      onData(batch) {
        push(batch.map((c) => c.kind));
      },
      onStarted() {
        // After a reconnect, whatever changed while we were away is read again.
        void queryClient.invalidateQueries();
      },
    }),
  );
  return { connected: sub.status === "pending" };
}
