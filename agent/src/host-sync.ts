import type { Logger } from "pino";
import { AUDITED_CONTAINER_EVENTS, REQUEST_ID_LABEL, type AgentMessage, type EngineFacts, type LifecycleEvent } from "@stevedore/protocol";
import { Engine, engineMessage, type EngineEvent } from "./engine";

const ENGINE_RETRY_MS = 1_000;
const ENGINE_RETRY_MAX_MS = 5_000;
const IMAGE_REFRESH_DEBOUNCE_MS = 150;
/** Volume and network events come in bursts (a container start mounts and connects several): one word per burst. */
const RESOURCE_CHANGE_DEBOUNCE_MS = 150;
/** Container events that change which volumes and networks are in use (the list counts stopped containers too). */
const USAGE_EVENTS = new Set(["create", "destroy"]);

/**
 * Container events that can change what the fleet view shows. Others (exec_*, attach, resize, top,
 * archive-path…) are frequent and change nothing: the UI's own `top` polling would otherwise echo
 * back as a change every few seconds.
 */
const STATE_EVENTS = new Set(["create", "start", "restart", "die", "pause", "unpause", "rename", "destroy", "update", "oom"]);

/** Lifecycle events that go into the audit trail (the protocol's list, which the audit page's filter also reads). */
const AUDITED_EVENTS: ReadonlySet<string> = new Set(AUDITED_CONTAINER_EVENTS);
const EVENT_FLUSH_MS = 100;
/**
 * After our own request on a container finishes, the engine may still report what it caused (the
 * die after a kill). Those trailing events, each at most once and within a short grace, are ours too;
 * anything else, like a docker CLI start a moment later, is not.
 */
const OWN_GRACE_MS = 1_500;
const TRAILING_EVENTS: Record<string, string[]> = {
  kill: ["kill", "die"],
  stop: ["kill", "die", "stop"],
  restart: ["kill", "die", "stop", "start", "restart"],
  remove: ["kill", "die", "destroy"],
  start: ["start"],
  pause: ["pause"],
  unpause: ["unpause"],
  rename: ["rename"],
  recreate: ["rename", "kill", "die", "stop", "destroy", "start"],
  run: ["create", "start"],
};

interface OwnWork {
  /** Infinity while the request is in flight: every event for the container is ours. */
  until: number;
  trailing: Set<string>;
}
const SIGNAL_NAMES: Record<string, string> = { "1": "SIGHUP", "2": "SIGINT", "3": "SIGQUIT", "9": "SIGKILL", "10": "SIGUSR1", "12": "SIGUSR2", "15": "SIGTERM", "19": "SIGSTOP", "18": "SIGCONT", "28": "SIGWINCH" };

/**
 * Keeps the control plane's picture of this host's engine true: a snapshot on every (re)connect and
 * on engine recovery, then one delta per changed container, driven by the engine's /events stream.
 * Deltas read the container afresh rather than trusting the event, so a burst of events for one
 * container collapses to one inspect and the last word is always the engine's current state.
 */
export class HostSync {
  facts: EngineFacts | null = null;
  lastError = "engine not contacted yet";
  private up = false;
  private connected = false;
  private syncing = false;
  private stopEvents: (() => void) | null = null;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryDelay = ENGINE_RETRY_MS;
  private readonly inFlight = new Set<string>();
  private readonly dirty = new Set<string>();
  private imageTimer: NodeJS.Timeout | null = null;
  private resourceTimer: NodeJS.Timeout | null = null;
  private readonly changedResources = new Set<"volumes" | "networks">();
  private stopped = false;
  /** Snapshots run one at a time: a reconnect during a snapshot queues a fresh one behind it. */
  private snapshots: Promise<void> = Promise.resolve();
  /** Containers (by id) and runs (by request-id label) that a Stevedore request is acting on. */
  private readonly own = new Map<string, OwnWork>();
  private pendingEvents: LifecycleEvent[] = [];
  private eventTimer: NodeJS.Timeout | null = null;
  private replaying = false;

  constructor(
    private readonly engine: Engine,
    private readonly log: Logger,
    private readonly send: (msg: AgentMessage) => void,
  ) {}

  get engineUp(): boolean {
    return this.up;
  }

  /** Connects to the engine and keeps reconnecting while it is away. */
  async start(): Promise<void> {
    await this.connectEngine();
  }

