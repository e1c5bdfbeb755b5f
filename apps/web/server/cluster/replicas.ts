import crypto from "node:crypto";
import { EventEmitter } from "node:events";
import { z } from "zod";
import type { Logger } from "../logger";
import type { Bus } from "./bus";

const ANNOUNCE_EVERY_MS = 2_000;
/** A replica not heard from for this long is gone: its agents' hosts go offline until they reconnect elsewhere. */
export const REPLICA_SILENCE_MS = 8_000;
/** Margin over the callee's own deadline before the caller gives up on a call. */
const CALL_MARGIN_MS = 5_000;

export interface Peer {
  id: string;
  /** Where other replicas reach it directly (its REPLICA_URL): for proxied WebSocket upgrades. */
  url: string;
  lastSeen: number;
}

/** An error the other replica answered with (or the loss of that replica), by code like an agent's. */
export class ReplicaCallError extends Error {
  constructor(readonly body: { code: string; message: string }) {
    super(body.message);
  }
}

export interface CallIO {
  progress(progress: unknown): void;
  signal: AbortSignal;
}

type Handler = (params: unknown, io: CallIO) => Promise<unknown>;

const ReplicaId = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/);
const CallId = z.string().min(1).max(64);
/** Signed by a replica (bus-seal.ts), and still checked: a replica of another version may say something else. */
const PresenceMessage = z.discriminatedUnion("t", [
  z.object({ t: z.literal("alive"), id: ReplicaId, url: z.string().max(2048) }),
  z.object({ t: z.literal("leaving"), id: ReplicaId }),
]);
type PresenceMessage = z.infer<typeof PresenceMessage>;
const CallMessage = z.union([
  z.object({ t: z.literal("call"), id: CallId, from: ReplicaId, method: z.string().min(1).max(64), params: z.unknown(), timeoutMs: z.number().int().positive().max(24 * 3_600_000) }),
  z.object({ t: z.literal("cancel"), id: CallId }),
  z.object({ t: z.literal("progress"), id: CallId, progress: z.unknown() }),
  z.object({ t: z.literal("result"), id: CallId, ok: z.literal(true), value: z.unknown() }),
  z.object({ t: z.literal("result"), id: CallId, ok: z.literal(false), error: z.object({ code: z.string().max(64), message: z.string().max(8192) }) }),
]);
type CallMessage = z.infer<typeof CallMessage>;

/** Where a message went wrong, without its values. */
function issuesOf(error: z.ZodError): string[] {
  return error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(message)"}: ${i.code}`);
}

interface PendingCall {
  replica: string;
  resolve(value: unknown): void;
  reject(err: Error): void;
  touch(): void;
  done(): void;
  onProgress?: (progress: unknown) => void;
}

/**
 * This replica among the others: presence (each announces itself every 2 s; one silent for 8 s, or
 * one that said it is leaving, is gone) and calls to a chosen replica over the bus, with progress,
 * cancellation and a deadline. Alone (MemoryBus) there are no peers and nothing is ever called.
 */
export class Replicas extends EventEmitter<{ down: [string] }> {
  private readonly peers = new Map<string, Peer>();
  private readonly handlers = new Map<string, Handler>();
  private readonly pending = new Map<string, PendingCall>();
  /** Calls this replica is serving, so the caller can cancel them. */
  private readonly serving = new Map<string, AbortController>();
  private timer: NodeJS.Timeout | null = null;
  private announcedAt = 0;
  /** Sent by a replica that forwards a connection to another, so the receiver trusts the client address it names. */
  readonly linkToken: string;

  /** Where the others reach this replica; known once it listens. */
  url = "";

  constructor(
    private readonly bus: Bus,
    readonly id: string,
    secret: string,
    private readonly log: Logger,
  ) {
    super();
    this.linkToken = crypto.createHmac("sha256", secret).update("stevedore replica link").digest("base64url");
  }

  async start(url: string): Promise<void> {
    this.url = url;
    if (!this.bus.clustered) return;
    await this.bus.subscribe("presence", (m) => {
      const parsed = PresenceMessage.safeParse(m);
      if (parsed.success) this.onPresence(parsed.data);
      else this.log.warn({ channel: "presence", issues: issuesOf(parsed.error) }, "ignored a presence message of unknown shape");
    });
    await this.bus.subscribe(`replica:${this.id}`, (m) => {
      const parsed = CallMessage.safeParse(m);
      if (parsed.success) this.onCallMessage(parsed.data);
      else this.log.warn({ channel: `replica:${this.id}`, issues: issuesOf(parsed.error) }, "ignored a call message of unknown shape");
    });
    this.announce();
    this.timer = setInterval(() => {
      const now = Date.now();
      if (now - this.announcedAt >= ANNOUNCE_EVERY_MS) this.announce();
      for (const p of this.peers.values()) if (now - p.lastSeen > REPLICA_SILENCE_MS) this.lose(p.id, "silent");
    }, 1_000);
    this.timer.unref();
  }

