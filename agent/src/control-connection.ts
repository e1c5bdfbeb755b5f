import os from "node:os";
import WebSocket from "ws";
import type { Logger } from "pino";
import {
  AGENT_SOCKET_PATH,
  AgentMethods,
  CloseCode,
  ControlMessage,
  HARD_MAX_MESSAGE_BYTES,
  CONTROL_SILENCE_LIMIT_MS,
  PROTOCOL_VERSION,
  decodeMessage,
  encodeMessage,
  formatIssues,
  type AgentMessage,
  type HostFacts,
  type RequestMessage,
  isInsecureUrl,
} from "@stevedore/protocol";
import { isCertificateError } from "./control-plane-http";
import { type Credentials, controlPlaneUrls } from "./credentials";
import type { AgentMetrics } from "./agent-metrics";
import type { HostSync } from "./host-sync";
import { ReconnectPolicy } from "./reconnect-policy";

/** What a request handler may use besides its params: progress reports and cancellation. */
export interface RequestIO {
  progress: (progress: unknown) => void;
  signal: AbortSignal;
}

/**
 * A request whose params do not validate (a run spec with a field the agent does not know) is answered
 * as that request, naming the fields ("spec.privileged: unknown field"), so the caller gets a clear
 * error instead of waiting for its timeout.
 */
function invalidRequestResponse(data: Buffer): AgentMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(data.toString("utf8"));
  } catch {
    return null;
  }
  const msg = json as { type?: unknown; requestId?: unknown; method?: unknown; params?: unknown };
  if (msg?.type !== "request" || typeof msg.requestId !== "string" || msg.requestId.length === 0 || msg.requestId.length > 64) return null;
  const method = typeof msg.method === "string" && Object.hasOwn(AgentMethods, msg.method) ? (msg.method as keyof typeof AgentMethods) : null;
  const checked = method ? AgentMethods[method].params.safeParse(msg.params) : null;
  const message = !method ? `unknown method ${JSON.stringify(String(msg.method).slice(0, 64))}` : checked && !checked.success ? formatIssues(checked.error.issues) : "invalid request";
  return { type: "response", requestId: msg.requestId, ok: false, error: { code: "bad_request", message: message.slice(0, 4096) } };
}

/** A refusal that retrying cannot fix: the agent stops and says why. */
export class FatalConnectionError extends Error {}

export interface ConnectionOptions {
  creds: Credentials;
  /** The pinned CA's certificate, the only one trusted; undefined: the system's CAs. */
  ca?: string;
  hostFacts: () => HostFacts;
  sync: HostSync;
  handleRequest: (req: RequestMessage, io: RequestIO) => Promise<AgentMessage>;
  log: Logger;
  onFatal: (err: FatalConnectionError) => void;
  metrics?: Pick<AgentMetrics, "connects" | "disconnects" | "connected">;
}

/**
 * The agent's one outbound WebSocket to the control plane: hello, liveness, requests
 * answered in parallel, and reconnection with backoff whenever the socket drops or goes silent.
 */
export class ControlConnection {
  private ws: WebSocket | null = null;
  private readonly retry = new ReconnectPolicy();
  private timers: NodeJS.Timeout[] = [];
  private lastHeard = 0;
  private stopped = false;
  /** Requests in flight, so `cancel` (or losing the connection) can stop them. */
  private readonly inFlight = new Map<string, AbortController>();
  private readonly urls: string[];
  private urlIndex = 0;
  private welcomed = false;

  constructor(private readonly opts: ConnectionOptions) {
    this.urls = controlPlaneUrls(opts.creds.url);
  }

  /** The control plane this agent is connected (or connecting) to; stream sockets dial the same one. */
  get currentUrl(): string {
    return this.urls[this.urlIndex]!;
  }

  start(): void {
    this.connect();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
    this.ws?.close(1001, "agent shutting down");
  }

  send(msg: AgentMessage): void {
    if (this.ws?.readyState !== WebSocket.OPEN) return;
    this.ws.send(encodeMessage(msg));
  }

