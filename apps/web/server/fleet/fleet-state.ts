import { EventEmitter } from "node:events";
import type { ContainerSummary, EngineFacts, HelloMessage, ImageSummary } from "@stevedore/protocol";
import { HostContainerView } from "./host-container-view";
import type { ContainerRow, CredentialAlert, FleetChange, HostStatus, HostView, RefusedProtocol } from "./types";

interface HostEntry {
  id: string;
  name: string;
  groups: string[];
  connected: boolean;
  /** The replica holding its agent's connection (with one replica, always this one). */
  owner: string | null;
  engineUp: boolean;
  engineError: string | null;
  lastSeenAt: number | null;
  connectedAt: number | null;
  facts: HostView["facts"];
  engine: EngineFacts | null;
  containers: Map<string, ContainerSummary>;
  /** The containers arranged for the containers page: built with a snapshot, dropped at a change, rebuilt when next asked. */
  view: HostContainerView | null;
  images: ImageSummary[];
  limited: HostView["limited"];
  refusedProtocol: RefusedProtocol | null;
  credentialAlert: CredentialAlert | null;
  /** The hosts search's text, with what it was built from: rebuilt only when one of those is replaced. */
  search: { text: string; from: readonly unknown[] } | null;
}

export interface PersistedHost {
  id: string;
  name: string;
  groups: string[];
  lastSeenAt: number | null;
  facts: HostView["facts"];
  engine: EngineFacts | null;
  credentialAlert?: CredentialAlert | null;
}

/**
 * The fleet as the agents report it, held in memory: hosts, their containers and images. Agents are
 * the authority; this is a cache they keep true with snapshots and deltas. Every change is announced
 * on `changes` so browsers can re-read what they show.
 */
export class FleetState {
  private readonly hosts = new Map<string, HostEntry>();
  /** `snapshot`: a host's whole state was just replaced by what its agent reported (after a (re)connect). */
  readonly changes = new EventEmitter<{ change: [FleetChange]; snapshot: [string] }>();

  constructor() {
    this.changes.setMaxListeners(0);
  }

  /** Hosts known from the database start offline with their last facts until their agent connects. */
  addHost(h: PersistedHost): void {
    this.hosts.set(h.id, {
      id: h.id,
      name: h.name,
      groups: h.groups,
      connected: false,
      owner: null,
      engineUp: false,
      engineError: null,
      lastSeenAt: h.lastSeenAt,
      connectedAt: null,
      facts: h.facts,
      engine: h.engine,
      containers: new Map(),
      view: null,
      images: [],
      limited: null,
      refusedProtocol: null,
      credentialAlert: h.credentialAlert ?? null,
      search: null,
    });
    this.emit({ kind: "host", hostId: h.id });
  }

  removeHost(hostId: string): void {
    if (this.hosts.delete(hostId)) {
      this.emit({ kind: "host", hostId });
      this.emit({ kind: "containers", hostId });
    }
  }

  hostIds(): IterableIterator<string> {
    return this.hosts.keys();
  }

  has(hostId: string): boolean {
    return this.hosts.has(hostId);
  }

  connected(hostId: string, hello: HelloMessage, owner: string, now = Date.now()): void {
    const h = this.entry(hostId);
    h.connected = true;
    h.owner = owner;
    h.connectedAt = now;
    h.lastSeenAt = now;
    h.facts = { ...hello.host, protocolVersion: hello.protocolVersion };
    h.engineUp = hello.engine !== null;
    h.engine = hello.engine ?? h.engine;
    h.engineError = hello.engine ? null : (hello.engineError ?? "engine not reachable");
    // Only a supported agent gets this far: an earlier refusal is over.
    h.refusedProtocol = null;
    this.emit({ kind: "host", hostId });
  }

  /** Only the replica that holds the connection can end it: a late word from a former one is ignored. */
  disconnected(hostId: string, owner: string, now = Date.now()): void {
    const h = this.hosts.get(hostId);
    if (!h || h.owner !== owner) return;
    h.connected = false;
    h.owner = null;
    h.connectedAt = null;
    h.lastSeenAt = now;
    this.emit({ kind: "host", hostId });
    this.emit({ kind: "containers", hostId });
  }

  ownerOf(hostId: string): string | null {
    const h = this.hosts.get(hostId);
    return h?.connected ? h.owner : null;
  }

  /** Connected hosts whose agent is on `owner`: what a replica tells a newcomer, or what goes offline with it. */
  hostsOwnedBy(owner: string): string[] {
    return [...this.hosts.values()].filter((h) => h.connected && h.owner === owner).map((h) => h.id);
  }

