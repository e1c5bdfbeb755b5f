import { Redis, type RedisOptions } from "ioredis";
import type { Logger } from "../logger";
import { type BusRejectionCounts, BusRejections } from "./bus-rejections";
import { BusSeal } from "./bus-seal";
import { ReplayGuard } from "./replay-guard";

/**
 * What replicas of the control plane share: pub/sub channels and short-lived keys (tickets, who owns
 * a stream or a terminal session). One process alone uses `MemoryBus`, where a publish reaches no one
 * (there is no other replica) and keys live in memory; several replicas use `RedisBus`.
 */
export interface Bus {
  readonly clustered: boolean;
  /** Never delivered back to this process. */
  publish(channel: string, message: unknown): void;
  subscribe(channel: string, handler: (message: unknown) => void): Promise<void>;
  setKey(key: string, value: string, ttlMs: number): Promise<void>;
  getKey(key: string): Promise<string | null>;
  /** Counts a hit in a window that starts with the first one and lasts `ttlMs` (rate limits). */
  increment(key: string, ttlMs: number): Promise<number>;
  /** Reads and deletes in one step: the value is handed out once (single-use tickets). */
  takeKey(key: string): Promise<string | null>;
  deleteKey(key: string): Promise<void>;
  /** Fields of a hash (e.g. live terminal sessions by id). */
  setField(key: string, field: string, value: string): Promise<void>;
  getField(key: string, field: string): Promise<string | null>;
  deleteField(key: string, field: string): Promise<void>;
  fields(key: string): Promise<Record<string, string>>;
  /** Whether the shared store answers (readiness). */
  ping(): Promise<boolean>;
  /** Messages and stored values refused since start, by reason (none alone: there is no one else). */
  rejections(): BusRejectionCounts;
  close(): Promise<void>;
}

export class MemoryBus implements Bus {
  readonly clustered = false;
  private readonly keys = new Map<string, { value: string; expiresAt: number }>();
  private readonly hashes = new Map<string, Map<string, string>>();

  publish(): void {}

  async subscribe(): Promise<void> {}

  async setKey(key: string, value: string, ttlMs: number): Promise<void> {
    const now = Date.now();
    // Expired keys go on writes, so the map stays as small as what is live.
    for (const [k, v] of this.keys) if (v.expiresAt <= now) this.keys.delete(k);
    this.keys.set(key, { value, expiresAt: now + ttlMs });
  }

  async getKey(key: string): Promise<string | null> {
    const entry = this.keys.get(key);
    return entry && entry.expiresAt > Date.now() ? entry.value : null;
  }

  async increment(key: string, ttlMs: number): Promise<number> {
    const count = Number((await this.getKey(key)) ?? 0) + 1;
    const expiresAt = this.keys.get(key)?.expiresAt;
    await this.setKey(key, String(count), count === 1 || !expiresAt ? ttlMs : expiresAt - Date.now());
    return count;
  }

  async takeKey(key: string): Promise<string | null> {
    const value = await this.getKey(key);
    this.keys.delete(key);
    return value;
  }

  async deleteKey(key: string): Promise<void> {
    this.keys.delete(key);
  }

  async setField(key: string, field: string, value: string): Promise<void> {
    let hash = this.hashes.get(key);
    if (!hash) this.hashes.set(key, (hash = new Map()));
    hash.set(field, value);
  }

  async getField(key: string, field: string): Promise<string | null> {
    return this.hashes.get(key)?.get(field) ?? null;
  }

  async deleteField(key: string, field: string): Promise<void> {
    this.hashes.get(key)?.delete(field);
  }

  async fields(key: string): Promise<Record<string, string>> {
    return Object.fromEntries(this.hashes.get(key) ?? []);
  }

  async ping(): Promise<boolean> {
    return true;
  }

  rejections(): BusRejectionCounts {
    return { unsigned: 0, bad_signature: 0, stale: 0, replayed: 0, bad_value: 0 };
  }

  async close(): Promise<void> {}
}

/** Every key and channel is under this prefix, so one Redis can serve other things too. */
const PREFIX = "stevedore:";

/**
 * Redis pub/sub and keys (ioredis). A subscribed connection can do nothing else, hence two. Redis is
 * not trusted (bus-seal.ts): every message is sealed and signed by its sender, and one unsigned,
 * badly signed, out of the time window or seen before is dropped and counted; every stored value is
 * signed for its key (and field), and one that is not is treated as absent and counted. A replica
 * skips its own messages; Redis delivers one publisher's messages on a channel in the order they were
 * published, which the fleet replication relies on.
 */
export class RedisBus implements Bus {
  readonly clustered = true;
  private readonly pub: Redis;
  private readonly sub: Redis;
  private readonly handlers = new Map<string, (message: unknown) => void>();
  private readonly seal: BusSeal;
  private readonly replays = new ReplayGuard();
  private readonly refused: BusRejections;
  private lastError: string | null = null;

