import { EventEmitter } from "node:events";
import { z } from "zod";
import { DEFAULT_HEALTH_GATE, HealthGate, PREVIOUS_IMAGE_LABEL, type RecreateProgress, type RunSpec } from "@stevedore/protocol";
import { newId } from "../agents/secrets";
import type { Actor } from "../audit/audit-log";
import type { Services } from "../services";
import { type RecreateAction, recreateOne, specOf } from "./container-recreate";

export type TargetPhase = "waiting" | "pulling" | "recreating" | "replaced" | "up-to-date" | "rolled-back" | "rollback-failed" | "failed" | "skipped";

export interface RolloutTarget {
  hostId: string;
  hostName: string;
  id: string;
  name: string;
  phase: TargetPhase;
  /** The agent's latest progress line, or what went wrong. */
  message: string | null;
  /** The pull of the new image (updates), to watch its layers. */
  pullId: string | null;
  /** The audit request of the recreate. */
  requestId: string | null;
  /** The container under the name once done (a new id when replaced). */
  currentId: string | null;
  fromImageId: string | null;
  toImageId: string | null;
}

/** A container to update, to another reference than its own when given (a newer version tag). */
export interface UpdateTarget {
  hostId: string;
  id: string;
  image?: string;
}

export interface RolloutState {
  id: string;
  kind: "recreate" | "update" | "rollback";
  startedById: string;
  startedAt: number;
  done: boolean;
  /** Why the rollout stopped before the remaining targets (the first failure). */
  stopped: string | null;
  targets: RolloutTarget[];
}

export const RolloutOptions = z.object({
  gate: HealthGate.default(DEFAULT_HEALTH_GATE),
  /** Hosts updated at once; the next batch starts only when every one of this batch passed. */
  batchSize: z.number().int().min(1).max(50).default(1),
});
export type RolloutOptions = z.infer<typeof RolloutOptions>;
export const DEFAULT_ROLLOUT_OPTIONS: RolloutOptions = { gate: DEFAULT_HEALTH_GATE, batchSize: 1 };

const FAILED: ReadonlySet<TargetPhase> = new Set(["rolled-back", "rollback-failed", "failed"]);
/** A finished rollout stays readable this long (a browser that reconnects, the audit page's link). */
const KEEP_FINISHED_MS = 10 * 60_000;
const SHARE_EVERY_MS = 100;
const Shared = z.object({ owner: z.string().max(128), state: z.custom<RolloutState>((v) => typeof v === "object" && v !== null && typeof (v as { id?: unknown }).id === "string") });

/**
 * Recreates, updates and rollbacks of one or many containers, run host by host (or N hosts at a
 * time) and stopped at the first failure, so one bad image reaches one host, not the fleet. Each
 * container is its own audited request (container-recreate.ts); the rollout is what a browser watches,
 * shared on the bus like pulls so any replica can show it.
 */
export class Rollouts {
  private readonly rollouts = new Map<string, { state: RolloutState; changes: EventEmitter<{ change: [] }>; timer: NodeJS.Timeout | null }>();

  constructor(
    /** Built after the services it belongs to, which it uses to recreate, pull and audit. */
    private readonly svc: () => Services,
    private readonly replicaId: string,
  ) {}

  async followReplicas(): Promise<void> {
    const { bus } = this.svc();
    if (!bus.clustered) return;
    await bus.subscribe("rollouts", (m) => {
      const parsed = Shared.safeParse(m);
      if (!parsed.success) return;
      const entry = this.entry(parsed.data.state);
      Object.assign(entry.state, parsed.data.state);
      entry.changes.emit("change");
      if (entry.state.done) this.forgetLater(entry.state.id);
    });
  }

  get(id: string): RolloutState | null {
    return this.rollouts.get(id)?.state ?? null;
  }

  /** Whether a rollout this replica knows of (its own or a peer's) is still working on the container. */
  busy(hostId: string, id: string): boolean {
    for (const { state } of this.rollouts.values()) if (!state.done && state.targets.some((t) => t.hostId === hostId && t.id === id)) return true;
    return false;
  }

