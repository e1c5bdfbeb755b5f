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
 * is let finish rather than restarted.
 */
export function useFleetChanges(): { connected: boolean } {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const push = useMemo(
    () =>
      changeGate((kinds) => {
        const invalidate = (queryKey: readonly unknown[]) => void queryClient.invalidateQueries({ queryKey }, { cancelRefetch: false });
        if (kinds.size > 0) invalidate(trpc.overview.get.queryKey());
        if (kinds.has("containers")) {
          invalidate(trpc.containers.list.queryKey());
          invalidate(trpc.containers.get.queryKey());
        }
        // Image rows count the containers using them, so container changes refresh them too.
        if (kinds.has("images") || kinds.has("containers")) invalidate(trpc.images.list.queryKey());
        if (kinds.has("images")) invalidate(trpc.images.inspect.queryKey());
        if (kinds.has("host")) {
          invalidate(trpc.hosts.list.queryKey());
          invalidate(trpc.hosts.get.queryKey());
        }
      }),
    [queryClient, trpc],
  );
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
