import WebSocket from "ws";
import {
  ChunkCoalescer,
  OutputStream,
  StreamAgentMessage,
  TERMINAL_HIGH_WATER,
  TERMINAL_LOW_WATER,
  TerminalClientMessage,
  decodeMessage,
  type StreamControlMessage,
  type TerminalEndReason,
  type TerminalMode,
  type TerminalServerMessage,
  type TerminalSize,
} from "@stevedore/protocol";
import type { Actor } from "../audit/audit-log";
import { SendWindow } from "../send-window";
import type { Logger } from "../logger";
import type { RecordingOutcome, Recorder } from "./recorder";
import { ScreenMirror } from "./screen-mirror";
import { type Participant, ViewerRoster } from "./viewer-roster";
import type { AuditAction } from "../audit/audit-actions";
import type { StepUp } from "../two-factor/step-up";
/** A viewer this long above the high-water mark while others keep up is cut off, so it cannot stall them. */
const SLOW_VIEWER_MS = 10_000;
/** How long a session with no viewer waits for one (a reload, a network blip) before it closes. */
const IDLE_GRACE_MS = 60_000;
export interface TerminalSpec {
  hostId: string;
  hostName: string;
  containerId: string;
  containerName: string;
  mode: TerminalMode;
  /** exec: the command; attach: the container's own command, for the record. */
  command: string[];
  user?: string;
  detachKeys: string;
  size: TerminalSize;
  /** The second factor verified before it opened, on a host of a step-up group (recorded in its audit entry). */
  stepUp?: StepUp;
}

export interface TerminalEnd {
  reason: TerminalEndReason;
  exitCode?: number;
  message?: string;
}

export interface SessionSummary {
  id: string;
  startedAt: number;
  bytesIn: number;
  bytesOut: number;
  end: TerminalEnd;
  recording: RecordingOutcome | null;
  /** Everyone other than the owner who joined, whether the owner let them type, and what they typed (bytes). */
  joined: ReturnType<ViewerRoster["joined"]>;
}

/** Who is behind one viewer socket: the ticket's user, and from where (for the audit trail). */
export interface ViewerIdentity {
  userId: string;
  email: string;
  actor: Actor;
}

/** What a session tells its owner (TerminalSessions) to audit; the session itself writes no audit entries. */
export interface SessionEvents {
  /** Someone other than the owner started watching (not another tab of someone already watching). */
  joined(by: ViewerIdentity): void;
  /** The owner let a viewer type, or took it back. */
  inputAllowed(by: ViewerIdentity, viewer: Participant, from: boolean, to: boolean): void;
  /** An owner-only action asked by someone else, or about no such viewer. */
  refused(by: ViewerIdentity, action: AuditAction, reason: string, params: Record<string, unknown>): void;
}

interface Viewer {
  ws: WebSocket;
  who: ViewerIdentity;
  participant: Participant;
  /** Whether this socket has been told that its input is dropped (once per change of permission). */
  toldReadOnly: boolean;
  /** Live output held back until the viewer has the screen it joined on. */
  queued: Buffer[] | null;
  queuedBytes: number;
  window: SendWindow;
  /** When it went above the high-water mark, while it stays there. */
  behindSince: number | null;
}

/** How far a viewer is behind: what it has not acknowledged or the server still holds for it, and output waiting for its screen. */
function behind(v: Viewer): number {
  return v.window.behind + v.queuedBytes;
}

/**
 * One terminal session: the agent's stream socket on one side, any number of browser viewers on the
 * other. Output goes to a screen mirror (so a viewer who joins or reloads gets the current screen, not
 * a raw byte tail), to the recording, and to every viewer. Flow control: each viewer acknowledges
 * what it has rendered; while any viewer is more than TERMINAL_HIGH_WATER behind (unacknowledged,
 * not yet written to its socket, or held until its screen is sent: see SendWindow), the agent socket
 * is not read (TCP then stops the agent, which stops reading the engine), until all are below the low mark.
 */
