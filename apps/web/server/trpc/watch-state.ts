import { setTimeout as sleep } from "node:timers/promises";

/** Each update is the whole state, so none is lost by sending at most this often. */
const INTERVAL_MS = 100;

/**
 * A subscription's body for a long operation's state (a pull, a rollout): the state now, then after
 * each change (at most every 100 ms), until it is done or the browser goes.
 */
export async function* watchState<T extends { done: boolean }>(state: T, watch: (listener: () => void) => () => void, signal: AbortSignal | undefined): AsyncGenerator<T> {
  let changed = true;
  let wake: (() => void) | null = null;
  const stop = watch(() => {
    changed = true;
    wake?.();
  });
  const onAbort = () => wake?.();
  signal?.addEventListener("abort", onAbort);
  try {
    while (!signal?.aborted) {
      if (!changed) await new Promise<void>((resolve) => (wake = resolve));
      wake = null;
      if (signal?.aborted) break;
      changed = false;
      // Ends on what was sent, not on the live state: that can turn done while the consumer holds the
      // snapshot (tRPC's ping wrapper asks for the next value at once), and "done" would never be sent.
      const snapshot = structuredClone(state);
      yield snapshot;
      if (snapshot.done) return;
      await sleep(INTERVAL_MS);
    }
  } finally {
    stop();
    signal?.removeEventListener("abort", onAbort);
  }
}