  watch(id: string, listener: () => void): () => void {
    const r = this.rollouts.get(id);
    r?.changes.on("change", listener);
    return () => r?.changes.off("change", listener);
  }

  /** Recreates one container from an edited spec. */
  recreate(actor: Actor, user: { id: string; admin: boolean }, target: { hostId: string; id: string }, spec: RunSpec, options: RolloutOptions): RolloutState {
    return this.start("recreate", user, [target], options, async (t, report) => this.recreateTarget(t, spec, "container.recreate", actor, user.admin, options, report));
  }

  /**
   * Pulls each container's image reference on its host and, where the pull brought a different image,
   * recreates the container from its own spec.
   */
  update(actor: Actor, user: { id: string; admin: boolean }, targets: UpdateTarget[], options: RolloutOptions, params: Record<string, unknown> = {}): RolloutState {
    const images = new Map(targets.map((t) => [`${t.hostId}/${t.id}`, t.image]));
    return this.start("update", user, targets, options, async (t, report) => {
      const { spec: current, imageId } = await specOf(this.svc(), t.hostId, t.id);
      const spec = { ...current, image: images.get(`${t.hostId}/${t.id}`) ?? current.image };
      if (spec.image.includes("@") || /^sha256:/.test(spec.image)) return report({ phase: "skipped", message: `${spec.image} is pinned: there is nothing newer under it` });
      const pull = await this.svc().pulls.start(actor, user.id, [t.hostId], spec.image);
      report({ phase: "pulling", pullId: pull.id, message: `pulling ${spec.image}` });
      const pulled = await this.pulled(pull.id);
      if (pulled.error) return report({ phase: "failed", message: `the pull failed: ${pulled.error}` });
      if (pulled.imageId === imageId) return report({ phase: "up-to-date", message: `${spec.image} is the image it runs`, fromImageId: imageId, toImageId: imageId });
      await this.recreateTarget(t, spec, "container.update", actor, user.admin, options, report, { ...params, reference: spec.image, fromReference: current.image, digest: pulled.digest });
    });
  }

  /** Recreates a container on the image it ran before its last recreate (the label the agent set). */
  rollback(actor: Actor, user: { id: string; admin: boolean }, target: { hostId: string; id: string }, options: RolloutOptions): RolloutState {
    return this.start("rollback", user, [target], options, async (t, report) => {
      const row = this.svc().fleet.getContainer(t.hostId, t.id);
      const previousImage = row?.labels[PREVIOUS_IMAGE_LABEL];
      if (!previousImage) return report({ phase: "failed", message: "this container was not made by a Stevedore recreate: there is no previous image to go back to" });
      if (!this.svc().fleet.hostImages(t.hostId).some((i) => i.id === previousImage)) return report({ phase: "failed", message: `the previous image ${previousImage.slice(7, 19)} is no longer on ${t.hostName}` });
      const { spec } = await specOf(this.svc(), t.hostId, t.id);
      await this.recreateTarget(t, { ...spec, image: previousImage }, "container.rollback", actor, user.admin, options, report, { reference: spec.image });
    });
  }

  private async recreateTarget(
    t: RolloutTarget,
    spec: RunSpec,
    action: RecreateAction,
    actor: Actor,
    admin: boolean,
    options: RolloutOptions,
    report: (patch: Partial<RolloutTarget>) => void,
    params?: Record<string, unknown>,
  ): Promise<void> {
    report({ phase: "recreating", message: "recreating" });
    const outcome = await recreateOne(this.svc(), actor, { hostId: t.hostId, id: t.id, spec, gate: options.gate, action, admin, params }, (p: RecreateProgress) => report({ message: p.message }));
    if (!outcome.ok) return report({ phase: "failed", requestId: outcome.requestId, message: outcome.unknown ? `${outcome.error.message} (whether it was replaced is not known yet: the audit entry will say)` : outcome.error.message });
    const r = outcome.result;
    report({ phase: r.outcome, requestId: outcome.requestId, currentId: r.current.id, fromImageId: r.previous.imageId, toImageId: r.current.imageId, message: r.reason ?? (r.gate === "healthy" ? "healthy" : r.gate === "stable" ? `ran ${options.gate.stableSeconds} s without a restart` : "replaced") });
  }

