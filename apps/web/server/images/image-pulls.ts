import { EventEmitter } from "node:events";
import { z } from "zod";
import { type ErrorBody, ImageReference, type LayerProgress, type PullProgress, type PullResult } from "@stevedore/protocol";
import type { AgentGateway } from "../agents/agent-gateway";
import { AgentRequestError } from "../agents/agent-session";
import { newId } from "../agents/secrets";
import type { Actor, AuditLog } from "../audit/audit-log";
import type { Bus } from "../cluster/bus";
import { ReplicaCallError, type Replicas } from "../cluster/replicas";
import type { FleetState } from "../fleet/fleet-state";
import type { Registries } from "../registries/registries";

/** A pull with no progress for this long has stalled (a registry that stopped answering). */
const PULL_IDLE_TIMEOUT_MS = 120_000;
/** Finished pulls stay readable this long, for a browser that reconnects to see the outcome. */
const KEEP_FINISHED_MS = 10 * 60_000;
/** How often a pull's state goes to the other replicas while it changes. */
const SHARE_EVERY_MS = 100;

/** What a replica asks the one holding a host's agent to pull: the reference only, never credentials. */
const RelayedPull = z.object({ hostId: z.string().min(1).max(64), reference: ImageReference });

export type HostPullPhase = "pulling" | "succeeded" | "failed" | "cancelled";

export interface HostPullState {
  hostId: string;
  hostName: string;
  /** The audit request id of this host's pull. */
  requestId: string;
  phase: HostPullPhase;
  /** The engine's latest status line ("Pulling from team/app", "Digest: sha256:…"). */
  status: string | null;
  layers: LayerProgress[];
  imageId: string | null;
  digest: string | null;
  error: { code: string; message: string } | null;
}

export interface PullState {
  id: string;
  reference: string;
  startedById: string;
  startedAt: number;
  done: boolean;
  hosts: HostPullState[];
}

interface Pull {
  state: PullState;
  /** The replica running it; elsewhere the pull is a copy its state updates. */
  owner: string;
  /** Per host, layers by id, in the order the engine first named them. */
  layers: Map<string, Map<string, LayerProgress>>;
  controller: AbortController;
  changes: EventEmitter<{ change: [] }>;
  shareTimer: NodeJS.Timeout | null;
}

/**
 * Image pulls in flight on one or more hosts, each audited per host ("requested", then "succeeded"
 * with the digest it resolved to, or "failed"). Browsers watch a pull by id; cancelling aborts every
 * host's pull at its agent, which closes the engine's stream. The replica running a pull shares its
 * state on the bus (at most every 100 ms), so a browser on any replica can watch or cancel it.
 */
export class ImagePulls {
  private readonly pulls = new Map<string, Pull>();

  constructor(private readonly deps: { agents: AgentGateway; audit: AuditLog; fleet: FleetState; registries: Pick<Registries, "authFor">; bus: Bus; replicas: Replicas }) {}

  /** Follows the pulls other replicas run. */
  async followReplicas(): Promise<void> {
    const { bus, replicas } = this.deps;
    if (!bus.clustered) return;
    await bus.subscribe("pulls", (m) => this.onShared(m as { owner: string; state: PullState }));
    replicas.handle("pull.cancel", async (params) => ({ cancelled: await this.cancel((params as { id: string }).id) }));
    replicas.handle("image.pull", async (params, io) => {
      const parsed = RelayedPull.safeParse(params);
      if (!parsed.success) throw new AgentRequestError({ code: "bad_request", message: "a relayed pull names a host and an image reference" });
      return this.pullHere(parsed.data.hostId, parsed.data.reference, { onProgress: io.progress, signal: io.signal });
    });
    // Pulls run by a replica that went away lost their agents' answers with it.
    replicas.on("down", (replica) => {
      for (const pull of this.pulls.values()) {
        if (pull.owner !== replica || pull.state.done) continue;
        for (const h of pull.state.hosts) if (h.phase === "pulling") Object.assign(h, { phase: "failed", error: { code: "host_offline", message: "the replica running this pull went away" } });
        this.finish(pull);
      }
    });
  }

  async start(actor: Actor, startedById: string, hostIds: string[], reference: string): Promise<PullState> {
    const pull = this.newPull({ id: newId("pull"), reference, startedById, startedAt: Date.now(), done: false, hosts: [] }, this.deps.replicas.id);
    pull.changes.on("change", () => this.share(pull));
    for (const hostId of new Set(hostIds)) {
      const host: HostPullState = { hostId, hostName: this.deps.fleet.getHost(hostId)?.name ?? hostId, requestId: newId("req"), phase: "pulling", status: null, layers: [], imageId: null, digest: null, error: null };
      pull.state.hosts.push(host);
      pull.layers.set(hostId, new Map());
      await this.deps.audit.append({ ...this.auditBase(actor, host, reference), phase: "requested" });
    }
    this.pulls.set(pull.state.id, pull);
    // Known to every replica before the browser, told the pull's id, asks any of them about it.
    if (this.deps.bus.clustered) this.deps.bus.publish("pulls", { owner: pull.owner, state: pull.state });
    void Promise.all(pull.state.hosts.map((host) => this.pullOn(pull, host, actor))).then(() => this.finish(pull));
    return pull.state;
  }

