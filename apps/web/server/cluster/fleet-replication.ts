import { EventEmitter } from "node:events";
import type { ContainerSummary, EngineFacts, HelloMessage, ImageSummary, StatsTable } from "@stevedore/protocol";
import type { FleetState, LiveHostState, PersistedHost } from "../fleet/fleet-state";
import type { CredentialAlert, HostView, RefusedProtocol } from "../fleet/types";
import type { Logger } from "../logger";
import type { StatsHistory } from "../stats/stats-history";
import type { Bus } from "./bus";
import type { Replicas } from "./replicas";

/** Every change to the fleet view, as one replica makes it and every other replays it. */
export type FleetOp =
  | { op: "host.add"; host: PersistedHost }
  | { op: "host.remove"; hostId: string }
  | { op: "host.groups"; hostId: string; groups: string[] }
  | { op: "host.state"; state: LiveHostState }
  | { op: "connected"; hostId: string; hello: HelloMessage; owner: string; at: number }
  | { op: "disconnected"; hostId: string; owner: string; at: number }
  | { op: "snapshot"; hostId: string; engine: EngineFacts; containers: ContainerSummary[]; images: ImageSummary[] }
  | { op: "engine.down"; hostId: string; error: string }
  | { op: "container.upsert"; hostId: string; container: ContainerSummary }
  | { op: "container.remove"; hostId: string; id: string }
  | { op: "images"; hostId: string; images: ImageSummary[] }
  | { op: "engine.changed"; hostId: string; kinds: ("volumes" | "networks")[] }
  | { op: "stats"; hostId: string; batch: StatsTable }
  | { op: "host.limited"; hostId: string; limited: HostView["limited"] }
  | { op: "host.refused-protocol"; hostId: string; refused: RefusedProtocol }
  | { op: "host.credential-alert"; hostId: string; alert: CredentialAlert };

type Wire = FleetOp | { op: "sync.request" };

/**
 * Keeps every replica's fleet view whole: a change this replica makes (mostly from its own agents) is
 * applied here and published; the others apply it too, so each serves the whole fleet to its browsers
 * and its `fleet.changes` subscribers. A replica that starts asks for the hosts the others hold; a
 * replica that goes away takes its hosts offline with it until their agents reconnect elsewhere.
 */
export class FleetReplication extends EventEmitter<{ remote: [FleetOp] }> {
  constructor(
    private readonly bus: Bus,
    private readonly replicas: Replicas,
    readonly fleet: FleetState,
    private readonly stats: StatsHistory,
    private readonly log: Logger,
  ) {
    super();
    replicas.on("down", (replica) => {
      const now = Date.now();
      for (const hostId of fleet.hostsOwnedBy(replica)) fleet.disconnected(hostId, replica, now);
    });
  }

  async start(): Promise<void> {
    if (!this.bus.clustered) return;
    await this.bus.subscribe("fleet", (m) => this.onRemote(m as Wire));
    this.bus.publish("fleet", { op: "sync.request" } satisfies Wire);
  }

  /** A change made on this replica: applied here, then on every other. */
  apply(op: FleetOp): void {
    this.applyHere(op);
    if (this.bus.clustered) this.bus.publish("fleet", op);
  }

  private onRemote(m: Wire): void {
    if (m.op === "sync.request") {
      for (const hostId of this.fleet.hostsOwnedBy(this.replicas.id)) {
        const state = this.fleet.liveState(hostId);
        if (state) this.bus.publish("fleet", { op: "host.state", state } satisfies Wire);
      }
      return;
    }
    // Hosts come from the database at start and from host.add; a change for one we don't know is
    // for a host revoked meanwhile.
    const hostId = m.op === "host.add" ? null : m.op === "host.state" ? m.state.id : m.hostId;
    if (hostId !== null && !this.fleet.has(hostId)) {
      this.log.debug({ op: m.op, hostId }, "fleet change for an unknown host ignored");
      return;
    }
    this.applyHere(m);
    this.emit("remote", m);
  }

  private applyHere(op: FleetOp): void {
    const { fleet } = this;
    switch (op.op) {
      case "host.add":
        if (!fleet.has(op.host.id)) fleet.addHost(op.host);
        return;
      case "host.remove":
        fleet.removeHost(op.hostId);
        this.stats.forgetHost(op.hostId);
        return;
      case "host.groups":
        return fleet.setGroups(op.hostId, op.groups);
      case "host.state":
        return fleet.restore(op.state);
      case "connected":
        return fleet.connected(op.hostId, op.hello, op.owner, op.at);
      case "disconnected":
        return fleet.disconnected(op.hostId, op.owner, op.at);
      case "snapshot":
        return fleet.snapshot(op.hostId, op.engine, op.containers, op.images);
      case "engine.down":
        return fleet.engineDown(op.hostId, op.error);
      case "container.upsert":
        return fleet.upsertContainer(op.hostId, op.container);
      case "container.remove":
        return fleet.removeContainer(op.hostId, op.id);
      case "images":
        return fleet.setImages(op.hostId, op.images);
      case "engine.changed":
        return fleet.resourcesChanged(op.hostId, op.kinds);
      case "stats":
        return this.stats.record(op.hostId, op.batch);
      case "host.limited":
        return fleet.setLimited(op.hostId, op.limited);
      case "host.refused-protocol":
        return fleet.setRefusedProtocol(op.hostId, op.refused);
      case "host.credential-alert":
        return fleet.setCredentialAlert(op.hostId, op.alert);
    }
  }
}
