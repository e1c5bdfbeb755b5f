import WebSocket from "ws";
import { LOG_FRAME_HEADER, LOGS_HIGH_WATER, LOGS_LOW_WATER, LogsClientMessage, MAX_LOG_STREAMS, RESTART_MARKER, decodeMessage, type LogOptions, type LogsServerMessage } from "@stevedore/protocol";
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
  /** Followed streams whose container stopped, each with the cancel of its wait for the next run. */
  private readonly waits = new Map<number, () => void>();
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
    for (const stream of [...this.waits.keys()]) this.stopWaiting(stream);
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
      this.stopWaiting(msg.stream);
    } else {
      this.open(msg.stream, { hostId: msg.hostId, containerId: msg.containerId }, msg.options);
    }
  }

  private open(stream: number, ref: ContainerRef, options: LogOptions): void {
    const refuse = (message: string) => this.sendJson({ type: "ended", stream, reason: "error", message });
    if (this.used.has(stream)) return refuse(`stream number ${stream} was already used on this socket`);
    this.used.add(stream);
    if (this.legs.size + this.waits.size >= MAX_LOG_STREAMS) return refuse(`at most ${MAX_LOG_STREAMS} containers at once`);
    if (!this.allowed.some((a) => a.hostId === ref.hostId && a.containerId === ref.containerId)) return refuse("this socket's ticket does not name that container");
    this.startLeg(stream, ref, options, null);
  }

  /** One agent leg for the stream; with `restartedAt`, the container's new run that started then, after a marker line. */
  private startLeg(stream: number, ref: ContainerRef, options: LogOptions, restartedAt: number | null): void {
    try {
      this.streams.assertMayRead(this.user, [ref]);
    } catch (err) {
      const refusal = asDomainError(err);
      if (refusal) return this.sendJson({ type: "ended", stream, reason: "error", message: refusal.message });
      throw err;
    }
    const runStartedAt = restartedAt ?? this.streams.startedAt(ref);
    const leg = this.streams.openLeg(ref, options, {
      started: (tty) => {
        this.sendJson({ type: "started", stream, tty });
        if (restartedAt !== null) this.relay(stream, restartMarker(restartedAt, options.timestamps));
      },
      data: (frame) => this.relay(stream, frame),
      ended: (reason, message) => {
        this.legs.delete(stream);
        // Following means following the container, through restarts: wait for its next run.
        if (reason === "container-stopped" && options.follow && options.until === undefined && !this.closed) return this.awaitRestart(stream, ref, options, runStartedAt);
        this.sendJson({ type: "ended", stream, reason, message });
      },
    });
    this.legs.set(stream, leg);
    if (this.paused) leg.pause();
  }

  private awaitRestart(stream: number, ref: ContainerRef, options: LogOptions, previousStart: number | null): void {
    this.sendJson({ type: "waiting", stream });
    let resumed = false;
    const cancel = this.streams.whenStartedAgain(ref, previousStart, {
      started: (startedAt, readFrom) => {
        resumed = true;
        this.waits.delete(stream);
        // All of the new run and nothing of the old one: it had ended when its stream did.
        this.startLeg(stream, ref, { follow: true, timestamps: options.timestamps, since: readFrom }, startedAt);
      },
      gone: () => {
        resumed = true;
        this.waits.delete(stream);
        this.sendJson({ type: "ended", stream, reason: "container-stopped", message: "the container was removed" });
      },
    });
    // A restart already in the fleet view resumes at once, before there is anything to cancel.
    if (!resumed) this.waits.set(stream, cancel);
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

  private stopWaiting(stream: number): void {
    this.waits.get(stream)?.();
    this.waits.delete(stream);
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

/** An agent-style stdout frame holding the marker line, stamped like the engine's lines when they are. */
function restartMarker(startedAt: number, timestamps: boolean): Buffer {
  const stamp = timestamps ? `${new Date(startedAt).toISOString()} ` : "";
  return Buffer.concat([Buffer.of(1), Buffer.from(`${stamp}${RESTART_MARKER}\n`)]);
}
