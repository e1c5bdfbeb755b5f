import { describe, expect, it } from "vitest";
import { AGENT_LIMITS, MessageBudget, TokenBucket } from "../../server/agents/agent-limits";

describe("TokenBucket", () => {
  it("lets a burst through, then asks to wait for what was overdrawn at its rate", () => {
    const b = new TokenBucket(100, 10, 0);
    for (let i = 0; i < 10; i++) expect(b.take(1, 0)).toBe(0);
    expect(b.take(1, 0)).toBe(10); // 1 token in debt at 100/s
    expect(b.take(5, 0)).toBe(60);
  });

  it("refills with time, never past its burst", () => {
    const b = new TokenBucket(100, 10, 0);
    expect(b.take(10, 0)).toBe(0);
    expect(b.take(5, 50)).toBe(0); // 5 refilled in 50 ms
    expect(b.take(1, 50)).toBe(10);
    expect(b.take(10, 60_000)).toBe(0); // a long quiet refills to 10, not 6,000
    expect(b.take(1, 60_000)).toBe(10);
  });
});

describe("MessageBudget", () => {
  it("names what ran out: messages for many small ones, bytes for a few large ones", () => {
    const small = new MessageBudget(AGENT_LIMITS, 0);
    let last = small.charge(100, 0);
    for (let i = 1; i <= AGENT_LIMITS.messageBurst; i++) last = small.charge(100, 0);
    expect(last.over).toBe("messages");
    expect(last.waitMs).toBeGreaterThan(0);

    const large = new MessageBudget(AGENT_LIMITS, 0);
    expect(large.charge(AGENT_LIMITS.byteBurst, 0)).toEqual({ waitMs: 0, over: null });
    const over = large.charge(AGENT_LIMITS.bytesPerSecond, 0);
    expect(over.over).toBe("bytes");
    expect(over.waitMs).toBe(1_000);
  });

  it("counts engine events apart: a burst of them, then their own rate", () => {
    const budget = new MessageBudget(AGENT_LIMITS, 0);
    expect(budget.chargeEvents(AGENT_LIMITS.eventBurst, 0)).toBe(0);
    expect(budget.chargeEvents(AGENT_LIMITS.eventsPerSecond * 2, 0)).toBe(2_000);
    // Messages are a separate budget: the events' debt does not stop a small message.
    expect(budget.charge(100, 0)).toEqual({ waitMs: 0, over: null });
  });
});
