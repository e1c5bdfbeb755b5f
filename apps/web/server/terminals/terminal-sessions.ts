import { DomainError } from "../domain-error";
import fs from "node:fs";
import path from "node:path";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { type Auth } from "../auth";
import type { AccessWatch } from "../access/access-watch";
import { acceptBrowserUpgrade, auditRefusal } from "../browser-upgrade";
import type { AgentStreams } from "../agents/agent-streams";
import type { Bus } from "../cluster/bus";
import type { Replicas } from "../cluster/replicas";
import { proxyUpgrade } from "../cluster/upgrade-proxy";
import { newId } from "../agents/secrets";
import type { Actor, AuditLog } from "../audit/audit-log";
import { recordAction, recordRefusal } from "../audit/audited";
import { actorOf, clientOf } from "../authenticate";
import { refuseUpgrade } from "../http-json";
import type { Db } from "../db";
import type { Logger } from "../logger";
import type { Settings } from "../settings";
import { Recorder } from "./recorder";
import { type SessionEvents, type SessionSummary, TerminalSession, type TerminalSpec } from "./terminal-session";
import { TicketBook } from "./tickets";

const RETENTION_SWEEP_MS = 60 * 60_000;


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

/** A live session as the shared directory lists it: which replica holds it, and who opened it. */
export interface SessionEntry extends SessionInfo {
  replica: string;
  ownerId: string;
}

/** The bus hash of every replica's live sessions, by id. */
const DIRECTORY = "terminals";

/**
 * Every live terminal session on this replica, the tickets that let browsers join them, and the
 * browsers' /terminal sockets; each session's agent socket comes through AgentStreams. Each session
 * is audited when it opens and when it closes, with its recording. Sessions are listed in a directory
 * on the bus, so a browser on any replica can find, join (its socket is handed to the session's
 * replica) and close them.
 */
