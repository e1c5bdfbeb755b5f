import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { type Auth } from "../auth";
import { acceptBrowserUpgrade, auditRefusal } from "../browser-upgrade";
import type { AgentStreams } from "../agents/agent-streams";
import { newId } from "../agents/secrets";
import type { Actor, AuditLog } from "../audit/audit-log";
import { refuseUpgrade } from "../http-json";
import type { Db } from "../db";
import type { Logger } from "../logger";
import type { Settings } from "../settings";
import { Recorder } from "./recorder";
import { type SessionSummary, TerminalSession, type TerminalSpec } from "./terminal-session";
import { TicketBook } from "./tickets";

const RETENTION_SWEEP_MS = 60 * 60_000;

export class TerminalOpenError extends Error {}

interface Live {
  session: TerminalSession;
  requestId: string;
  actor: Actor;
  ownerId: string;
  ownerEmail: string;
}

export interface SessionInfo {
  id: string;
  hostId: string;
  containerId: string;
  mode: TerminalSpec["mode"];
  command: string[];
  startedBy: string;
  startedAt: number;
  viewers: number;
}

/**
 * Every live terminal session on this control plane, the tickets that let browsers join them, and
 * the browsers' /terminal sockets; each session's agent socket comes through AgentStreams. Each session
 * is audited when it opens and when it closes, with its recording.
 */