export class TerminalSession {
  readonly startedAt = Date.now();
  bytesIn = 0;
  bytesOut = 0;
  private agent: WebSocket | null = null;
  private readonly viewers = new Set<Viewer>();
  private readonly roster: ViewerRoster;
  private readonly screen: ScreenMirror;
  private readonly output = new ChunkCoalescer((data) => this.relay(data));
  private tty = false;
  private started = false;
  private ended: TerminalEnd | null = null;
  private graceTimer: NodeJS.Timeout | null = null;
  /** Why the control plane asked the agent to stop, which is then how the session ended. */
  private closeRequested: string | null = null;
  private readonly slowCheck: NodeJS.Timeout;
  private settle!: (summary: SessionSummary) => void;
  /** Resolves once the session has ended and its recording is closed. */
  readonly done = new Promise<SessionSummary>((resolve) => (this.settle = resolve));
  /** Told whenever a viewer joins or leaves (the shared session directory keeps the count). */
  onViewersChanged: ((viewers: number) => void) | null = null;

  constructor(
    readonly id: string,
    readonly spec: TerminalSpec,
    private readonly recorder: Recorder | null,
    private readonly recordInput: boolean,
    private readonly log: Logger,
    ownerId: string,
    private readonly events: SessionEvents,
  ) {
    this.roster = new ViewerRoster(ownerId);
    this.screen = new ScreenMirror(id, spec.size);
    this.slowCheck = setInterval(() => this.dropSlowViewers(), 1_000);
    this.armGrace();
  }

  /** Users watching (a user's several tabs count once). */
  get viewerCount(): number {
    return this.roster.watching().length;
  }

  /** Bytes the server holds for each viewer's socket (tests and the bench watch them stay bounded). */
  get viewerBacklogs(): number[] {
    return [...this.viewers].map((v) => v.window.held + v.queuedBytes);
  }

  get isEnded(): boolean {
    return this.ended !== null;
  }

  /** The agent's stream socket arrived: start the process. */
  attachAgent(ws: WebSocket): void {
    if (this.agent || this.ended) {
      ws.close(1008, "this stream is already served");
      return;
    }
    this.agent = ws;
    ws.on("message", (data: Buffer, isBinary) => (isBinary ? this.onOutput(data) : this.onAgentMessage(data)));
    ws.on("close", () => this.end({ reason: "closed", message: "the host's agent closed the terminal stream" }));
    ws.on("error", (err) => this.log.debug({ err: err.message }, "agent stream error"));
    const { mode, containerId, command, user, size, detachKeys } = this.spec;
    this.sendAgent({ type: "terminal.start", mode, containerId, cmd: mode === "exec" ? command : undefined, user, size, detachKeys });
  }

  /**
   * A browser joined (first open, another viewer, or a reload): it gets the current screen, then live
   * output. The owner's sockets may type; anyone else's are read-only until the owner allows them.
   */
  addViewer(ws: WebSocket, who: ViewerIdentity): void {
    if (this.ended) {
      ws.close(1000, "the session has ended");
      return;
    }
    const { participant, first } = this.roster.connect(who.userId, who.email);
    const viewer: Viewer = { ws, who, participant, toldReadOnly: false, queued: [], queuedBytes: 0, window: new SendWindow(ws, () => this.applyBackpressure()), behindSince: null };
    this.viewers.add(viewer);
    if (first && !participant.owner) this.events.joined(who);
    this.disarmGrace();
    this.sendHello(viewer);
    // The screen is read once the emulator has taken in everything received so far; what arrives
    // after that is held for this viewer and follows the screen.
    void this.screen.snapshot().then((replay) => {
      const queued = viewer.queued ?? [];
      viewer.queued = null;
      viewer.queuedBytes = 0;
      if (replay) this.sendOutput(viewer, Buffer.from(replay));
      for (const data of queued) this.sendOutput(viewer, data);
    });
    this.viewersChanged();
    ws.on("message", (data: Buffer, isBinary) => (isBinary ? this.onInput(viewer, data) : this.onViewerMessage(viewer, data)));
    ws.on("close", () => this.removeViewer(viewer));
    ws.on("error", () => this.removeViewer(viewer));
  }

