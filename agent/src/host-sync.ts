import type { Logger } from "pino";
import type { AgentMessage, EngineFacts } from "@stevedore/protocol";
import { Engine, engineMessage, type EngineEvent } from "./engine";

const ENGINE_RETRY_MS = 1_000;
const ENGINE_RETRY_MAX_MS = 5_000;
const IMAGE_REFRESH_DEBOUNCE_MS = 150;

/**
 * Container events that can change what the fleet view shows. Others (exec_*, attach, resize, top,
 * archive-path…) are frequent and change nothing: the UI's own `top` polling would otherwise echo
 * back as a change every few seconds.
 */
const STATE_EVENTS = new Set(["create", "start", "restart", "die", "pause", "unpause", "rename", "destroy", "update", "oom"]);

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
  private stopped = false;
  /** Snapshots run one at a time: a reconnect during a snapshot queues a fresh one behind it. */
  private snapshots: Promise<void> = Promise.resolve();

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
  }

  /** Called when the control plane has welcomed us: it gets the whole state, then deltas. */
  async onControlConnected(): Promise<void> {
    this.connected = true;
    if (this.up) await this.sendSnapshot();
    else this.send({ type: "engine.down", error: this.lastError });
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
    if (e.Type === "container" && e.Actor?.ID) {
      if (STATE_EVENTS.has(e.Action) || e.Action.startsWith("health_status")) void this.refreshContainer(e.Actor.ID);
    } else if (e.Type === "image") {
      this.scheduleImageRefresh();
    }
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