export class TerminalSessions {
  private readonly live = new Map<string, Live>();
  private readonly tickets = new TicketBook();
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: false });
  readonly recordingsDir: string;
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly deps: { db: Db; auth: Auth; streams: AgentStreams; audit: AuditLog; settings: Settings; dataDir: string; publicOrigin: string; log: Logger },
  ) {
    this.recordingsDir = path.join(deps.dataDir, "recordings");
    this.sweeper = setInterval(() => void this.deleteExpiredRecordings(), RETENTION_SWEEP_MS);
    this.sweeper.unref();
    void this.deleteExpiredRecordings();
  }

  get(id: string): TerminalSession | null {
    return this.live.get(id)?.session ?? null;
  }

  list(filter: { hostId?: string; containerId?: string }): SessionInfo[] {
    return [...this.live.values()]
      .filter(({ session: s }) => !s.isEnded && (!filter.hostId || s.spec.hostId === filter.hostId) && (!filter.containerId || s.spec.containerId === filter.containerId))
      .map(({ session: s, ownerEmail }) => ({ id: s.id, hostId: s.spec.hostId, containerId: s.spec.containerId, mode: s.spec.mode, command: s.spec.command, startedBy: ownerEmail, startedAt: s.startedAt, viewers: s.viewerCount }));
  }

  /**
   * Opens a session: audited "requested", recorded (or refused in strict mode when it cannot be), and
   * the agent asked to dial its stream. The caller has checked the permission.
   */
  async open(actor: Actor, owner: { id: string; email: string }, spec: TerminalSpec): Promise<TerminalSession> {
    const id = newId("term");
    const requestId = newId("req");
    const settings = await this.deps.settings.get("terminal");
    const base = this.auditBase(actor, requestId, spec, id);
    let recorder: Recorder | null = null;
    let recordingError: string | null = null;
    try {
      recorder = new Recorder(this.recordingsDir, `${id}.cast`, { ...spec.size, title: `${spec.containerName} on ${spec.hostName}`, command: spec.command.join(" ") }, settings.recordingMaxMiB * 1024 * 1024);
      await recorder.ready();
    } catch (err) {
      recorder = null;
      recordingError = err instanceof Error ? err.message : String(err);
    }
    if (recordingError && settings.strictRecording) {
      await this.deps.audit.append({ ...base, phase: "failed", error: `refused: the session could not be recorded (${recordingError}) and recording is required` });
      throw new TerminalOpenError(`terminal sessions must be recorded (admin setting), and the recording could not be started: ${recordingError}`);
    }
    await this.deps.audit.append({ ...base, phase: "requested", params: { ...base.params, recording: recordingError ? { error: recordingError } : { file: `${id}.cast` } } });

    const session = new TerminalSession(id, spec, recorder, settings.recordInput, this.deps.log.child({ terminal: id, hostId: spec.hostId }));
    const entry: Live = { session, requestId, actor, ownerId: owner.id, ownerEmail: owner.email };
    this.live.set(id, entry);
    void session.done.then((summary) => this.onEnded(entry, summary));

    // The agent dials back; if it cannot, the session ends with the reason and viewers are told.
    this.deps.streams.dial(
      spec.hostId,
      id,
      (ws) => {
        session.attachAgent(ws);
        void this.deps.audit.append({ ...base, phase: "succeeded" });
      },
      (message) => session.close(message),
    );
    return session;
  }

  /** A ticket for one browser to join a session: bound to the user, the container and the session. */
  ticketFor(session: TerminalSession, user: { id: string; email: string }): string {
    return this.tickets.issue({ userId: user.id, email: user.email, sessionId: session.id, hostId: session.spec.hostId, containerId: session.spec.containerId });
  }

  ownerOf(sessionId: string): string | null {
    return this.live.get(sessionId)?.ownerId ?? null;
  }

  /** Browser upgrade on /terminal?ticket=…: same origin, a valid unused ticket, a live session. Refusals are audited. */
  async handleBrowserUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const accepted = await acceptBrowserUpgrade(this.deps, this.tickets, req, socket, { action: "terminal.refused", params: (t) => ({ sessionId: t?.sessionId ?? null }) });
    if (!accepted) return;
    const { ticket } = accepted;
    const session = this.get(ticket.sessionId);
    if (!session || session.isEnded) {
      await auditRefusal(this.deps.audit, req, "terminal.refused", ticket, "the session has ended", { origin: req.headers.origin ?? null, sessionId: ticket.sessionId });
      return refuseUpgrade(socket, 404, "the session has ended");
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => session.addViewer(ws, ticket.email));
  }


  /** Stops every session (server shutdown); each is audited as closed. */
  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    const sessions = [...this.live.values()].map((e) => e.session);
    for (const s of sessions) s.close("the control plane is shutting down");
    await Promise.all(sessions.map((s) => s.done));
    // Sockets whose peer never finished closing would hold the server open.
    for (const ws of this.wss.clients) ws.terminate();
  }

  recordingPath(sessionId: string): string | null {
    if (!/^term_[A-Za-z0-9_-]+$/.test(sessionId)) return null;
    const file = path.join(this.recordingsDir, `${sessionId}.cast`);
    return fs.existsSync(file) ? file : null;
  }

  private auditBase(actor: Actor, requestId: string, spec: TerminalSpec, sessionId: string) {
    return {
      requestId,
      action: `terminal.${spec.mode}`,
      actor,
      hostId: spec.hostId,
      hostName: spec.hostName,
      targetType: "container",
      targetId: spec.containerId,
      targetName: spec.containerName,
      params: { sessionId, mode: spec.mode, command: spec.command.join(" "), user: spec.user ?? null },
    };
  }

  private async onEnded(entry: Live, summary: SessionSummary): Promise<void> {
    this.live.delete(summary.id);
    this.deps.streams.cancel(summary.id);
    const { session } = entry;
    await this.deps.audit.append({
      ...this.auditBase(entry.actor, entry.requestId, session.spec, session.id),
      action: "terminal.close",
      phase: summary.end.reason === "error" ? "failed" : "succeeded",
      error: summary.end.reason === "error" ? (summary.end.message ?? "error") : null,
      params: {
        sessionId: session.id,
        mode: session.spec.mode,
        command: session.spec.command.join(" "),
        durationMs: Date.now() - summary.startedAt,
        bytesIn: summary.bytesIn,
        bytesOut: summary.bytesOut,
        ended: summary.end,
        recording: summary.recording,
      },
    });
  }

  /** Deletes recordings past the retention setting (hourly, and at start). */
  async deleteExpiredRecordings(): Promise<void> {
    try {
      const { recordingRetentionDays } = await this.deps.settings.get("terminal");
      const cutoff = Date.now() - recordingRetentionDays * 86_400_000;
      const files = await fs.promises.readdir(this.recordingsDir).catch(() => [] as string[]);
      for (const f of files) {
        const file = path.join(this.recordingsDir, f);
        const stat = await fs.promises.stat(file).catch(() => null);
        if (stat && stat.mtimeMs < cutoff && !this.live.has(f.replace(/\.cast$/, ""))) await fs.promises.rm(file, { force: true });
      }
    } catch (err) {
      this.deps.log.warn({ err }, "deleting expired terminal recordings failed");
    }
  }
}