  /** Ends the session from the control plane's side (a user closed it, or the server stops). */
  close(message = "closed"): void {
    if (this.ended) return;
    this.closeRequested = message;
    if (this.agent?.readyState === WebSocket.OPEN) {
      this.sendAgent({ type: "close" });
      // The agent ends an exec'd process (up to 3 s: hang-up, then kill) and answers with `ended`;
      // an agent that does not is cut off.
      setTimeout(() => this.end({ reason: "closed", message }), 5_000).unref();
    } else {
      this.end({ reason: "closed", message });
    }
  }

  private onAgentMessage(data: Buffer): void {
    const decoded = decodeMessage(StreamAgentMessage, data);
    if (!decoded.ok) {
      this.log.warn({ error: decoded.error }, "bad message on an agent stream");
      return;
    }
    const msg = decoded.message;
    if (msg.type === "started") {
      this.started = true;
      this.tty = msg.tty;
      for (const v of this.viewers) this.sendHello(v);
    } else if (msg.type === "logs.ended") {
      this.log.warn("a log stream's message on a terminal stream");
    } else if (this.closeRequested !== null) {
      // Closed from here: the process the agent then ended "exited" only because of that close.
      this.end({ reason: "closed", message: this.closeRequested });
    } else {
      this.end({ reason: msg.reason, exitCode: msg.exitCode, message: msg.message });
    }
  }

  private onOutput(frame: Buffer): void {
    if (frame.length < 2) return;
    let data = frame.subarray(1);
    // Without a TTY the engine keeps stderr apart; it is shown in red, as terminals commonly do.
    if (frame[0] === OutputStream.stderr && !this.tty) data = Buffer.concat([Buffer.from("\x1b[31m"), data, Buffer.from("\x1b[39m")]);
    this.output.push(data);
  }

  private relay(data: Buffer): void {
    this.bytesOut += data.length;
    this.screen.write(data);
    this.recorder?.outputData(data);
    for (const v of this.viewers) this.sendOutput(v, data);
    this.applyBackpressure();
  }

  private onInput(viewer: Viewer, data: Buffer): void {
    if (!viewer.participant.canType) return this.readOnly(viewer);
    if (!this.started || this.ended || this.agent?.readyState !== WebSocket.OPEN) return;
    this.bytesIn += data.length;
    viewer.participant.bytesIn += data.length;
    if (this.recordInput) this.recorder?.inputData(data, viewer.participant.email);
    this.agent.send(data, { binary: true });
  }

  /** Input or a resize from a read-only viewer: dropped here, never sent to the agent; the viewer is told once. */
  private readOnly(viewer: Viewer): void {
    if (viewer.toldReadOnly) return;
    viewer.toldReadOnly = true;
    this.sendViewer(viewer, { type: "refused", message: "you are watching this session read-only: your keystrokes and resizes are not sent. The session's owner can allow you to type." });
  }

  private onViewerMessage(viewer: Viewer, data: Buffer): void {
    const decoded = decodeMessage(TerminalClientMessage, data);
    if (!decoded.ok) {
      this.sendViewer(viewer, { type: "ended", reason: "error", message: decoded.error.message });
      viewer.ws.close(1008, "bad message");
      return;
    }
    const msg = decoded.message;
    if (msg.type === "ack") {
      viewer.window.ack(msg.bytes);
      if (behind(viewer) <= TERMINAL_HIGH_WATER) viewer.behindSince = null;
      this.applyBackpressure();
    } else if (msg.type === "allow-input") {
      this.allowInput(viewer, msg.viewerId, msg.allowed);
    } else {
      if (!viewer.participant.canType) return this.readOnly(viewer);
      // The latest viewer to resize sets the size; the others follow it.
      const { cols, rows } = msg.size;
      if (cols === this.spec.size.cols && rows === this.spec.size.rows) return;
      this.spec.size = msg.size;
      this.screen.resize(cols, rows);
      this.recorder?.resize(cols, rows);
      this.sendAgent({ type: "resize", size: msg.size });
      for (const v of this.viewers) if (v !== viewer) this.sendViewer(v, { type: "resize", size: msg.size });
    }
  }