  stop(): void {
    this.stopped = true;
    this.stopEvents?.();
    if (this.retryTimer) clearTimeout(this.retryTimer);
    if (this.imageTimer) clearTimeout(this.imageTimer);
    if (this.resourceTimer) clearTimeout(this.resourceTimer);
    if (this.eventTimer) clearTimeout(this.eventTimer);
  }

  /**
   * Called when the control plane has welcomed us: it gets the whole state, then deltas, and the
   * lifecycle events it missed since `eventsSince` (as far back as the engine still remembers).
   */
  async onControlConnected(eventsSince?: string): Promise<void> {
    this.connected = true;
    if (!this.up) {
      this.send({ type: "engine.down", error: this.lastError });
      return;
    }
    await this.sendSnapshot();
    if (eventsSince) await this.replayEvents(eventsSince);
  }

  /**
   * Marks a container id (or a run's request-id label) as being acted on by Stevedore's `action`;
   * call the returned function when the request is done.
   */
  beginOwn(key: string, action: string): () => void {
    const work: OwnWork = { until: Infinity, trailing: new Set(TRAILING_EVENTS[action] ?? []) };
    this.own.set(key, work);
    return () => {
      work.until = Date.now() + OWN_GRACE_MS;
    };
  }

  private isOwn(e: EngineEvent): boolean {
    const now = Date.now();
    for (const [key, work] of this.own) if (work.until < now) this.own.delete(key);
    const requestId = e.Actor.Attributes?.[REQUEST_ID_LABEL];
    const work = this.own.get(e.Actor.ID) ?? (requestId !== undefined ? this.own.get(requestId) : undefined);
    if (!work) return false;
    return work.until === Infinity || work.trailing.delete(e.Action);
  }

  private toLifecycle(e: EngineEvent): LifecycleEvent | null {
    if (e.Type !== "container" || !AUDITED_EVENTS.has(e.Action) || !/^[0-9a-f]{64}$/.test(e.Actor.ID)) return null;
    const attrs = e.Actor.Attributes ?? {};
    const exitCode = attrs.exitCode !== undefined ? Number(attrs.exitCode) : undefined;
    return {
      id: e.Actor.ID,
      action: e.Action,
      timeNano: String(e.timeNano),
      name: attrs.name,
      image: attrs.image,
      exitCode: Number.isInteger(exitCode) ? exitCode : undefined,
      signal: attrs.signal ? (SIGNAL_NAMES[attrs.signal] ?? attrs.signal) : undefined,
      ours: this.isOwn(e),
    };
  }

  private queueEvent(event: LifecycleEvent): void {
    if (!this.connected) return; // the replay after reconnecting brings it back
    this.pendingEvents.push(event);
    if (!this.eventTimer && !this.replaying) this.eventTimer = setTimeout(() => this.flushEvents(), EVENT_FLUSH_MS);
  }

  private flushEvents(): void {
    this.eventTimer = null;
    if (!this.connected || this.pendingEvents.length === 0) return;
    const events = this.pendingEvents.sort((a, b) => (BigInt(a.timeNano) < BigInt(b.timeNano) ? -1 : 1));
    this.pendingEvents = [];
    for (let i = 0; i < events.length; i += 1_000) this.send({ type: "engine.events", events: events.slice(i, i + 1_000) });
  }

  /** Reads the engine's events from `since` to now and sends them before any live ones. */
  private async replayEvents(sinceNano: string): Promise<void> {
    this.replaying = true;
    try {
      const replayed = await this.engine.eventsBetween(sinceNano, Date.now());
      const seen = new Set(this.pendingEvents.map((e) => `${e.timeNano}/${e.id}/${e.action}`));
      for (const e of replayed) {
        const event = this.toLifecycle(e);
        if (event && !seen.has(`${event.timeNano}/${event.id}/${event.action}`)) this.pendingEvents.push(event);
      }
      this.log.debug({ since: sinceNano, events: replayed.length }, "replayed engine events");
    } catch (err) {
      this.log.warn({ err: engineMessage(err) }, "could not replay engine events");
    } finally {
      this.replaying = false;
      this.flushEvents();
    }
  }

  onControlDisconnected(): void {
    this.connected = false;
  }

  private async connectEngine(): Promise<void> {
    if (this.stopped) return;
    try {
      const facts = await this.engine.facts();
      this.stopEvents = await this.engine.watchEvents(
        (e) => this.onEvent(e),
        (err) => this.onEngineLost(err ? engineMessage(err) : "engine event stream closed"),
      );
      this.facts = facts;
      this.up = true;
      this.retryDelay = ENGINE_RETRY_MS;
      this.log.info({ engine: facts.version, api: facts.apiVersion }, "engine connected");
      if (this.connected) await this.sendSnapshot();
    } catch (err) {
      this.markDown(engineMessage(err));
    }
  }

