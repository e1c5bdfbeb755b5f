import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import {
  CloseCode,
  HARD_MAX_MESSAGE_BYTES,
  SUPPORTED_PROTOCOL_VERSIONS,
  type AgentMethod,
  type AgentMethodParams,
  type AgentMethodResult,
  type ErrorBody,
  type EngineFacts,
  type HelloMessage,
  statsTable,
} from "@stevedore/protocol";
import type { AuditLog } from "../audit/audit-log";
import type { ObservedEvents } from "../audit/observed-events";
import type { FleetOp, FleetReplication } from "../cluster/fleet-replication";
import { ReplicaCallError, type Replicas } from "../cluster/replicas";
import type { Db } from "../db";
import type { FleetState, PersistedHost } from "../fleet/fleet-state";
import type { HostView } from "../fleet/types";
import type { Logger } from "../logger";
import { refuseUpgrade } from "../http-json";
import { AGENT_LIMITS, type AgentLimits, LIMIT_FLAG_CLEARS_AFTER_MS } from "./agent-limits";
import { AgentRequestError, AgentSession, REQUEST_TIMEOUT_MS, type RequestOptions } from "./agent-session";
import { type CredentialCheck, type CredentialPolicy, HostCredentials, parseAlert } from "./host-credentials";
import { HostRecords } from "./host-records";
import type { AlertHooks } from "../alerts/alerts";

/** What a busy control plane tells a connecting agent; the agent spreads its retry around it. */
const BUSY_RETRY_AFTER_S = 5;
const ROTATION_SWEEP_MS = 60 * 60_000;

export interface AgentGatewayDeps {
  db: Db;
  replication: FleetReplication;
  replicas: Replicas;
  observed: ObservedEvents;
  audit: AuditLog;
  log: Logger;
  credentialPolicy: CredentialPolicy;
  joinLimit?: number;
  limits?: AgentLimits;
  /** Counts agents sent back by the join limit (metrics). */
  joinRefusals?: { inc(): void };
  /** Alert rules hear what this replica's agents report (so each event is counted once fleet-wide). */
  alerts?: AlertHooks;
}

/**
 * Accepts agents' WebSockets on /agent: checks the host credential before the upgrade, keeps one
 * session per host, feeds what agents report into the (replicated) fleet view and persists host facts.
 * Requests go to the host's agent here, or through the replica that holds its connection.
 */
