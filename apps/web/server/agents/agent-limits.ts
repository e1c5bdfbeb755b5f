/**
 * What one agent may cost the control plane. An agent is untrusted input (a compromised host, or a
 * broken one in a loop): past these limits it is slowed down or cut short and its host is flagged,
 * so it can never slow another host down.
 */
export interface AgentLimits {
  /** Sustained messages a second, and how many may come at once (a reconnect, a bulk remove of 500 containers raises about 2,000). */
  messagesPerSecond: number;
  messageBurst: number;
  /** Sustained bytes a second, and the burst: a snapshot of a full host is one message of up to MAX_MESSAGE_BYTES. */
  bytesPerSecond: number;
  byteBurst: number;
  /**
   * Engine events a second, and the burst (a bulk remove of 500 running containers raises about
   * 2,500). Each costs parsing, validation and an audit entry, so they have a budget of their own.
   */
  eventsPerSecond: number;
  eventBurst: number;
  /** Containers and images one host may report; more are left out (and the host flagged). */
  maxContainers: number;
  maxImages: number;
  /** Engine events from all hosts waiting to be written to the audit trail; past it, a host's surplus is summarized. */
  maxQueuedEvents: number;
}

export const AGENT_LIMITS: AgentLimits = {
  messagesPerSecond: 500,
  messageBurst: 5_000,
  bytesPerSecond: 4 * 1024 * 1024,
  byteBurst: 32 * 1024 * 1024,
  eventsPerSecond: 1_000,
  eventBurst: 20_000,
  maxContainers: 10_000,
  maxImages: 10_000,
  maxQueuedEvents: 20_000,
};

/** Tokens refill continuously at `rate` a second up to `burst`. */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly rate: number,
    private readonly burst: number,
    now = Date.now(),
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Takes `n` tokens (going into debt if there are not enough); returns how many ms until the debt is paid. */
  take(n: number, now = Date.now()): number {
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.at) / 1000) * this.rate);
    this.at = now;
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }
}

/** One agent connection's budget on messages, bytes and engine events. */
export class MessageBudget {
  private readonly messages: TokenBucket;
  private readonly bytes: TokenBucket;
  private readonly events: TokenBucket;

  constructor(limits: AgentLimits, now = Date.now()) {
    this.messages = new TokenBucket(limits.messagesPerSecond, limits.messageBurst, now);
    this.bytes = new TokenBucket(limits.bytesPerSecond, limits.byteBurst, now);
    this.events = new TokenBucket(limits.eventsPerSecond, limits.eventBurst, now);
  }

  /** How long to stop reading this agent after a message with `count` engine events (0: go on). */
  chargeEvents(count: number, now = Date.now()): number {
    return this.events.take(count, now);
  }

  /** How long to stop reading this agent after a message of `size` bytes (0: go on). */
  charge(size: number, now = Date.now()): { waitMs: number; over: "messages" | "bytes" | null } {
    const m = this.messages.take(1, now);
    const b = this.bytes.take(size, now);
    if (m === 0 && b === 0) return { waitMs: 0, over: null };
    return { waitMs: Math.max(m, b), over: m >= b ? "messages" : "bytes" };
  }
}

/** Why a host is flagged, for its row in the UI; cleared a while after the last time a limit was hit. */
export interface HostLimitFlag {
  reason: string;
  at: number;
}

export const LIMIT_FLAG_CLEARS_AFTER_MS = 60_000;