  private onEngineLost(reason: string): void {
    if (this.stopped || !this.up) return;
    this.stopEvents = null;
    this.markDown(reason);
  }

  private markDown(reason: string): void {
    const wasUp = this.up;
    this.up = false;
    this.lastError = reason;
    if (wasUp || this.retryDelay === ENGINE_RETRY_MS) this.log.warn({ reason }, "engine unavailable");
    if (this.connected) this.send({ type: "engine.down", error: reason });
    if (this.retryTimer || this.stopped) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      void this.connectEngine();
    }, this.retryDelay);
    this.retryDelay = Math.min(this.retryDelay * 2, ENGINE_RETRY_MAX_MS);
  }

  private sendSnapshot(): Promise<void> {
    this.snapshots = this.snapshots.then(() => this.readAndSendSnapshot());
    return this.snapshots;
  }

  private async readAndSendSnapshot(): Promise<void> {
    this.syncing = true;
    try {
      const [containers, images] = await Promise.all([this.engine.listContainers(), this.engine.listImages()]);
      if (!this.connected || !this.facts) return;
      this.send({ type: "snapshot", engine: this.facts, containers, images });
      this.log.debug({ containers: containers.length, images: images.length }, "snapshot sent");
    } catch (err) {
      this.log.warn({ err: engineMessage(err) }, "snapshot failed");
    } finally {
      this.syncing = false;
    }
    // Containers that changed while the snapshot was being read are sent again, after it.
    for (const id of [...this.dirty]) void this.refreshContainer(id);
  }

  private onEvent(e: EngineEvent): void {
    const lifecycle = this.toLifecycle(e);
    if (lifecycle) this.queueEvent(lifecycle);
    if (e.Type === "container" && e.Actor?.ID) {
      if (STATE_EVENTS.has(e.Action) || e.Action.startsWith("health_status")) void this.refreshContainer(e.Actor.ID);
      if (USAGE_EVENTS.has(e.Action)) this.resourcesChanged("volumes", "networks");
    } else if (e.Type === "image") {
      this.scheduleImageRefresh();
    } else if (e.Type === "volume") {
      this.resourcesChanged("volumes");
    } else if (e.Type === "network") {
      this.resourcesChanged("networks");
    }
  }

  /**
   * Volumes and networks are read live by the control plane when a page asks; the agent only says
   * that they changed, and the browser reads them again (the same read a reload makes).
   */
  private resourcesChanged(...kinds: ("volumes" | "networks")[]): void {
    for (const k of kinds) this.changedResources.add(k);
    if (this.resourceTimer) return;
    this.resourceTimer = setTimeout(() => {
      this.resourceTimer = null;
      const changed = [...this.changedResources];
      this.changedResources.clear();
      if (this.connected && changed.length > 0) this.send({ type: "engine.changed", kinds: changed });
    }, RESOURCE_CHANGE_DEBOUNCE_MS);
  }

  private async refreshContainer(id: string): Promise<void> {
    if (this.syncing || this.inFlight.has(id)) {
      this.dirty.add(id);
      return;
    }
    this.dirty.delete(id);
    this.inFlight.add(id);
    try {
      const summary = await this.engine.inspectContainer(id);
      if (this.connected && !this.syncing) {
        if (summary) this.send({ type: "container.upsert", container: summary });
        else if (/^[0-9a-f]{64}$/.test(id)) this.send({ type: "container.remove", id });
      } else if (this.syncing) {
        this.dirty.add(id);
      }
      // While disconnected nothing is queued: the snapshot after reconnecting carries the latest state.
    } catch (err) {
      this.log.debug({ id, err: engineMessage(err) }, "container refresh failed");
    } finally {
      this.inFlight.delete(id);
    }
    if (this.dirty.has(id) && this.connected && !this.syncing) void this.refreshContainer(id);
  }

  private scheduleImageRefresh(): void {
    if (this.imageTimer) return;
    this.imageTimer = setTimeout(() => {
      this.imageTimer = null;
      this.engine
        .listImages()
        .then((images) => this.connected && this.send({ type: "images", images }))
        .catch((err: unknown) => this.log.debug({ err: engineMessage(err) }, "image refresh failed"));
    }, IMAGE_REFRESH_DEBOUNCE_MS);
  }
}