export class AgentGateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: HARD_MAX_MESSAGE_BYTES, perMessageDeflate: false });
  private readonly sessions = new Map<string, AgentSession>();
  /** When each limited host's flag comes off, unless a limit is hit again meanwhile. */
  private readonly limitFlags = new Map<string, NodeJS.Timeout>();
  private readonly fleet: FleetState;
  private readonly records: HostRecords;
  private readonly credentials: HostCredentials;
  private readonly db: Db;
  private readonly replication: FleetReplication;
  private readonly replicas: Replicas;
  private readonly observed: ObservedEvents;
  private readonly log: Logger;
  /** Agents that may be joining at once (upgrade → snapshot); see handleUpgrade. */
  private readonly joinLimit: number;
  private readonly limits: AgentLimits;
  private readonly rotationSweep: NodeJS.Timeout;
  private joining = 0;
  private closing = false;

  /** Agents connected to this replica (the fleet view also counts those on other replicas). */
  get connectedCount(): number {
    return this.sessions.size;
  }

  constructor(private readonly deps: AgentGatewayDeps) {
    ({ db: this.db, replication: this.replication, replicas: this.replicas, observed: this.observed, log: this.log } = deps);
    this.joinLimit = deps.joinLimit ?? 256;
    this.limits = deps.limits ?? AGENT_LIMITS;
    this.fleet = this.replication.fleet;
    this.records = new HostRecords(this.db, this.log);
    this.credentials = new HostCredentials(this.db, deps.audit, this.log, deps.credentialPolicy, (hostId, alert) => this.replication.apply({ op: "host.credential-alert", hostId, alert }));
    this.replication.on("remote", (op) => this.onRemoteChange(op));
    // Another replica asks this one's agents on its browsers' behalf.
    this.replicas.handle("agent.request", (params, io) => {
      const { hostId, method, args, timeoutMs } = params as { hostId: string; method: AgentMethod; args: never; timeoutMs?: number };
      const session = this.sessions.get(hostId);
      if (!session) return Promise.reject(new AgentRequestError({ code: "host_offline", message: "the host's agent is no longer connected here" }));
      return session.request(method, args, { timeoutMs, signal: io.signal, onProgress: io.progress });
    });
    // Connected agents' credentials come due while they stay connected: checked every hour (a few rows each).
    this.rotationSweep = setInterval(() => {
      for (const s of this.sessions.values()) void this.credentials.rotateIfDue(s, s.protocol);
    }, ROTATION_SWEEP_MS);
    this.rotationSweep.unref();
  }

  /** Loads every enrolled, unrevoked host; they show offline until their agent connects. */
  async loadHosts(): Promise<void> {
    const hosts = await this.db.host.findMany({ where: { revokedAt: null }, include: { groups: { select: { group: true } } } });
    for (const h of hosts) {
      this.fleet.addHost({
        id: h.id,
        name: h.name,
        groups: h.groups.map((g) => g.group).sort(),
        lastSeenAt: h.lastSeenAt?.getTime() ?? null,
        facts: {
          hostname: h.hostname ?? undefined,
          os: h.os ?? undefined,
          kernel: h.kernel ?? undefined,
          arch: h.arch ?? undefined,
          cpus: h.cpus ?? undefined,
          memoryBytes: h.memoryBytes === null ? undefined : Number(h.memoryBytes),
          agentVersion: h.agentVersion ?? undefined,
          protocolVersion: h.protocolVersion ?? undefined,
        },
        engine: h.engineVersion
          ? {
              version: h.engineVersion,
              apiVersion: h.engineApiVersion ?? "",
              storageDriver: h.storageDriver ?? "",
              dockerRootDir: h.dockerRootDir ?? "",
              os: "",
              kernelVersion: "",
            }
          : null,
        credentialAlert: parseAlert(h.credentialAlert),
      });
    }
  }

  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // Admission: past `joinLimit` agents between their upgrade and their snapshot, the rest are sent
    // back at once (503) to retry after their jittered backoff, so a reconnect storm after a restart
    // waits at the agents instead of piling up handshakes that time out here.
    if (this.joining >= this.joinLimit) {
      this.deps.joinRefusals?.inc();
      refuseUpgrade(socket, 503, "too many agents are connecting; retry shortly", { "Retry-After": String(BUSY_RETRY_AFTER_S) });
      return;
    }
    this.joining++;
    let joined = false;
    const admitted = () => {
      if (joined) return;
      joined = true;
      this.joining--;
    };
    const check = await this.verifyCredential(req).catch((err: unknown) => {
      admitted();
      throw err;
    });
    if (!check.ok) {
      admitted();
      this.log.warn({ reason: check.reason, ip: req.socket.remoteAddress }, "agent connection refused");
      refuseUpgrade(socket, check.status, check.reason);
      return;
    }
    socket.once("close", admitted);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const { hostId, name } = check;
      const log = this.log.child({ hostId, host: name });
      if (!this.fleet.has(hostId)) this.addHost({ id: hostId, name, groups: [], lastSeenAt: null, facts: {}, engine: null });
      // A host has one agent connection; a newer one (the agent reconnected before we noticed) wins.
      this.sessions.get(hostId)?.close(CloseCode.replaced, "replaced by a newer connection");
      const session: AgentSession = new AgentSession(hostId, ws, log, {
        eventsSince: () => this.observed.resumeFrom(hostId, check.lastEventNanos),
        onHello: (hello) => this.onHello(session, hello, log),
        onMessage: (msg) => {
          switch (msg.type) {
            case "snapshot": {
              const containers = this.capped(hostId, msg.containers, this.limits.maxContainers, "containers");
              const images = this.capped(hostId, msg.images, this.limits.maxImages, "images");
              this.replication.apply({ op: "snapshot", hostId, engine: msg.engine, containers, images });
              for (const c of containers) this.deps.alerts?.onContainer(hostId, c);
              admitted();
              break;
            }
            case "engine.down":
              this.replication.apply({ op: "engine.down", hostId, error: msg.error });
              admitted();
              break;
            case "container.upsert":
              if (this.fleet.containerCount(hostId) >= this.limits.maxContainers && !this.fleet.hasContainer(hostId, msg.container.id)) {
                this.flagLimited(hostId, `reports more than ${this.limits.maxContainers} containers; the rest are not shown`);
                break;
              }
              this.replication.apply({ op: "container.upsert", hostId, container: msg.container });
              this.deps.alerts?.onContainer(hostId, msg.container);
              break;
            case "container.remove":
              this.replication.apply({ op: "container.remove", hostId, id: msg.id });
              break;
            case "images":
              this.replication.apply({ op: "images", hostId, images: this.capped(hostId, msg.images, this.limits.maxImages, "images") });
              break;
            case "engine.changed":
              this.replication.apply({ op: "engine.changed", hostId, kinds: msg.kinds });
              break;
            case "stats": // protocol 1
              this.replication.apply({ op: "stats", hostId, batch: statsTable(msg) });
              break;
            case "stats.table":
              this.replication.apply({ op: "stats", hostId, batch: msg });
              break;
            case "engine.events":
              session.chargeEvents(msg.events.length);
              void this.observed.record(hostId, this.fleet.getHost(hostId)?.name ?? name, msg.events);
              this.deps.alerts?.onEvents(hostId, msg.events);
              break;
            case "error":
              log.warn({ code: msg.code, message: msg.message }, "agent reported a protocol error");
              break;
          }
        },
        onSeen: () => this.fleet.seen(hostId),
        onLimited: (reason) => this.flagLimited(hostId, reason),
        onRefusedProtocol: (agent) => this.replication.apply({ op: "host.refused-protocol", hostId, refused: { agent, supported: [...SUPPORTED_PROTOCOL_VERSIONS], at: Date.now() } }),
        onClose: () => {
          if (this.sessions.get(hostId) !== session) return;
          this.sessions.delete(hostId);
          this.replication.apply({ op: "disconnected", hostId, owner: this.replicas.id, at: Date.now() });
          log.info("agent disconnected");
          if (!this.closing) this.records.update(hostId, { lastSeenAt: new Date() });
        },
      }, this.limits);
      this.sessions.set(hostId, session);
    });
  }

  /** The first `max` of what a host reports; past that its host is flagged. */
  private capped<T>(hostId: string, items: T[], max: number, what: string): T[] {
    if (items.length <= max) return items;
    this.flagLimited(hostId, `reports ${items.length} ${what}; only the first ${max} are shown`);
    return items.slice(0, max);
  }

  /**
   * Flags the host on every replica (its row says why), once per episode: the flag comes off
   * LIMIT_FLAG_CLEARS_AFTER_MS after the last time a limit was hit.
   */
  flagLimited(hostId: string, reason: string): void {
    const pending = this.limitFlags.get(hostId);
    if (pending) clearTimeout(pending);
    if (this.fleet.getHost(hostId)?.limited?.reason !== reason) this.replication.apply({ op: "host.limited", hostId, limited: { reason, at: Date.now() } });
    const clear = setTimeout(() => {
      this.limitFlags.delete(hostId);
      if (this.fleet.has(hostId)) this.replication.apply({ op: "host.limited", hostId, limited: null });
    }, LIMIT_FLAG_CLEARS_AFTER_MS);
    clear.unref();
    this.limitFlags.set(hostId, clear);
  }

  /** An agent's credential, checked against its host's row (read in a batch with other joins). */
  verifyCredential(req: Pick<IncomingMessage, "headers">): Promise<CredentialCheck> {
    return this.credentials.verify((id) => this.records.credential(id), req);
  }

  private onHello(session: AgentSession, hello: HelloMessage, log: Logger): void {
    if (this.sessions.get(session.hostId) !== session) return;
    const known = this.fleet.getHost(session.hostId);
    const stored = known && hostRecord(known.facts, known.engine);
    this.replication.apply({ op: "connected", hostId: session.hostId, hello, owner: this.replicas.id, at: Date.now() });
    void this.credentials.rotateIfDue(session, hello.protocolVersion);
    log.info({ agent: hello.host.agentVersion, engine: hello.engine?.version ?? "down" }, "agent connected");
    // Usually nothing changed since the last connection (a restart reconnects every agent): no write.
    const fresh = hostRecord({ ...hello.host, protocolVersion: hello.protocolVersion }, hello.engine);
    if (JSON.stringify(fresh) === JSON.stringify(stored)) return;
    this.records.update(session.hostId, { ...fresh, memoryBytes: fresh.memoryBytes === undefined ? undefined : BigInt(fresh.memoryBytes) });
  }

  request<M extends AgentMethod>(hostId: string, method: M, params: AgentMethodParams<M>, options?: RequestOptions<M>): Promise<AgentMethodResult<M>> {
    const session = this.sessions.get(hostId);
    if (session) return session.request(method, params, options);
    const owner = this.fleet.ownerOf(hostId);
    if (!owner || owner === this.replicas.id) {
      const known = this.fleet.has(hostId);
      return Promise.reject(new AgentRequestError(known ? { code: "host_offline", message: "the host is offline" } : { code: "not_found", message: "no such host" }));
    }
    const { timeoutMs, onProgress, signal } = options ?? {};
    return this.replicas
      .call(owner, "agent.request", { hostId, method, args: params, timeoutMs }, { timeoutMs: timeoutMs ?? REQUEST_TIMEOUT_MS, onProgress: onProgress as ((p: unknown) => void) | undefined, signal })
      .then(
        (result) => result as AgentMethodResult<M>,
        (err: unknown) => {
          throw err instanceof ReplicaCallError ? new AgentRequestError(err.body as ErrorBody) : err;
        },
      );
  }

  /** A newly enrolled host, offline until its agent connects (on any replica). */
  addHost(host: PersistedHost): void {
    this.replication.apply({ op: "host.add", host });
  }

  setGroups(hostId: string, groups: string[]): void {
    this.replication.apply({ op: "host.groups", hostId, groups });
  }

  /** Refuses the host from now on and cuts its live connection, wherever it is. */
  async revoke(hostId: string): Promise<void> {
    await this.db.host.update({ where: { id: hostId }, data: { revokedAt: new Date() } });
    this.closeRevoked(hostId);
    this.replication.apply({ op: "host.remove", hostId });
  }

  private closeRevoked(hostId: string): void {
    this.sessions.get(hostId)?.close(CloseCode.revoked, "this host was revoked by an administrator");
    this.sessions.delete(hostId);
  }

  private onRemoteChange(op: FleetOp): void {
    if (op.op === "host.remove") return this.closeRevoked(op.hostId);
    // The agent connected to another replica after connecting here (a half-open socket here): the newer wins.
    const local = op.op === "connected" ? this.sessions.get(op.hostId) : undefined;
    if (local && op.op === "connected" && op.at >= local.openedAt) {
      this.sessions.delete(op.hostId);
      local.close(CloseCode.replaced, "replaced by a newer connection to another replica");
    }
  }

  /** Server shutdown: agents are told to go (to another replica), and when each was last seen is kept, in one write. */
  async close(): Promise<void> {
    this.closing = true;
    clearInterval(this.rotationSweep);
    for (const t of this.limitFlags.values()) clearTimeout(t);
    const hostIds = [...this.sessions.keys()];
    for (const s of this.sessions.values()) s.close(CloseCode.shuttingDown, "control plane shutting down");
    this.wss.close();
    await this.records.flush();
    if (hostIds.length) await this.db.host.updateMany({ where: { id: { in: hostIds } }, data: { lastSeenAt: new Date() } }).catch(() => {});
  }
}

/** The host row's facts columns, from what an agent's hello says (or said last). */
function hostRecord(facts: HostView["facts"], engine: EngineFacts | null) {
  return {
    hostname: facts.hostname,
    os: facts.os,
    kernel: facts.kernel,
    arch: facts.arch,
    cpus: facts.cpus,
    memoryBytes: facts.memoryBytes,
    agentVersion: facts.agentVersion,
    protocolVersion: facts.protocolVersion,
    ...(engine && { engineVersion: engine.version, engineApiVersion: engine.apiVersion, storageDriver: engine.storageDriver, dockerRootDir: engine.dockerRootDir }),
  };
}