export class TerminalSessions {
  private readonly live = new Map<string, Live>();
  private readonly tickets: TicketBook;
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024, perMessageDeflate: false });
  readonly recordingsDir: string;
  private readonly sweeper: NodeJS.Timeout;

  /** Sessions running on this replica. */
  get openCount(): number {
    return this.live.size;
  }

  constructor(
    private readonly deps: { db: Db; auth: Auth; accessWatch: AccessWatch; bus: Bus; replicas: Replicas; streams: AgentStreams; audit: AuditLog; settings: Settings; dataDir: string; publicOrigin: string; log: Logger },
  ) {
    this.tickets = new TicketBook(deps.bus, "terminal");
    deps.replicas.handle("terminal.close", async (params) => {
      const { sessionId, by } = params as { sessionId: string; by: string };
      this.get(sessionId)?.close(by);
      return { closed: true };
    });
    // A replica that died took its sessions with it; its entries would otherwise stay listed in Redis.
    deps.replicas.on("down", (replica) => void this.forgetReplica(replica).catch(() => {}));
    this.recordingsDir = path.join(deps.dataDir, "recordings");
    this.sweeper = setInterval(() => void this.deleteExpiredRecordings(), RETENTION_SWEEP_MS);
    this.sweeper.unref();
    void this.deleteExpiredRecordings();
  }

  get(id: string): TerminalSession | null {
    return this.live.get(id)?.session ?? null;
  }

  /** Live sessions on every replica (those of a replica that went away are left out). */
  async list(filter: { hostId?: string; containerId?: string }): Promise<SessionInfo[]> {
    const entries = [...this.live.values()].filter((e) => !e.session.isEnded).map((e) => this.entryOf(e));
    if (this.deps.bus.clustered) {
      for (const e of Object.values(await this.deps.bus.fields(DIRECTORY)).map((v) => JSON.parse(v) as SessionEntry)) {
        if (e.replica !== this.deps.replicas.id && this.deps.replicas.isAlive(e.replica)) entries.push(e);
      }
    }
    return entries
      .filter((e) => (!filter.hostId || e.hostId === filter.hostId) && (!filter.containerId || e.containerId === filter.containerId))
      .map(({ replica: _r, ownerId: _o, ...info }) => info);
  }

  /** A live session, here or on another replica. */
  async find(sessionId: string): Promise<SessionEntry | null> {
    const here = this.live.get(sessionId);
    if (here) return here.session.isEnded ? null : this.entryOf(here);
    if (!this.deps.bus.clustered || sessionId.length > 64) return null;
    const value = await this.deps.bus.getField(DIRECTORY, sessionId);
    const entry = value ? (JSON.parse(value) as SessionEntry) : null;
    return entry && this.deps.replicas.isAlive(entry.replica) ? entry : null;
  }

  private async forgetReplica(replica: string): Promise<void> {
    for (const [id, value] of Object.entries(await this.deps.bus.fields(DIRECTORY))) {
      if ((JSON.parse(value) as SessionEntry).replica === replica) await this.deps.bus.deleteField(DIRECTORY, id);
    }
  }

  /** Ends a session for everyone watching it, on whichever replica holds it. */
  async close(entry: SessionEntry, by: string): Promise<void> {
    if (entry.replica === this.deps.replicas.id) return this.get(entry.id)?.close(by);
    await this.deps.replicas.call(entry.replica, "terminal.close", { sessionId: entry.id, by }, { timeoutMs: 5_000 });
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
      throw new DomainError("precondition_failed", `terminal sessions must be recorded (admin setting), and the recording could not be started: ${recordingError}`);
    }
    await this.deps.audit.append({ ...base, phase: "requested", params: { ...base.params, recording: recordingError ? { error: recordingError } : { file: `${id}.cast` } } });

    const log = this.deps.log.child({ terminal: id, hostId: spec.hostId });
    const session = new TerminalSession(id, spec, recorder, settings.recordInput, log, owner.id, this.sessionEvents(id, spec, owner.email, log));
    const entry: Live = { session, requestId, actor, ownerId: owner.id, ownerEmail: owner.email };
    this.live.set(id, entry);
    void session.done.then((summary) => this.onEnded(entry, summary));
    if (this.deps.bus.clustered) {
      const publish = () => this.deps.bus.setField(DIRECTORY, id, JSON.stringify(this.entryOf(entry)));
      await publish();
      session.onViewersChanged = () => void publish().catch(() => {});
    }

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
  ticketFor(session: { id: string; hostId: string; containerId: string }, user: { id: string; email: string }): Promise<string> {
    return this.tickets.issue({ userId: user.id, email: user.email, sessionId: session.id, hostId: session.hostId, containerId: session.containerId });
  }

  /** Browser upgrade on /terminal?ticket=…: same origin, a valid unused ticket, a live session. Refusals are audited. */
  async handleBrowserUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A session held by another replica: the upgrade (ticket unspent) goes there, to be checked there.
    if (this.deps.bus.clustered) {
      const named = await this.tickets.peek(new URL(req.url ?? "/", "http://localhost").searchParams.get("ticket") ?? "");
      const entry = named && !this.live.has(named.sessionId) ? await this.find(named.sessionId) : null;
      const peer = entry ? this.deps.replicas.peer(entry.replica) : null;
      if (peer) return proxyUpgrade(req, socket, head, peer, this.deps.replicas.linkToken);
    }
    const accepted = await acceptBrowserUpgrade(this.deps, this.tickets, req, socket, { action: "terminal.refused", params: (t) => ({ sessionId: t?.sessionId ?? null }) });
    if (!accepted) return;
    const { ticket } = accepted;
    const session = this.get(ticket.sessionId);
    if (!session || session.isEnded) {
      await auditRefusal(this.deps.audit, req, "terminal.refused", ticket, "the session has ended", { origin: req.headers.origin ?? null, sessionId: ticket.sessionId });
      return refuseUpgrade(socket, 404, "the session has ended");
    }
    const ownerId = this.live.get(session.id)?.ownerId;
    const actor = actorOf({ user: accepted.user, client: clientOf(req) });
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      session.addViewer(ws, { userId: accepted.user.id, email: accepted.user.email, actor });
      // A terminal is root on the host: it lasts only as long as the viewer may open one there.
      const unwatch = this.deps.accessWatch.watch({
        kind: "terminal",
        user: accepted.user,
        hosts: () => [session.spec.hostId],
        permission: "terminal",
        onRevoked: (reason) => {
          if (accepted.user.id === ownerId) session.close(`the owner's access ended: ${reason}`);
          ws.close(4403, reason.slice(0, 120));
        },
      });
      ws.once("close", unwatch);
    });
  }

  /**
   * The audit entries of what happens inside a session: a join by anyone but the owner
   * (`terminal.join`), the owner letting a viewer type or taking it back (`terminal.allow-input`,
   * from → to), and an owner-only action asked by someone else (the same action, failed).
   */
  private sessionEvents(sessionId: string, spec: TerminalSpec, ownerEmail: string, log: Logger): SessionEvents {
    const target = { hostId: spec.hostId, hostName: spec.hostName, targetType: "container", targetId: spec.containerId, targetName: spec.containerName };
    const write = (what: string, p: Promise<unknown>) => void p.catch((err: unknown) => log.error({ err }, `auditing ${what} failed`));
    return {
      joined: (by) =>
        write("a join", recordAction(this.deps.audit, { ...target, actor: by.actor, action: "terminal.join", params: { sessionId, mode: spec.mode, command: spec.command.join(" "), owner: ownerEmail, canType: false } })),
      inputAllowed: (by, viewer, from, to) =>
        write(
          "allow-input",
          recordAction(this.deps.audit, { ...target, actor: by.actor, action: "terminal.allow-input", params: { sessionId, viewer: viewer.email, from: { canType: from }, to: { canType: to } } }),
        ),
      refused: (by, action, reason, params) =>
        write("a refusal", recordRefusal(this.deps.audit, { ...target, actor: by.actor, action, params }, reason)),
    };
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
      action: `terminal.${spec.mode}` as const,
      actor,
      hostId: spec.hostId,
      hostName: spec.hostName,
      targetType: "container",
      targetId: spec.containerId,
      targetName: spec.containerName,
      params: { sessionId, mode: spec.mode, command: spec.command.join(" "), user: spec.user ?? null, ...(spec.stepUp ? { stepUp: spec.stepUp } : {}) },
    };
  }

  private entryOf({ session: s, ownerEmail, ownerId }: Live): SessionEntry {
    const { hostId, containerId, mode, command } = s.spec;
    return { id: s.id, hostId, containerId, mode, command, startedBy: ownerEmail, startedAt: s.startedAt, viewers: s.viewerCount, replica: this.deps.replicas.id, ownerId };
  }

  private async onEnded(entry: Live, summary: SessionSummary): Promise<void> {
    this.live.delete(summary.id);
    this.deps.streams.cancel(summary.id);
    if (this.deps.bus.clustered) await this.deps.bus.deleteField(DIRECTORY, summary.id).catch(() => {});
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
        joined: summary.joined,
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