  /** The owner lets a viewer type or takes it back; from anyone else it is refused, and the socket stays up. */
  private allowInput(by: Viewer, viewerId: string, allowed: boolean): void {
    const result = this.roster.allow(by.participant, viewerId, allowed);
    if (!result.ok) {
      this.sendViewer(by, { type: "refused", message: `not allowed: ${result.reason}` });
      this.events.refused(by.who, "terminal.allow-input", result.reason, { sessionId: this.id, viewerId, allowed });
      return;
    }
    if (result.from === result.to) return;
    for (const v of this.viewers) if (v.participant === result.viewer) v.toldReadOnly = false;
    this.events.inputAllowed(by.who, result.viewer, result.from, result.to);
    this.viewersChanged();
  }

  private applyBackpressure(): void {
    if (!this.agent) return;
    let most = 0;
    for (const v of this.viewers) most = Math.max(most, behind(v));
    if (!this.agent.isPaused && most > TERMINAL_HIGH_WATER) this.agent.pause();
    else if (this.agent.isPaused && most < TERMINAL_LOW_WATER) this.agent.resume();
  }

  private dropSlowViewers(): void {
    const now = Date.now();
    for (const v of this.viewers) {
      if (behind(v) > TERMINAL_HIGH_WATER) v.behindSince ??= now;
      if (v.behindSince !== null && now - v.behindSince > SLOW_VIEWER_MS && this.viewers.size > 1) {
        this.log.info({ viewer: v.who.email }, "dropping a terminal viewer that stopped acknowledging output");
        this.sendViewer(v, { type: "ended", reason: "error", message: "this viewer fell too far behind; reload to rejoin" });
        v.ws.close(4408, "too slow");
        this.removeViewer(v);
      }
    }
  }

  private removeViewer(viewer: Viewer): void {
    if (!this.viewers.delete(viewer)) return;
    this.roster.disconnect(viewer.participant);
    this.viewersChanged();
    this.applyBackpressure();
    if (this.viewers.size === 0) this.armGrace();
  }

  private viewersChanged(): void {
    this.broadcast({ type: "viewers", viewers: this.roster.watching() });
    this.onViewersChanged?.(this.viewers.size);
  }

  private armGrace(): void {
    if (this.ended || this.graceTimer) return;
    this.graceTimer = setTimeout(() => this.close("no viewer came back"), IDLE_GRACE_MS);
    this.graceTimer.unref();
  }

  private disarmGrace(): void {
    if (this.graceTimer) clearTimeout(this.graceTimer);
    this.graceTimer = null;
  }

  private end(end: TerminalEnd): void {
    if (this.ended) return;
    this.output.flush();
    this.ended = end;
    this.disarmGrace();
    clearInterval(this.slowCheck);
    for (const v of this.viewers) {
      this.sendViewer(v, { type: "ended", ...end });
      v.ws.close(1000, end.reason);
    }
    this.viewers.clear();
    if (this.agent && this.agent.readyState === WebSocket.OPEN) this.agent.close(1000, "session ended");
    this.screen.dispose();
    void (this.recorder?.close() ?? Promise.resolve(null)).then((recording) =>
      this.settle({ id: this.id, startedAt: this.startedAt, bytesIn: this.bytesIn, bytesOut: this.bytesOut, end, recording, joined: this.roster.joined() }),
    );
  }

  private sendHello(viewer: Viewer): void {
    const { mode, size, detachKeys } = this.spec;
    const { viewerId, owner, canType } = viewer.participant;
    this.sendViewer(viewer, { type: "hello", sessionId: this.id, mode, tty: this.tty, size, detachKeys, viewerId, owner, canType, viewers: this.roster.watching(), starting: !this.started });
  }

  private sendOutput(viewer: Viewer, data: Buffer): void {
    if (viewer.queued) {
      viewer.queued.push(data);
      viewer.queuedBytes += data.length;
      return;
    }
    viewer.window.send(data);
  }

  private sendViewer(viewer: Viewer, msg: TerminalServerMessage): void {
    if (viewer.ws.readyState === WebSocket.OPEN) viewer.ws.send(JSON.stringify(msg));
  }

  private broadcast(msg: TerminalServerMessage): void {
    for (const v of this.viewers) this.sendViewer(v, msg);
  }

  private sendAgent(msg: StreamControlMessage): void {
    if (this.agent?.readyState === WebSocket.OPEN) this.agent.send(JSON.stringify(msg));
  }
}
