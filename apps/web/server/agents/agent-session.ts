import crypto from "node:crypto";
import WebSocket from "ws";
import type { z } from "zod";
import {
  AgentMessage,
  AgentMethods,
  CloseCode,
  AGENT_SILENCE_LIMIT_MS,
  HEARTBEAT_INTERVAL_MS,
  HEARTBEAT_TIMEOUT_MS,
  PING_AFTER_SILENCE_MS,
  PING_AT_LEAST_EVERY_MS,
  PROTOCOL_VERSION,
  protocolOf,
  specFieldsTooNew,
  SUPPORTED_PROTOCOL_VERSIONS,
  decodeMessage,
  encodeMessage,
  type AgentMethod,
  type AgentMethodParams,
  type AgentMethodProgress,
  type AgentMethodResult,
  type ControlMessage,
  type ErrorBody,
  type HelloMessage,
} from "@stevedore/protocol";
import type { Logger } from "../logger";
import { AGENT_LIMITS, type AgentLimits, MessageBudget } from "./agent-limits";

const HELLO_TIMEOUT_MS = 10_000;
export const REQUEST_TIMEOUT_MS = 15_000;

/** A request that the agent answered with an error, or that never got an answer. */
export class AgentRequestError extends Error {
  constructor(readonly body: ErrorBody) {
    super(body.message);
  }
}

export interface AgentSessionEvents {
  /** Where the agent should replay engine events from (sent in welcome). */
  eventsSince(): string | undefined;
  onHello(hello: HelloMessage): void | Promise<void>;
  onMessage(msg: Exclude<AgentMessage, { type: "hello" | "heartbeat" | "response" }>): void;
  onSeen(): void;
  /** The agent went past one of its limits (it is being slowed down); `reason` is for its host's row. */
  onLimited(reason: string): void;
  /** Its hello named a protocol version this control plane does not speak; the connection is being closed. */
  onRefusedProtocol(agentVersion: number): void;
  onClose(): void;
}

export interface RequestOptions<M extends AgentMethod> {
  /** Without an answer (or, for a request that reports progress, without progress) for this long, it fails. */
  timeoutMs?: number;
  onProgress?: (progress: AgentMethodProgress<M>) => void;
  /** Aborting sends `cancel`; the agent stops and answers with a `cancelled` error. */
  signal?: AbortSignal;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (err: Error) => void;
  /** Restarts the timeout (progress counts as life). */
  touch: () => void;
  done: () => void;
  method: AgentMethod;
  onProgress?: (progress: never) => void;
}

/**
 * Every session's heartbeat and silence check, done by ONE timer a second for all of them: a timer
 * per session would be 20,000 callbacks a second on a fleet of 20,000 hosts.
 */
const live = new Set<AgentSession>();
let sweep: NodeJS.Timeout | null = null;
function watchLiveness(session: AgentSession): void {
  live.add(session);
  sweep ??= setInterval(() => {
    const now = Date.now();
    for (const s of live) s.checkLiveness(now);
  }, 1_000);
  sweep.unref();
}
function unwatchLiveness(session: AgentSession): void {
  live.delete(session);
  if (live.size === 0 && sweep) {
    clearInterval(sweep);
    sweep = null;
  }
}

/**
 * One agent's control connection: hello and version agreement, liveness, validation of every
 * message, and request/response matching. A bad message is answered with a protocol error and
 * logged; it never closes the connection or touches any other host's.
 */
export class AgentSession {
  private helloed = false;
  /** Agreed in hello; from 2 on, liveness is WebSocket ping/pong instead of heartbeat messages. */
  private protocolVersion = 0;

  get protocol(): number {
    return this.protocolVersion;
  }
  private lastHeard = Date.now();
  private lastSent = 0;
  private readonly pending = new Map<string, Pending>();
  private readonly timers: NodeJS.Timeout[] = [];
  private closed = false;
  /** Reading is paused while the agent is over its message budget. */
  private throttled: NodeJS.Timeout | null = null;
  private readonly budget: MessageBudget;
  readonly openedAt = Date.now();

  constructor(
    readonly hostId: string,
    private readonly ws: WebSocket,
    private readonly log: Logger,
    private readonly events: AgentSessionEvents,
    private readonly limits: AgentLimits = AGENT_LIMITS,
  ) {
    this.budget = new MessageBudget(limits);
    ws.on("message", (data: Buffer, isBinary) => {
      this.charge(data.length);
      try {
        this.onFrame(data, isBinary);
      } catch (err) {
        // A bug in handling one message must not take down the process or other hosts' connections.
        log.error({ err }, "failed to handle an agent message");
        this.send({ type: "error", code: "unexpected", message: "the control plane failed to handle this message" });
      }
    });
    ws.on("pong", () => this.heard());
    ws.on("close", () => this.onClosed());
    ws.on("error", (err) => log.debug({ err: err.message }, "agent socket error"));
    this.timers.push(
      setTimeout(() => {
        if (!this.helloed) this.close(1008, "no hello within 10 s");
      }, HELLO_TIMEOUT_MS),
    );
    watchLiveness(this);
  }

