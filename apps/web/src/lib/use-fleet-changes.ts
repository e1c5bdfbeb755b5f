"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "./trpc";

/**
 * Keeps every open view live: a change notification marks the matching queries stale and TanStack
 * Query refetches the ones on screen, the same request a reload would make.
 */
export function useFleetChanges(): { connected: boolean } {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const sub = useSubscription(
    trpc.fleet.changes.subscriptionOptions(undefined, {
      onData(batch) {
        const kinds = new Set(batch.map((c) => c.kind));
        if (kinds.has("containers")) {
          void queryClient.invalidateQueries({ queryKey: trpc.containers.list.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.containers.get.queryKey() });
        }
        if (kinds.has("host")) {
          void queryClient.invalidateQueries({ queryKey: trpc.hosts.list.queryKey() });
          void queryClient.invalidateQueries({ queryKey: trpc.hosts.get.queryKey() });
        }
      },
      onStarted() {
        // After a reconnect, whatever changed while we were away is read again.
        void queryClient.invalidateQueries();
      },
    }),
  );
  return { connected: sub.status === "pending" };
}
