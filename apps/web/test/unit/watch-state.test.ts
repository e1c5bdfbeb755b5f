import { describe, expect, it } from "vitest";
import { watchState } from "../../server/trpc/watch-state";

describe("watchState (a pull's or a rollout's progress, to a subscription)", () => {
  it("sends the done state even when it turns done while the last snapshot is still with the consumer", async () => {
    const state = { done: false, step: "recreating" };
    const listeners = new Set<() => void>();
    const updates = watchState(state, (l) => (listeners.add(l), () => listeners.delete(l)), undefined);
    expect((await updates.next()).value).toEqual({ done: false, step: "recreating" });
    // The rollout finishes before the consumer asks for the next value (tRPC's ping wrapper asks at once).
    Object.assign(state, { done: true, step: "healthy" });
    for (const l of listeners) l();
    expect(await updates.next()).toEqual({ done: false, value: { done: true, step: "healthy" } });
    expect((await updates.next()).done).toBe(true);
    expect(listeners.size).toBe(0);
  });
});