  /**
   * Over budget, the socket is not read until the debt is paid: the agent's sends back up into its
   * own buffers (TCP flow control), and nothing it sends costs this process more than its budget.
   */
  private charge(size: number): void {
    const { waitMs, over } = this.budget.charge(size);
    if (waitMs === 0) return;
    this.pauseReading(waitMs, over === "messages" ? `${this.limits.messagesPerSecond} messages` : `${this.limits.bytesPerSecond / 1024 / 1024} MiB`);
  }

  /** A message with `count` engine events was read: they have a budget of their own. */
  chargeEvents(count: number): void {
    const waitMs = this.budget.chargeEvents(count);
    if (waitMs > 0) this.pauseReading(waitMs, `${this.limits.eventsPerSecond} engine events`);
  }

  private pauseReading(waitMs: number, rate: string): void {
    if (this.throttled || this.closed) return;
    this.log.warn({ waitMs, over: rate }, "agent over its budget; reading paused");
    this.events.onLimited(`sent more than ${rate} a second; slowed down`);
    this.ws.pause();
    this.throttled = setTimeout(() => {
      this.throttled = null;
      // Not hearing it while we chose not to read is not silence.
      this.lastHeard = Date.now();
      if (!this.closed) this.ws.resume();
    }, waitMs);
  }

  /** Checked every second, so a silent agent is dropped within its silence limit + 1 s. */
  checkLiveness(now: number): void {
    if (this.throttled) return;
    const v2 = this.protocolVersion >= 2;
    const silence = now - this.lastHeard;
    const quiet = now - this.lastSent;
    if (silence > (v2 ? AGENT_SILENCE_LIMIT_MS : HEARTBEAT_TIMEOUT_MS)) {
      this.log.warn("agent silent past the liveness limit; dropping it");
      unwatchLiveness(this);
      this.ws.terminate();
      return;
    }
    if (!this.helloed) return;
    if (!v2) {
      if (quiet >= HEARTBEAT_INTERVAL_MS) this.send({ type: "heartbeat", sentAt: now });
      return;
    }
    // One ping per silence (its pong ends it), and one whenever the agent has heard nothing for a while.
    if ((silence >= PING_AFTER_SILENCE_MS && quiet >= AGENT_SILENCE_LIMIT_MS - PING_AFTER_SILENCE_MS) || quiet >= PING_AT_LEAST_EVERY_MS) {
      if (this.ws.readyState !== WebSocket.OPEN) return;
      this.ws.ping();
      this.lastSent = now;
    }
  }

  private heard(): void {
    this.lastHeard = Date.now();
    this.events.onSeen();
  }

