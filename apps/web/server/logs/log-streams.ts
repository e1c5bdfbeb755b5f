import { DomainError } from "../domain-error";
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import type { LogOptions } from "@stevedore/protocol";
import { mayReadLogs, type AccessSubject } from "../access/roles";
import type { AgentStreams } from "../agents/agent-streams";
import { newId } from "../agents/secrets";
import type { AuditLog } from "../audit/audit-log";
import type { Auth } from "../auth";
import type { AccessWatch } from "../access/access-watch";
import { acceptBrowserUpgrade } from "../browser-upgrade";
import type { Db } from "../db";
import type { FleetState } from "../fleet/fleet-state";
import type { FleetChange } from "../fleet/types";
import type { Logger } from "../logger";
import { TicketBook, type TicketHolder } from "../terminals/tickets";
import { AgentLogLeg, type LegEvents } from "./agent-log-leg";
import { LogsConnection } from "./logs-connection";
import type { Bus } from "../cluster/bus";

export interface ContainerRef {
  hostId: string;
  containerId: string;
}

/** A logs socket ticket: the containers the user was allowed to read when it was issued. */
export interface LogsTicket extends TicketHolder {
  containers: ContainerRef[];
  /** The first container, named in an audited refusal. */
  hostId: string;
  containerId: string;
}


/**
 * Container log streams: the browsers' `/logs-socket` sockets (each a LogsConnection carrying any
 * number of container streams) and downloads. Every stream has its own agent socket (AgentStreams),
 * so one consumer's pace never holds back another's.
 */
export class LogStreams {
  private readonly tickets: TicketBook<LogsTicket>;
  private readonly connections = new Set<LogsConnection>();
  /** Browsers send only small control messages. */
  private readonly browsers = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024, perMessageDeflate: false });

  constructor(private readonly deps: { db: Db; auth: Auth; accessWatch: AccessWatch; bus: Bus; streams: AgentStreams; audit: AuditLog; fleet: FleetState; publicOrigin: string; log: Logger }) {
    this.tickets = new TicketBook(deps.bus, "logs");
  }

  /** Throws a DomainError naming the first container the subject may not read (or that is not there). */
  assertMayRead(subject: AccessSubject, refs: readonly ContainerRef[]): void {
    for (const { hostId, containerId } of refs) {
      const host = this.deps.fleet.getHost(hostId);
      if (!mayReadLogs(subject, this.deps.fleet.hostGroups(hostId))) throw new DomainError("forbidden", `reading logs on ${host?.name ?? hostId} needs the logs permission (operators have it; an admin grants it to viewers per host group)`, [hostId]);
      const c = this.deps.fleet.getContainer(hostId, containerId);
      if (!c) throw new DomainError("not_found", `no container ${containerId.slice(0, 12)} on ${host?.name ?? hostId}`);
      if (!c.live) throw new DomainError("not_found", `${host?.name ?? hostId} is not reachable`);
    }
  }

  /** When the container last started (null: never, or not in the fleet view). */
  startedAt(ref: ContainerRef): number | null {
    return this.deps.fleet.getContainer(ref.hostId, ref.containerId)?.startedAt ?? null;
  }

  /**
   * Calls `started` once when the container is running a run that started after `previousStart` (at
   * once if it already is: a restart can reach the fleet view before the old stream's end arrives), or
   * `gone` once it is removed. Returns the cancel function.
   *
   * `readFrom` is where the new run's output begins: just after the previous run ended. Not the new
   * StartedAt: the engine sets that once the process is already running, so a first line printed at
   * once carries an earlier timestamp and `since: startedAt` would drop it.
   */
  whenStartedAgain(ref: ContainerRef, previousStart: number | null, on: { started(startedAt: number, readFrom: number): void; gone(): void }): () => void {
    const { fleet } = this.deps;
    const check = () => {
      const c = fleet.getContainer(ref.hostId, ref.containerId);
      if (!c && fleet.hostStatus(ref.hostId) === "online") {
        cancel();
        return on.gone();
      }
      if (!c?.live || c.state !== "running" || c.startedAt === null || (previousStart !== null && c.startedAt <= previousStart)) return;
      cancel();
      const endedBetween = c.finishedAt !== null && c.finishedAt < c.startedAt && (previousStart === null || c.finishedAt >= previousStart);
      on.started(c.startedAt, endedBetween ? c.finishedAt! + 1 : c.startedAt);
    };
    const onChange = (change: FleetChange) => change.kind === "containers" && change.hostId === ref.hostId && check();
    const cancel = () => fleet.changes.off("change", onChange);
    fleet.changes.on("change", onChange);
    check();
    return cancel;
  }

  /** A single-use ticket for one browser's /logs socket; the caller has checked the permission. */
  ticketFor(user: { id: string; email: string }, containers: ContainerRef[]): Promise<string> {
    return this.tickets.issue({ userId: user.id, email: user.email, containers, hostId: containers[0]!.hostId, containerId: containers[0]!.containerId });
  }

  /** Asks the host's agent to dial a socket for one container's logs; events follow on `events`. */
  openLeg(ref: ContainerRef, options: LogOptions, events: LegEvents): AgentLogLeg {
    const id = newId("logs");
    const { streams } = this.deps;
    const leg = new AgentLogLeg(id, ref.hostId, { containerId: ref.containerId, options }, {
      ...events,
      ended: (reason, message) => {
        streams.cancel(id);
        events.ended(reason, message);
      },
    }, this.deps.log.child({ logStream: id }));
    streams.dial(ref.hostId, id, (ws) => leg.attach(ws), (message) => leg.close("error", message));
    return leg;
  }

  /** Browser upgrade on /logs-socket?ticket=…: same origin, a valid unused ticket, the ticket's user's session. */
  async handleBrowserUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const accepted = await acceptBrowserUpgrade(this.deps, this.tickets, req, socket, { action: "logs.refused", params: (t) => ({ containers: t?.containers.length ?? 0 }) });
    if (!accepted) return;
    this.browsers.handleUpgrade(req, socket, head, (ws) => {
      const conn = new LogsConnection(ws, accepted.user, accepted.ticket.containers, this, this.deps.log.child({ logsUser: accepted.user.email }));
      this.connections.add(conn);
      // Logs hold secrets: the socket lasts only as long as the user may read them on every host it names.
      const unwatch = this.deps.accessWatch.watch({
        kind: "logs",
        user: accepted.user,
        hosts: () => accepted.ticket.containers.map((c) => c.hostId),
        permission: "logs",
        onRevoked: (reason) => conn.close(4403, reason),
      });
      ws.on("close", () => {
        unwatch();
        this.connections.delete(conn);
      });
    });
  }


  /** Browser log sockets open on this replica. */
  get openCount(): number {
    return this.connections.size;
  }

  /** How far behind each browser socket is, and what the server holds for it (tests and the bench watch them stay bounded). */
  get backlogs(): { behind: number; held: number }[] {
    return [...this.connections].map((c) => ({ behind: c.window.behind, held: c.window.held }));
  }

  closeAll(): void {
    for (const c of this.connections) c.close();
    for (const ws of this.browsers.clients) ws.terminate();
  }
}
