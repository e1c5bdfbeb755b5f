import { EventEmitter } from "node:events";
import type { LayerProgress, PullProgress, RegistryAuth } from "@stevedore/protocol";
import type { AgentGateway } from "../agents/agent-gateway";
import { AgentRequestError } from "../agents/agent-session";
import { newId } from "../agents/secrets";
import type { Actor, AuditLog } from "../audit/audit-log";
import type { FleetState } from "../fleet/fleet-state";
import type { Registries } from "../registries/registries";

/** A pull with no progress for this long has stalled (a registry that stopped answering). */
const PULL_IDLE_TIMEOUT_MS = 120_000;
/** Finished pulls stay readable this long, for a browser that reconnects to see the outcome. */
const KEEP_FINISHED_MS = 10 * 60_000;

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
  /** Per host, layers by id, in the order the engine first named them. */
  layers: Map<string, Map<string, LayerProgress>>;
  controller: AbortController;
  changes: EventEmitter<{ change: [] }>;
}

/**
 * Image pulls in flight on one or more hosts, each audited per host ("requested", then "succeeded"
 * with the digest it resolved to, or "failed"). Browsers watch a pull by id; cancelling aborts every
 * host's pull at its agent, which closes the engine's stream.
 */
export class ImagePulls {
  private readonly pulls = new Map<string, Pull>();

  constructor(private readonly deps: { agents: AgentGateway; audit: AuditLog; fleet: FleetState; registries: Pick<Registries, "authFor"> }) {}

  async start(actor: Actor, startedById: string, hostIds: string[], reference: string): Promise<PullState> {
    const pull: Pull = {
      state: { id: newId("pull"), reference, startedById, startedAt: Date.now(), done: false, hosts: [] },
      layers: new Map(),
      controller: new AbortController(),
      changes: new EventEmitter(),
    };
    pull.changes.setMaxListeners(0);
    for (const hostId of new Set(hostIds)) {
      const host: HostPullState = { hostId, hostName: this.deps.fleet.getHost(hostId)?.name ?? hostId, requestId: newId("req"), phase: "pulling", status: null, layers: [], imageId: null, digest: null, error: null };
      pull.state.hosts.push(host);
      pull.layers.set(hostId, new Map());
      await this.deps.audit.append({ ...this.auditBase(actor, host, reference), phase: "requested" });
    }
    this.pulls.set(pull.state.id, pull);
    // Stored credentials for the reference's registry travel only inside these pull requests.
    const auth = await this.deps.registries.authFor(reference);
    void Promise.all(pull.state.hosts.map((host) => this.pullOn(pull, host, actor, auth))).then(() => {
      pull.state.done = true;
      pull.changes.emit("change");
      setTimeout(() => this.pulls.delete(pull.state.id), KEEP_FINISHED_MS).unref();
    });
    return pull.state;
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

  cancel(id: string): boolean {
    const pull = this.pulls.get(id);
    if (!pull || pull.state.done) return false;
    pull.controller.abort();
    return true;
  }

  private auditBase(actor: Actor, host: HostPullState, reference: string) {
    return { requestId: host.requestId, action: "image.pull", actor, hostId: host.hostId, hostName: host.hostName, targetType: "image", targetName: reference, params: { reference } };
  }

  private async pullOn(pull: Pull, host: HostPullState, actor: Actor, auth: RegistryAuth | undefined): Promise<void> {
    const layers = pull.layers.get(host.hostId)!;
    const onProgress = (p: PullProgress) => {
      for (const layer of p.layers) layers.set(layer.id, layer);
      host.layers = [...layers.values()];
      if (p.status) host.status = p.status;
      pull.changes.emit("change");
    };
    const base = this.auditBase(actor, host, pull.state.reference);
    try {
      const result = await this.deps.agents.request(host.hostId, "image.pull", { reference: pull.state.reference, auth }, { timeoutMs: PULL_IDLE_TIMEOUT_MS, onProgress, signal: pull.controller.signal });
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