  constructor(
    url: string,
    readonly replicaId: string,
    private readonly log: Logger,
    private readonly opts: { busKey: string; tlsCa?: string; lag?: { observe(seconds: number): void } },
  ) {
    this.seal = new BusSeal(opts.busKey);
    this.refused = new BusRejections(log);
    // Commands wait (queued) while Redis reconnects rather than failing at once; ready() reports the outage.
    // rediss:// turns TLS on by itself (verified against the system's CAs); a private CA is added here.
    const options: RedisOptions = { maxRetriesPerRequest: 3, connectTimeout: 5_000, lazyConnect: true, ...(opts.tlsCa && { tls: { ca: opts.tlsCa } }) };
    this.pub = new Redis(url, { ...options, connectionName: `stevedore-${replicaId}` });
    this.sub = new Redis(url, { ...options, connectionName: `stevedore-${replicaId}-sub` });
    for (const [name, conn] of [["commands", this.pub], ["subscriber", this.sub]] as const) {
      conn.on("error", (err: Error) => {
        this.lastError = err.message;
        // ioredis listens `once` for a socket's error; a failed TLS handshake can raise a second one
        // (the server's alert) on the same dead socket, which would otherwise go uncaught.
        if (conn.stream && conn.stream.listenerCount("error") === 0) conn.stream.on("error", () => {});
        log.warn({ err: err.message, connection: name }, "redis connection error");
      });
    }
    this.sub.on("messageBuffer", (channelBytes: Buffer, payload: Buffer) => this.receive(channelBytes.toString().slice(PREFIX.length), payload));
  }

  /** Fails with the reason when Redis cannot be reached, so a misconfigured replica does not start. */
  async connect(): Promise<void> {
    try {
      await Promise.all([this.pub.connect(), this.sub.connect()]);
    } catch (err) {
      // ioredis rejects with "Connection is closed"; the reason (a certificate, WRONGPASS) came as an error event.
      const { host, port } = this.pub.options;
      this.pub.disconnect();
      this.sub.disconnect();
      throw new Error(`cannot use Redis at ${host}:${port}: ${this.lastError ?? (err as Error).message}`);
    }
  }

  publish(channel: string, message: unknown): void {
    void this.pub.publish(PREFIX + channel, this.seal.seal(channel, this.replicaId, message)).catch((err: unknown) => {
      this.log.warn({ err: (err as Error).message, channel }, "bus publish failed");
    });
  }

  async subscribe(channel: string, handler: (message: unknown) => void): Promise<void> {
    this.handlers.set(channel, handler);
    await this.sub.subscribe(PREFIX + channel);
  }

  async setKey(key: string, value: string, ttlMs: number): Promise<void> {
    await this.pub.set(PREFIX + key, this.seal.signValue(key, null, value, Date.now() + ttlMs), "PX", ttlMs);
  }

  async getKey(key: string): Promise<string | null> {
    return this.verified(key, null, await this.pub.get(PREFIX + key));
  }

  /** Not signed: a counter changes with every hit (see SECURITY.md for what this leaves open). */
  async increment(key: string, ttlMs: number): Promise<number> {
    // One script, so the window's expiry is set with its first hit, atomically.
    const script = "local n = redis.call('INCR', KEYS[1]) if n == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end return n";
    return Number(await this.pub.eval(script, 1, PREFIX + key, ttlMs));
  }

  async takeKey(key: string): Promise<string | null> {
    return this.verified(key, null, await this.pub.getdel(PREFIX + key));
  }

  async deleteKey(key: string): Promise<void> {
    await this.pub.del(PREFIX + key);
  }

  async setField(key: string, field: string, value: string): Promise<void> {
    await this.pub.hset(PREFIX + key, field, this.seal.signValue(key, field, value, null));
  }

  async getField(key: string, field: string): Promise<string | null> {
    return this.verified(key, field, await this.pub.hget(PREFIX + key, field));
  }

  async deleteField(key: string, field: string): Promise<void> {
    await this.pub.hdel(PREFIX + key, field);
  }

  async fields(key: string): Promise<Record<string, string>> {
    const fields: Record<string, string> = {};
    for (const [field, stored] of Object.entries(await this.pub.hgetall(PREFIX + key))) {
      const value = this.verified(key, field, stored);
      if (value !== null) fields[field] = value;
    }
    return fields;
  }

  async ping(): Promise<boolean> {
    if (this.pub.status !== "ready" || this.sub.status !== "ready") return false;
    return (await this.pub.ping().catch(() => null)) === "PONG";
  }

  rejections(): BusRejectionCounts {
    return this.refused.snapshot();
  }

  async close(): Promise<void> {
    this.handlers.clear();
    await Promise.allSettled([this.pub.quit(), this.sub.quit()]);
  }

  private receive(channel: string, payload: Buffer): void {
    const handler = this.handlers.get(channel);
    if (!handler) return;
    const opened = this.seal.open(channel, payload.toString("utf8"));
    if (!opened.ok) return this.refused.count(opened.reason, { channel });
    // Redis hands a publisher its own messages too; they need no second look.
    if (opened.from === this.replicaId) return;
    if (!this.replays.firstSight(opened.id, opened.ts)) return this.refused.count("replayed", { channel });
    // Publish to delivery, by the publisher's clock: within the seal's allowed skew, so a rough figure.
    this.opts.lag?.observe(Math.max(0, Date.now() - opened.ts) / 1000);
    try {
      handler(opened.payload);
    } catch (err) {
      this.log.error({ err, channel }, "handling a bus message failed");
    }
  }

  private verified(key: string, field: string | null, stored: string | null): string | null {
    if (stored === null) return null;
    const value = this.seal.openValue(key, field, stored);
    if (value === null) this.refused.count("bad_value", { key });
    return value;
  }
}