  private start(
    kind: RolloutState["kind"],
    user: { id: string },
    targets: { hostId: string; id: string }[],
    options: RolloutOptions,
    each: (t: RolloutTarget, report: (patch: Partial<RolloutTarget>) => void) => Promise<void>,
  ): RolloutState {
    const { fleet } = this.svc();
    const state: RolloutState = {
      id: newId("rollout"),
      kind,
      startedById: user.id,
      startedAt: Date.now(),
      done: false,
      stopped: null,
      targets: targets.map(({ hostId, id }) => {
        const c = fleet.getContainer(hostId, id);
        return { hostId, hostName: fleet.getHost(hostId)?.name ?? hostId, id, name: c?.name ?? id.slice(0, 12), phase: "waiting", message: null, pullId: null, requestId: null, currentId: null, fromImageId: c?.imageId ?? null, toImageId: null };
      }),
    };
    this.entry(state);
    this.changed(state, true);
    void this.run(state, options, each);
    return state;
  }

  /** Batches of `batchSize` hosts, one after another; the first failure ends the rollout. */
  private async run(state: RolloutState, options: RolloutOptions, each: (t: RolloutTarget, report: (patch: Partial<RolloutTarget>) => void) => Promise<void>): Promise<void> {
    const hosts = [...new Set(state.targets.map((t) => t.hostId))];
    for (let i = 0; i < hosts.length && !state.stopped; i += options.batchSize) {
      const batch = new Set(hosts.slice(i, i + options.batchSize));
      await Promise.all(
        [...batch].map(async (hostId) => {
          // Containers of one host go one after another too: a host keeps serving while one is replaced.
          for (const t of state.targets.filter((x) => x.hostId === hostId)) {
            if (state.stopped) return;
            const report = (patch: Partial<RolloutTarget>) => {
              Object.assign(t, patch);
              this.changed(state, false);
            };
            await each(t, report).catch((err: unknown) => report({ phase: "failed", message: err instanceof Error ? err.message : String(err) }));
            if (FAILED.has(t.phase)) state.stopped ??= `${t.name} on ${t.hostName}: ${t.message ?? t.phase}`;
          }
        }),
      );
    }
    for (const t of state.targets) if (t.phase === "waiting") Object.assign(t, { phase: "skipped", message: "not reached: the rollout stopped at the first failure" });
    state.done = true;
    this.changed(state, true);
    this.forgetLater(state.id);
  }

  private forgetLater(id: string): void {
    setTimeout(() => this.rollouts.delete(id), KEEP_FINISHED_MS).unref();
  }

  private async pulled(pullId: string): Promise<{ imageId: string | null; digest: string | null; error: string | null }> {
    const { pulls } = this.svc();
    await new Promise<void>((resolve) => {
      const done = () => pulls.get(pullId)?.done && (stop(), resolve());
      const stop = pulls.watch(pullId, done);
      done();
    });
    const host = pulls.get(pullId)!.hosts[0]!;
    return { imageId: host.imageId, digest: host.digest, error: host.phase === "succeeded" ? null : (host.error?.message ?? host.phase) };
  }

  private entry(state: RolloutState) {
    let entry = this.rollouts.get(state.id);
    if (!entry) {
      entry = { state, changes: new EventEmitter(), timer: null };
      entry.changes.setMaxListeners(0);
      this.rollouts.set(state.id, entry);
    }
    return entry;
  }

  /** Tells watchers here, and the other replicas at most every 100 ms (at once when it matters). */
  private changed(state: RolloutState, now: boolean): void {
    const entry = this.rollouts.get(state.id);
    if (!entry) return;
    entry.changes.emit("change");
    const { bus } = this.svc();
    if (!bus.clustered || (entry.timer && !now)) return;
    if (entry.timer) clearTimeout(entry.timer);
    const send = () => {
      entry.timer = null;
      bus.publish("rollouts", { owner: this.replicaId, state });
    };
    if (now) send();
    else entry.timer = setTimeout(send, SHARE_EVERY_MS);
  }
}