  private connect(): void {
    const { creds, log } = this.opts;
    this.welcomed = false;
    const url = new URL(AGENT_SOCKET_PATH, this.currentUrl);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    // Only with --insecure-http (config refuses it otherwise), and said at every connect: the
    // credential and every command cross the network in clear text.
    const insecure = isInsecureUrl(this.currentUrl);
    if (insecure) log.warn({ url: this.currentUrl }, "INSECURE TRANSPORT (--insecure-http): plain http to another machine; anyone on the way can read this host's credential and command it as root");
    const ws = new WebSocket(url, {
      headers: { authorization: `Bearer ${creds.credential}`, "user-agent": `stevedore-agent (${os.hostname()})` },
      maxPayload: HARD_MAX_MESSAGE_BYTES,
      handshakeTimeout: 10_000,
      ...(this.opts.ca && { ca: this.opts.ca }),
    });
    this.ws = ws;

    ws.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401 || status === 403) {
        this.fail(new FatalConnectionError(status === 403 ? "this host was revoked by an administrator" : "the control plane does not know this host's credential"));
      } else {
        this.retry.refusedWith(status, Number(res.headers["retry-after"]));
        log.warn({ status }, "control plane refused the connection");
        ws.terminate();
      }
    });
    ws.on("open", () => {
      this.lastHeard = Date.now();
      this.send({
        type: "hello",
        protocolVersion: PROTOCOL_VERSION,
        host: { ...this.opts.hostFacts(), ...(insecure && { insecureTransport: true as const }) },
        engine: this.opts.sync.facts && this.opts.sync.engineUp ? this.opts.sync.facts : null,
        engineError: this.opts.sync.engineUp ? undefined : this.opts.sync.lastError,
      });
      // The control plane pings when it has sent nothing for a while (the socket answers with a pong
      // by itself); checked every second so a silent control plane is noticed within the limit + 1 s.
      this.timers.push(
        setInterval(() => {
          if (Date.now() - this.lastHeard <= CONTROL_SILENCE_LIMIT_MS) return;
          log.warn("nothing heard from the control plane within the liveness limit; reconnecting");
          ws.terminate();
        }, 1_000),
      );
    });
    ws.on("ping", () => (this.lastHeard = Date.now()));
    ws.on("message", (data: Buffer) => {
      try {
        this.onMessage(data);
      } catch (err) {
        log.error({ err }, "failed to handle a control-plane message");
      }
    });
    ws.on("close", (code, reason) => this.onClose(code, reason.toString()));
    ws.on("error", (err) => {
      // An untrusted certificate is worth saying at every try (a pin that no longer matches, a MITM);
      // the rest (refused, reset) is what reconnecting is for.
      if (isCertificateError(err)) {
        const why = this.opts.ca ? "not issued by the pinned CA, or not for this name" : 'not from a CA this system trusts, or not for this name; a private CA needs the --ca-pin from "Add host"';
        log.error({ url: this.currentUrl, err: err.message }, `the control plane's TLS certificate is not trusted (${why})`);
      } else {
        this.retry.failed((err as NodeJS.ErrnoException).code);
        log.debug({ err: err.message }, "control socket error");
      }
    });
  }

  private onMessage(data: Buffer): void {
    this.lastHeard = Date.now();
    const decoded = decodeMessage(ControlMessage, data);
    if (!decoded.ok) {
      this.opts.log.warn({ error: decoded.error }, "bad message from the control plane");
      this.send(invalidRequestResponse(data) ?? { type: "error", ...decoded.error });
      return;
    }
    const msg = decoded.message;
    switch (msg.type) {
      case "welcome":
        this.retry.connected();
        this.welcomed = true;
        this.opts.metrics?.connects.inc();
        this.opts.metrics?.connected.set(1);
        this.opts.log.info({ hostId: msg.hostId }, "connected to the control plane");
        void this.opts.sync.onControlConnected(msg.eventsSince);
        break;
      case "heartbeat":
        break;
      case "request": {
        const controller = new AbortController();
        this.inFlight.set(msg.requestId, controller);
        const io: RequestIO = { progress: (progress) => this.send({ type: "progress", requestId: msg.requestId, progress }), signal: controller.signal };
        void this.opts
          .handleRequest(msg, io)
          .then((res) => this.send(res))
          .finally(() => this.inFlight.delete(msg.requestId));
        break;
      }
      case "cancel":
        this.inFlight.get(msg.requestId)?.abort();
        break;
      case "error":
        this.opts.log.warn({ code: msg.code, message: msg.message }, "control plane reported an error");
        break;
    }
  }

  private onClose(code: number, reason: string): void {
    this.clearTimers();
    // No one is left to answer: work in flight (a pull) is stopped rather than left running.
    for (const c of this.inFlight.values()) c.abort();
    this.inFlight.clear();
    this.opts.sync.onControlDisconnected();
    this.ws = null;
    if (this.welcomed) {
      this.opts.metrics?.disconnects.inc();
      this.opts.metrics?.connected.set(0);
    }
    if (this.stopped) return;
    if (code === CloseCode.revoked || code === CloseCode.unauthorized || code === CloseCode.upgradeRequired) {
      this.fail(new FatalConnectionError(reason || `closed by the control plane (${code})`));
      return;
    }
    const delay = this.retry.closed(code);
    // A replica that cannot be reached (or turns us away): the next try goes to the next one listed.
    if (!this.welcomed) this.urlIndex = (this.urlIndex + 1) % this.urls.length;
    this.opts.log.info({ code, reason, retryInMs: delay }, "disconnected from the control plane");
    this.timers.push(setTimeout(() => this.connect(), delay));
  }

  private fail(err: FatalConnectionError): void {
    this.stopped = true;
    this.clearTimers();
    this.ws?.terminate();
    this.opts.onFatal(err);
  }

  private clearTimers(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers = [];
  }
}
