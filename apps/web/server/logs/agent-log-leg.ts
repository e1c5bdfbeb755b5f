import WebSocket from "ws";
import { StreamAgentMessage, decodeMessage, type LogOptions, type LogsEndReason, type StreamControlMessage } from "@stevedore/protocol";
import type { Logger } from "../logger";

export interface LegEvents {
  started(tty: boolean): void;
  /** One agent frame: [kind (1 stdout, 2 stderr), bytes…]. */
  data(frame: Buffer): void;
  ended(reason: LogsEndReason, message?: string): void;
}

/**
 * One container's log stream between the control plane and an agent: the socket the agent dialled
 * back for it. Reading it can be paused (TCP then makes the agent pause the engine), which is how a
 * slow consumer (a browser, a download) holds back only its own streams.
 */
export class AgentLogLeg {
  private ws: WebSocket | null = null;
  private ended = false;
  private paused = false;

  constructor(
    readonly id: string,
    readonly hostId: string,
    private readonly start: { containerId: string; options: LogOptions },
    private readonly events: LegEvents,
    private readonly log: Logger,
  ) {}

  get isEnded(): boolean {
    return this.ended;
  }

  /** The agent's socket arrived: ask for the logs. */
  attach(ws: WebSocket): void {
    if (this.ended || this.ws) {
      ws.close(1008, "this stream is no longer wanted");
      return;
    }
    this.ws = ws;
    if (this.paused) ws.pause();
    ws.on("message", (data: Buffer, isBinary) => {
      if (isBinary) {
        if (data.length > 1 && !this.ended) this.events.data(data);
        return;
      }
      const decoded = decodeMessage(StreamAgentMessage, data);
      if (!decoded.ok) return this.log.warn({ error: decoded.error }, "bad message on a log stream");
      const msg = decoded.message;
      if (msg.type === "started") this.events.started(msg.tty);
      else if (msg.type === "logs.ended") this.end(msg.reason, msg.message);
    });
    ws.on("close", () => this.end("closed", "the host's agent closed the log stream"));
    ws.on("error", (err) => this.log.debug({ err: err.message }, "agent log stream error"));
    this.send({ type: "logs.start", containerId: this.start.containerId, options: this.start.options });
  }

  pause(): void {
    this.paused = true;
    this.ws?.pause();
  }

  resume(): void {
    this.paused = false;
    this.ws?.resume();
  }

  /** Ends it from this side (the consumer left, or the agent never dialled). */
  close(reason: LogsEndReason = "closed", message?: string): void {
    if (this.ended) return;
    this.send({ type: "close" });
    this.end(reason, message);
  }

  private end(reason: LogsEndReason, message?: string): void {
    if (this.ended) return;
    this.ended = true;
    if (this.ws) {
      this.ws.resume();
      this.ws.close(1000, "done");
      // An agent that does not finish the close handshake must not hold the socket.
      const ws = this.ws;
      setTimeout(() => ws.terminate(), 2_000).unref();
    }
    this.events.ended(reason, message);
  }

  private send(msg: StreamControlMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }
}