  send(msg: ControlMessage): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(encodeMessage(msg));
    this.lastSent = Date.now();
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.close(code, reason);
    // A peer that does not finish the close handshake is cut off.
    setTimeout(() => this.ws.terminate(), 2_000).unref();
  }

  /** Sends a request to the agent and resolves with its validated result. */
  request<M extends AgentMethod>(method: M, params: AgentMethodParams<M>, options: RequestOptions<M> = {}): Promise<AgentMethodResult<M>> {
    if (this.closed) return Promise.reject(new AgentRequestError({ code: "host_offline", message: "the host's agent is not connected" }));
    const { timeoutMs = REQUEST_TIMEOUT_MS, signal } = options;
    if (signal?.aborted) return Promise.reject(new AgentRequestError({ code: "cancelled", message: "cancelled" }));
    // An older agent would answer a method it does not know with a protocol error: say what to do instead.
    const since = protocolOf(method);
    if (this.protocolVersion > 0 && this.protocolVersion < since) {
      return Promise.reject(new AgentRequestError({ code: "upgrade_required", message: `this host's agent is too old for ${method} (it speaks protocol ${this.protocolVersion}, ${method} needs ${since}): upgrade the agent` }));
    }
    const tooNew = this.protocolVersion > 0 ? specFieldsTooNew(params, this.protocolVersion) : [];
    if (tooNew.length > 0) {
      return Promise.reject(new AgentRequestError({ code: "upgrade_required", message: `this host's agent is too old for ${tooNew.join(", ")} (it speaks protocol ${this.protocolVersion}): upgrade the agent, or run without ${tooNew.length === 1 ? "it" : "them"}` }));
    }
    const requestId = crypto.randomUUID();
    return new Promise((resolve, reject) => {
      let timer: NodeJS.Timeout;
      const touch = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          this.pending.delete(requestId);
          done();
          reject(new AgentRequestError({ code: "timeout", message: `the agent did not answer ${method} within ${timeoutMs / 1000} s` }));
          // The agent may still be working on it: tell it to stop.
          this.send({ type: "cancel", requestId });
        }, timeoutMs);
      };
      const onAbort = () => this.send({ type: "cancel", requestId });
      const done = () => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
      };
      touch();
      signal?.addEventListener("abort", onAbort, { once: true });
      this.pending.set(requestId, { resolve: resolve as (v: unknown) => void, reject, touch, done, method, onProgress: options.onProgress as ((p: never) => void) | undefined });
      this.send({ type: "request", requestId, method, params } as ControlMessage);
    });
  }

  private onFrame(data: Buffer, isBinary: boolean): void {
    this.heard();
    const decoded = isBinary
      ? ({ ok: false, error: { code: "bad_message", message: "binary frames are not part of the protocol" } } as const)
      : decodeMessage(AgentMessage, data);
    if (!decoded.ok) {
      this.protocolError(decoded.error);
      return;
    }
    const msg = decoded.message;
    if (!this.helloed) {
      if (msg.type !== "hello") {
        this.protocolError({ code: "bad_message", message: `expected hello first, got "${msg.type}"` });
        return;
      }
      this.onHello(msg);
      return;
    }
    switch (msg.type) {
      case "hello":
        this.protocolError({ code: "bad_message", message: "hello was already received on this connection" });
        return;
      case "heartbeat": // protocol 1
        return;
      case "response":
        this.onResponse(msg);
        return;
      case "progress":
        this.onProgress(msg);
        return;
      default:
        this.events.onMessage(msg);
    }
  }

  private onHello(hello: HelloMessage): void {
    if (!SUPPORTED_PROTOCOL_VERSIONS.includes(hello.protocolVersion)) {
      const message = `agent protocol ${hello.protocolVersion} is not supported; this control plane speaks ${SUPPORTED_PROTOCOL_VERSIONS.join(", ")}: upgrade the agent${hello.protocolVersion > PROTOCOL_VERSION ? " or the control plane" : ""}`;
      this.log.warn({ agentProtocol: hello.protocolVersion }, "agent protocol version refused");
      this.send({ type: "error", code: "upgrade_required", message });
      this.events.onRefusedProtocol(hello.protocolVersion);
      this.close(CloseCode.upgradeRequired, message.slice(0, 120));
      return;
    }
    this.helloed = true;
    this.protocolVersion = hello.protocolVersion;
    this.send({ type: "welcome", hostId: this.hostId, protocolVersion: hello.protocolVersion, eventsSince: this.events.eventsSince() });
    void Promise.resolve(this.events.onHello(hello)).catch((err: unknown) => this.log.error({ err }, "handling hello failed"));
  }

  private onProgress(msg: Extract<AgentMessage, { type: "progress" }>): void {
    const p = this.pending.get(msg.requestId);
    if (!p) return;
    const schema = (AgentMethods[p.method] as { progress?: z.ZodType }).progress;
    const parsed = schema?.safeParse(msg.progress);
    if (!parsed?.success) {
      this.protocolError({ code: "bad_message", message: `malformed progress for ${p.method}` });
      return;
    }
    p.touch();
    p.onProgress?.(parsed.data as never);
  }

  private onResponse(msg: Extract<AgentMessage, { type: "response" }>): void {
    const p = this.pending.get(msg.requestId);
    if (!p) {
      this.log.debug({ requestId: msg.requestId }, "response to an unknown or expired request");
      return;
    }
    this.pending.delete(msg.requestId);
    p.done();
    if (!msg.ok) {
      p.reject(new AgentRequestError(msg.error));
      return;
    }
    const result = AgentMethods[p.method].result.safeParse(msg.result);
    if (result.success) p.resolve(result.data);
    else p.reject(new AgentRequestError({ code: "bad_message", message: `the agent's ${p.method} result is malformed` }));
  }

  private protocolError(error: ErrorBody): void {
    this.log.warn({ code: error.code, message: error.message.slice(0, 300) }, "bad message from agent");
    this.send({ type: "error", ...error });
  }

  private onClosed(): void {
    if (this.closed) return;
    this.closed = true;
    unwatchLiveness(this);
    for (const t of this.timers) clearTimeout(t);
    if (this.throttled) clearTimeout(this.throttled);
    for (const p of this.pending.values()) {
      p.done();
      p.reject(new AgentRequestError({ code: "disconnected", message: "the host's agent disconnected before answering" }));
    }
    this.pending.clear();
    this.events.onClose();
  }
}