  /** Everything known about a connected host, for another replica to `restore`. */
  liveState(hostId: string): LiveHostState | null {
    const h = this.hosts.get(hostId);
    if (!h?.connected || !h.owner) return null;
    const { id, owner, connectedAt, facts, engine, engineUp, engineError } = h;
    return { id, owner, connectedAt: connectedAt ?? Date.now(), facts, engine, engineUp, engineError, containers: [...h.containers.values()], images: h.images };
  }

  restore(s: LiveHostState): void {
    const h = this.entry(s.id);
    Object.assign(h, { connected: true, owner: s.owner, connectedAt: s.connectedAt, lastSeenAt: Date.now(), facts: s.facts, engine: s.engine, engineUp: s.engineUp, engineError: s.engineError, images: s.images });
    h.containers = new Map(s.containers.map((c) => [c.id, c]));
    h.view = new HostContainerView(h.containers.values());
    this.emit({ kind: "host", hostId: s.id });
    this.emit({ kind: "containers", hostId: s.id });
    this.emit({ kind: "images", hostId: s.id });
  }

  seen(hostId: string, now = Date.now()): void {
    const h = this.hosts.get(hostId);
    if (h) h.lastSeenAt = now;
  }

  snapshot(hostId: string, engine: EngineFacts, containers: ContainerSummary[], images: ImageSummary[]): void {
    const h = this.entry(hostId);
    h.engineUp = true;
    h.engineError = null;
    h.engine = engine;
    h.containers = new Map(containers.map((c) => [c.id, c]));
    // Built now rather than by the first page after a restart, which would build 20,000 at once.
    h.view = new HostContainerView(h.containers.values());
    h.images = images;
    this.emit({ kind: "host", hostId });
    this.emit({ kind: "containers", hostId });
    this.emit({ kind: "images", hostId });
    // A reconnected host's volumes and networks may have changed while it was away.
    this.emit({ kind: "volumes", hostId });
    this.emit({ kind: "networks", hostId });
    this.changes.emit("snapshot", hostId);
  }

  engineDown(hostId: string, error: string): void {
    const h = this.entry(hostId);
    h.engineUp = false;
    h.engineError = error;
    this.emit({ kind: "host", hostId });
    this.emit({ kind: "containers", hostId });
  }

  upsertContainer(hostId: string, c: ContainerSummary): void {
    const h = this.entry(hostId);
    const previous = h.containers.get(c.id);
    // A refresh that found nothing new (a health check, an event we also saw in the snapshot) is not a change.
    if (previous && JSON.stringify(previous) === JSON.stringify(c)) return;
    h.containers.set(c.id, c);
    h.view = null;
    this.emit({ kind: "containers", hostId });
    this.emit({ kind: "host", hostId });
  }

  removeContainer(hostId: string, id: string): void {
    const h = this.entry(hostId);
    if (h.containers.delete(id)) {
      h.view = null;
      this.emit({ kind: "containers", hostId });
      this.emit({ kind: "host", hostId });
    }
  }

  hostImages(hostId: string): readonly ImageSummary[] {
    return this.hosts.get(hostId)?.images ?? [];
  }

  /** How many containers (running or not) each image id of the host backs. */
  imageUsers(hostId: string): Map<string, number> {
    const users = new Map<string, number>();
    for (const c of this.hosts.get(hostId)?.containers.values() ?? []) users.set(c.imageId, (users.get(c.imageId) ?? 0) + 1);
    return users;
  }

  /** The host's images after an image event (tag, untag, delete, pull, load…) on its engine. */
  setImages(hostId: string, images: ImageSummary[]): void {
    this.entry(hostId).images = images;
    this.emit({ kind: "images", hostId });
    // The hosts list counts them.
    this.emit({ kind: "host", hostId });
  }

  /** The host's volumes or networks changed on its engine (they are read live, not held here). */
  resourcesChanged(hostId: string, kinds: readonly ("volumes" | "networks")[]): void {
    this.entry(hostId);
    for (const kind of kinds) this.emit({ kind, hostId });
  }

  setLimited(hostId: string, limited: HostView["limited"]): void {
    this.entry(hostId).limited = limited;
    this.emit({ kind: "host", hostId });
  }

  setRefusedProtocol(hostId: string, refused: RefusedProtocol): void {
    this.entry(hostId).refusedProtocol = refused;
    this.emit({ kind: "host", hostId });
  }

  setCredentialAlert(hostId: string, alert: CredentialAlert): void {
    this.entry(hostId).credentialAlert = alert;
    this.emit({ kind: "host", hostId });
  }

  containerCount(hostId: string): number {
    return this.hosts.get(hostId)?.containers.size ?? 0;
  }

