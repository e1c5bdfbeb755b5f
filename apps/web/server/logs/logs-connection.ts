import WebSocket from "ws";
import { LOG_FRAME_HEADER, LOGS_HIGH_WATER, LOGS_LOW_WATER, LogsClientMessage, MAX_LOG_STREAMS, decodeMessage, type LogsServerMessage } from "@stevedore/protocol";
import type { SessionUser } from "../auth";
import type { Logger } from "../logger";
import type { AgentLogLeg } from "./agent-log-leg";
import { asDomainError } from "../domain-error";
import { SendWindow } from "../send-window";
import type { ContainerRef, LogStreams } from "./log-streams";

/**
 * One browser's /logs socket: any number of container streams (the merged view), each its own agent
 * leg, tagged with the number the browser chose. Flow control: above LOGS_HIGH_WATER bytes behind
 * (unacknowledged, or not yet written to the socket: see SendWindow), every leg of THIS socket stops
 * being read until it is below LOGS_LOW_WATER, so the server holds at most about that much for it.
 */
export class LogsConnection {
  readonly window: SendWindow;
  private paused = false;
  private readonly legs = new Map<number, AgentLogLeg>();
  /** Stream numbers already used on this socket (a number is never reused, so late frames are unambiguous). */
  private readonly used = new Set<number>();
  private closed = false;

  constructor(
    private readonly ws: WebSocket,
    private readonly user: SessionUser,
    private readonly allowed: readonly ContainerRef[],
    private readonly streams: LogStreams,
    private readonly log: Logger,
  ) {
    this.window = new SendWindow(ws, () => this.resumeIfCaughtUp());
    ws.on("message", (data: Buffer, isBinary) => this.onMessage(data, isBinary));
    ws.on("close", () => this.close());
    ws.on("error", () => this.close());
  }

  close(code = 1000, reason = "closed"): void {
    if (this.closed) return;
    this.closed = true;
    for (const leg of this.legs.values()) leg.close();
    this.legs.clear();
    if (this.ws.readyState === WebSocket.OPEN) this.ws.close(code, reason.slice(0, 120));
  }

  private onMessage(data: Buffer, isBinary: boolean): void {
    const decoded = isBinary ? null : decodeMessage(LogsClientMessage, data);
    if (!decoded?.ok) {
      this.ws.close(1008, decoded ? decoded.error.message.slice(0, 120) : "binary frames are not expected");
      return;
    }
    const msg = decoded.message;
    if (msg.type === "ack") {
      this.window.ack(msg.bytes);
      this.resumeIfCaughtUp();
    } else if (msg.type === "close") {
      this.legs.get(msg.stream)?.close();
    } else {
      this.open(msg.stream, { hostId: msg.hostId, containerId: msg.containerId }, msg.options);
    }
  }

  private open(stream: number, ref: ContainerRef, options: Extract<LogsClientMessage, { type: "open" }>["options"]): void {
    const refuse = (message: string) => this.sendJson({ type: "ended", stream, reason: "error", message });
    if (this.used.has(stream)) return refuse(`stream number ${stream} was already used on this socket`);
    this.used.add(stream);
    if (this.legs.size >= MAX_LOG_STREAMS) return refuse(`at most ${MAX_LOG_STREAMS} containers at once`);
    if (!this.allowed.some((a) => a.hostId === ref.hostId && a.containerId === ref.containerId)) return refuse("this socket's ticket does not name that container");
    try {
      this.streams.assertMayRead(this.user, [ref]);
    } catch (err) {
      const refusal = asDomainError(err);
      if (refusal) return refuse(refusal.message);
      throw err;
    }
    const leg = this.streams.openLeg(ref, options, {
      started: (tty) => this.sendJson({ type: "started", stream, tty }),
      data: (frame) => this.relay(stream, frame),
      ended: (reason, message) => {
        this.legs.delete(stream);
        this.sendJson({ type: "ended", stream, reason, message });
      },
    });
    this.legs.set(stream, leg);
    if (this.paused) leg.pause();
  }

  /** Agent frame [kind, bytes…] → browser frame [stream (u32 BE), kind, bytes…]. */
  private relay(stream: number, frame: Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const out = Buffer.allocUnsafe(LOG_FRAME_HEADER - 1 + frame.length);
    out.writeUInt32BE(stream, 0);
    frame.copy(out, LOG_FRAME_HEADER - 1);
    this.window.send(out);
    if (!this.paused && this.window.behind > LOGS_HIGH_WATER) this.setPaused(true);
  }

  private resumeIfCaughtUp(): void {
    if (this.paused && !this.closed && this.window.behind < LOGS_LOW_WATER) this.setPaused(false);
  }

  private setPaused(paused: boolean): void {
    this.paused = paused;
    for (const leg of this.legs.values()) {
      if (paused) leg.pause();
      else leg.resume();
    }
    this.log.trace({ paused, behind: this.window.behind }, "log flow control");
  }

  private sendJson(msg: LogsServerMessage): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }
}