  /**
   * Pulls on a host whose agent is connected to this replica, with the stored credentials for the
   * reference's registry, opened here. Another replica's host gets an `image.pull` call naming only the
   * reference: its replica opens the credentials from the database itself, so they never cross the bus.
   */
  private async pull(hostId: string, reference: string, opts: { onProgress: (p: PullProgress) => void; signal: AbortSignal }): Promise<PullResult> {
    const owner = this.deps.fleet.ownerOf(hostId);
    if (!this.deps.bus.clustered || !owner || owner === this.deps.replicas.id) return this.pullHere(hostId, reference, opts);
    try {
      const result = await this.deps.replicas.call(owner, "image.pull", { hostId, reference } satisfies z.infer<typeof RelayedPull>, {
        timeoutMs: PULL_IDLE_TIMEOUT_MS,
        onProgress: opts.onProgress as (p: unknown) => void,
        signal: opts.signal,
      });
      return result as PullResult;
    } catch (err) {
      throw err instanceof ReplicaCallError ? new AgentRequestError(err.body as ErrorBody) : err;
    }
  }

  private async pullHere(hostId: string, reference: string, opts: { onProgress: (p: PullProgress) => void; signal: AbortSignal }): Promise<PullResult> {
    const auth = await this.deps.registries.authFor(reference);
    // Checked after the await and with nothing in between: the request goes to this replica's own agent
    // connection, never on to another replica (which is what would carry `auth` over the bus).
    const owner = this.deps.fleet.ownerOf(hostId);
    if (owner && owner !== this.deps.replicas.id) {
      throw new AgentRequestError({ code: "host_offline", message: "the host's agent is no longer connected to this replica" });
    }
    return this.deps.agents.request(hostId, "image.pull", { reference, auth }, { timeoutMs: PULL_IDLE_TIMEOUT_MS, onProgress: opts.onProgress, signal: opts.signal });
  }

  private newPull(state: PullState, owner: string): Pull {
    const pull: Pull = { state, owner, layers: new Map(), controller: new AbortController(), changes: new EventEmitter(), shareTimer: null };
    pull.changes.setMaxListeners(0);
    return pull;
  }

  private finish(pull: Pull): void {
    pull.state.done = true;
    pull.changes.emit("change");
    setTimeout(() => this.pulls.delete(pull.state.id), KEEP_FINISHED_MS).unref();
  }

  /** The latest state to the other replicas: at once when it is the last, else at most every 100 ms. */
  private share(pull: Pull): void {
    if (!this.deps.bus.clustered || pull.shareTimer) return;
    const send = () => {
      pull.shareTimer = null;
      this.deps.bus.publish("pulls", { owner: pull.owner, state: pull.state });
    };
    if (pull.state.done) return send();
    pull.shareTimer = setTimeout(send, SHARE_EVERY_MS);
  }

  private onShared({ owner, state }: { owner: string; state: PullState }): void {
    let pull = this.pulls.get(state.id);
    if (!pull) this.pulls.set(state.id, (pull = this.newPull(state, owner)));
    else Object.assign(pull.state, state);
    if (state.done) this.finish(pull);
    else pull.changes.emit("change");
  }

  get(id: string): PullState | null {
    return this.pulls.get(id)?.state ?? null;
  }

  /** Calls `listener` after every change until the returned function is called. */
  watch(id: string, listener: () => void): () => void {
    const pull = this.pulls.get(id);
    pull?.changes.on("change", listener);
    return () => pull?.changes.off("change", listener);
  }

  async cancel(id: string): Promise<boolean> {
    const pull = this.pulls.get(id);
    if (!pull || pull.state.done) return false;
    if (pull.owner !== this.deps.replicas.id) {
      const answer = await this.deps.replicas.call(pull.owner, "pull.cancel", { id }, { timeoutMs: 5_000 });
      return (answer as { cancelled: boolean }).cancelled;
    }
    pull.controller.abort();
    return true;
  }

  private auditBase(actor: Actor, host: HostPullState, reference: string) {
    return { requestId: host.requestId, action: "image.pull" as const, actor, hostId: host.hostId, hostName: host.hostName, targetType: "image", targetName: reference, params: { reference } };
  }

  private async pullOn(pull: Pull, host: HostPullState, actor: Actor): Promise<void> {
    const layers = pull.layers.get(host.hostId)!;
    const onProgress = (p: PullProgress) => {
      for (const layer of p.layers) layers.set(layer.id, layer);
      host.layers = [...layers.values()];
      if (p.status) host.status = p.status;
      pull.changes.emit("change");
    };
    const base = this.auditBase(actor, host, pull.state.reference);
    try {
      const result = await this.pull(host.hostId, pull.state.reference, { onProgress, signal: pull.controller.signal });
      Object.assign(host, { phase: "succeeded", imageId: result.imageId, digest: result.digest });
      await this.deps.audit.append({ ...base, phase: "succeeded", targetId: result.imageId, params: { ...base.params, digest: result.digest, imageId: result.imageId } });
    } catch (err) {
      const error = err instanceof AgentRequestError ? { code: err.body.code, message: err.body.message } : { code: "unexpected", message: err instanceof Error ? err.message : String(err) };
      Object.assign(host, { phase: error.code === "cancelled" ? "cancelled" : "failed", error });
      await this.deps.audit.append({ ...base, phase: "failed", error: error.message });
    }
    pull.changes.emit("change");
  }
}