  hasContainer(hostId: string, id: string): boolean {
    return this.hosts.get(hostId)?.containers.has(id) ?? false;
  }

  setGroups(hostId: string, groups: string[]): void {
    this.entry(hostId).groups = groups;
    this.emit({ kind: "host", hostId });
    // Container rows carry the caller's access, which follows the host's groups.
    this.emit({ kind: "containers", hostId });
  }

  hostGroups(hostId: string): readonly string[] {
    return this.hosts.get(hostId)?.groups ?? [];
  }

  hostStatus(hostId: string): HostStatus | null {
    const h = this.hosts.get(hostId);
    return h ? hostStatusOf(h) : null;
  }

  listHosts(): HostView[] {
    return [...this.hosts.values()].map(toHostView).sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Every host as the hosts search reads it: rows (HostView) are built only for the page it returns. */
  *queryableHosts(): Generator<QueryableHost> {
    for (const h of this.hosts.values()) yield h as QueryableHost;
  }

  getHost(hostId: string): HostView | null {
    const h = this.hosts.get(hostId);
    return h ? toHostView(h) : null;
  }

  getContainer(hostId: string, id: string): ContainerRow | null {
    const h = this.hosts.get(hostId);
    const c = h?.containers.get(id);
    return h && c ? toRow(h, c) : null;
  }

  /** Every host (or one), each with its containers arranged for the containers page. */
  *containersByHost(hostId?: string): Generator<HostContainers> {
    const hosts = hostId ? [this.hosts.get(hostId)].filter((h): h is HostEntry => !!h) : this.hosts.values();
    for (const h of hosts) {
      h.view ??= new HostContainerView(h.containers.values());
      yield h as HostContainers;
    }
  }

  private entry(hostId: string): HostEntry {
    const h = this.hosts.get(hostId);
    if (!h) throw new Error(`unknown host ${hostId}`);
    return h;
  }

  /** An alert of the host changed: browsers re-read their alert lists and the navigation's count. */
  alertsChanged(hostId: string): void {
    this.emit({ kind: "alerts", hostId });
  }

  private emit(change: FleetChange): void {
    this.changes.emit("change", change);
  }
}

export interface LiveHostState {
  id: string;
  owner: string;
  connectedAt: number;
  facts: HostView["facts"];
  engine: EngineFacts | null;
  engineUp: boolean;
  engineError: string | null;
  containers: ContainerSummary[];
  images: ImageSummary[];
}

/** A host as the containers page reads it: rows are built only for the page it returns. */
export type HostContainers = Readonly<Pick<HostEntry, "id" | "name" | "groups" | "connected" | "engineUp">> & { readonly view: HostContainerView };

/** A host as the hosts search reads it. */
export type QueryableHost = Readonly<Pick<HostEntry, "id" | "name" | "groups" | "connected" | "engineUp" | "lastSeenAt" | "connectedAt" | "containers">>;

/**
 * Lower-cased name, hostname (its address as the agent reports it), OS and groups: what a hosts search
 * matches. Cached on the host and rebuilt only when its facts, engine or groups were replaced.
 */
export function hostSearchText(q: QueryableHost): string {
  const h = q as unknown as HostEntry;
  const from = [h.name, h.facts, h.engine, h.groups];
  if (h.search && h.search.from.every((x, i) => x === from[i])) return h.search.text;
  const text = [h.name, h.facts.hostname ?? "", h.engine?.os || h.facts.os || "", ...h.groups].join("\n").toLowerCase();
  h.search = { text, from };
  return text;
}

export function hostStatusOf(h: Pick<HostEntry, "connected" | "engineUp">): HostStatus {
  if (!h.connected) return "offline";
  return h.engineUp ? "online" : "engine_down";
}

function toHostView(h: HostEntry): HostView {
  let running = 0;
  for (const c of h.containers.values()) if (c.state === "running" || c.state === "paused" || c.state === "restarting") running++;
  return {
    id: h.id,
    name: h.name,
    groups: h.groups,
    status: hostStatusOf(h),
    lastSeenAt: h.lastSeenAt,
    connectedAt: h.connectedAt,
    engineError: h.engineError,
    facts: h.facts,
    engine: h.engine,
    containersRunning: running,
    containersTotal: h.containers.size,
    images: h.images.length,
    limited: h.limited,
    refusedProtocol: h.refusedProtocol,
    credentialAlert: h.credentialAlert,
  };
}

export function toRow(h: Pick<HostEntry, "id" | "name" | "connected" | "engineUp">, c: ContainerSummary): ContainerRow {
  return { ...c, hostId: h.id, hostName: h.name, live: h.connected && h.engineUp };
}