  peer(id: string): Peer | null {
    return this.peers.get(id) ?? null;
  }

  isAlive(id: string): boolean {
    return id === this.id || this.peers.has(id);
  }

  handle(method: string, handler: Handler): void {
    this.handlers.set(method, handler);
  }

  /** Runs `method` on replica `replicaId`; it must answer (or report progress) within `timeoutMs` plus a margin. */
  call(replicaId: string, method: string, params: unknown, opts: { timeoutMs: number; onProgress?: (p: unknown) => void; signal?: AbortSignal }): Promise<unknown> {
    if (!this.peers.has(replicaId)) return Promise.reject(new ReplicaCallError({ code: "host_offline", message: "the replica holding this host's agent is gone" }));
    const id = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const onAbort = () => this.bus.publish(`replica:${replicaId}`, { t: "cancel", id } satisfies CallMessage);
      const done = () => {
        clearTimeout(timer);
        opts.signal?.removeEventListener("abort", onAbort);
        this.pending.delete(id);
      };
      const touch = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          done();
          onAbort();
          reject(new ReplicaCallError({ code: "timeout", message: `replica ${replicaId} did not answer ${method} in time` }));
        }, opts.timeoutMs + CALL_MARGIN_MS);
      };
      touch();
      opts.signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(id, { replica: replicaId, resolve, reject, touch, done, onProgress: opts.onProgress });
      this.bus.publish(`replica:${replicaId}`, { t: "call", id, from: this.id, method, params, timeoutMs: opts.timeoutMs } satisfies CallMessage);
    });
  }

  /** Tells the others at once, so they need not wait out the silence. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.bus.clustered) this.bus.publish("presence", { t: "leaving", id: this.id } satisfies PresenceMessage);
    for (const c of this.serving.values()) c.abort();
    for (const p of [...this.pending.values()]) {
      p.done();
      p.reject(new ReplicaCallError({ code: "unavailable", message: "the control plane is shutting down" }));
    }
  }

  private announce(): void {
    this.announcedAt = Date.now();
    this.bus.publish("presence", { t: "alive", id: this.id, url: this.url } satisfies PresenceMessage);
  }

  private onPresence(m: PresenceMessage): void {
    if (m.t === "leaving") return this.lose(m.id, "leaving");
    const known = this.peers.get(m.id);
    if (known) {
      known.lastSeen = Date.now();
      known.url = m.url;
      return;
    }
    this.peers.set(m.id, { id: m.id, url: m.url, lastSeen: Date.now() });
    this.log.info({ replica: m.id, url: m.url }, "replica joined");
    // A newcomer announces itself at once, so it learns about us without waiting for our next beat.
    this.announce();
  }

  private lose(id: string, why: string): void {
    if (!this.peers.delete(id)) return;
    this.log.warn({ replica: id, why }, "replica gone");
    for (const p of [...this.pending.values()]) {
      if (p.replica !== id) continue;
      p.done();
      p.reject(new ReplicaCallError({ code: "host_offline", message: "the replica holding this host's agent went away before answering" }));
    }
    this.emit("down", id);
  }

  private onCallMessage(m: CallMessage): void {
    switch (m.t) {
      case "call":
        void this.serve(m);
        return;
      case "cancel":
        this.serving.get(m.id)?.abort();
        return;
      case "progress": {
        const p = this.pending.get(m.id);
        p?.touch();
        p?.onProgress?.(m.progress);
        return;
      }
      case "result": {
        const p = this.pending.get(m.id);
        if (!p) return;
        p.done();
        if (m.ok) p.resolve(m.value);
        else p.reject(new ReplicaCallError(m.error));
      }
    }
  }

  private async serve(m: Extract<CallMessage, { t: "call" }>): Promise<void> {
    const reply = (msg: CallMessage) => this.bus.publish(`replica:${m.from}`, msg);
    const handler = this.handlers.get(m.method);
    if (!handler) return reply({ t: "result", id: m.id, ok: false, error: { code: "bad_request", message: `replica ${this.id} does not serve ${m.method}` } });
    const controller = new AbortController();
    this.serving.set(m.id, controller);
    try {
      const value = await handler(m.params, { progress: (progress) => reply({ t: "progress", id: m.id, progress }), signal: controller.signal });
      reply({ t: "result", id: m.id, ok: true, value });
    } catch (err) {
      const body = (err as { body?: { code?: unknown; message?: unknown } }).body;
      const error = typeof body?.code === "string" && typeof body.message === "string" ? { code: body.code, message: body.message } : { code: "unexpected", message: err instanceof Error ? err.message : String(err) };
      reply({ t: "result", id: m.id, ok: false, error });
    } finally {
      this.serving.delete(m.id);
    }
  }
}
