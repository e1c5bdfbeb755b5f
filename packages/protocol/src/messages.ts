import { z } from "zod";
import { ContainerId, ContainerSummary, EngineFacts, HostFacts, ImageSummary } from "./model";
import { ImageDetail, ImageDisk, ImageId, ImagePruneResult, ImageRemoveResult, ImageTagTarget, RegistryAuth } from "./images";
import { ContainerName, ImageReference, RunSpec, Signal, VOLUME_NAME } from "./run-spec";
import { DEFAULT_RUN_POLICY, RunPolicy } from "./run-policy";
import { FileChange, StatsBatch, StatsTable } from "./stats";
import { NetworkCreate, NetworkDetail, NetworkPruneResult, VolumeCreate, VolumeDetail, VolumePruneResult, VolumeSummary } from "./volumes";

const VolumeName = z.string().regex(VOLUME_NAME, "a volume name is letters, digits and _ . - (up to 255)");
/** A network's id (or a unique prefix) or its name. */
const NetworkRef = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, "a network is named by its id or name");
const containerId = z.string().regex(/^[0-9a-f]{12,64}$/, "a container id is 12–64 lowercase hex characters");

/** One lifecycle action on one container, with the options `docker <action>` takes. */
export const ContainerOperation = z.discriminatedUnion("action", [
  z.object({ action: z.literal("start") }),
  z.object({ action: z.literal("stop"), timeoutSeconds: z.number().int().min(0).max(3600).default(10) }),
  z.object({ action: z.literal("restart"), timeoutSeconds: z.number().int().min(0).max(3600).default(10) }),
  z.object({ action: z.literal("kill"), signal: Signal.default("SIGKILL") }),
  z.object({ action: z.literal("pause") }),
  z.object({ action: z.literal("unpause") }),
  z.object({ action: z.literal("rename"), name: ContainerName }),
  z.object({ action: z.literal("remove"), force: z.boolean().default(false), removeVolumes: z.boolean().default(false) }),
]);
export type ContainerOperation = z.infer<typeof ContainerOperation>;
export type ContainerOperationInput = z.input<typeof ContainerOperation>;

export const RunResult = z.object({
  id: z.string(),
  name: z.string(),
  imageId: z.string(),
  /** The registry digests of the image that was run: what `:latest` actually meant. */
  imageDigests: z.array(z.string()),
  /** Set when the container was created but did not start; it is left in place, like `docker run`. */
  startError: z.string().optional(),
});
export type RunResult = z.infer<typeof RunResult>;

/**
 * How a recreate decides the new container works: its healthcheck reporting healthy, or (without one)
 * running for `stableSeconds` without exiting or restarting.
 */
export const HealthGate = z.strictObject({
  stableSeconds: z.number().int().min(0).max(3600).default(30),
  /** With a healthcheck: how long "starting" may last before the new container counts as failed. */
  healthTimeoutSeconds: z.number().int().min(1).max(3600).default(300),
});
export type HealthGate = z.infer<typeof HealthGate>;
export const DEFAULT_HEALTH_GATE: HealthGate = { stableSeconds: 30, healthTimeoutSeconds: 300 };

export const RecreatePhase = z.enum(["stopping", "starting", "waiting-healthy", "watching", "removing-old", "rolling-back"]);
export type RecreatePhase = z.infer<typeof RecreatePhase>;

/** Where a recreate is; sent at least every second while it waits, so the request never looks dead. */
export const RecreateProgress = z.object({ phase: RecreatePhase, message: z.string().max(1024) });
export type RecreateProgress = z.infer<typeof RecreateProgress>;

/**
 * replaced: the new container passed the gate and the old one is removed. rolled-back: it did not
 * (`reason`), and the old container is back under its name, running as before. rollback-failed: the
 * old one could not be restored either; it is kept under `previous.name` for a person to look at.
 */
export const RecreateResult = z.object({
  outcome: z.enum(["replaced", "rolled-back", "rollback-failed"]),
  reason: z.string().max(4096).optional(),
  /** How the new container was judged: its healthcheck, or running long enough. */
  gate: z.enum(["healthy", "stable"]).optional(),
  /** The container under the name now (the new one when replaced, else the restored old one). */
  current: z.object({ id: z.string().max(128), name: z.string().max(256), imageId: z.string().max(256), imageDigests: z.array(z.string().max(1024)).max(256) }),
  previous: z.object({ id: z.string().max(128), name: z.string().max(256), imageId: z.string().max(256) }),
});
export type RecreateResult = z.infer<typeof RecreateResult>;

/** Where one layer of an image pull is, from the engine's progress stream. */
export const LayerPhase = z.enum(["waiting", "downloading", "verifying", "downloaded", "extracting", "complete", "exists"]);
export type LayerPhase = z.infer<typeof LayerPhase>;

export const LayerProgress = z.object({
  /** The engine's short layer id (12 hex). */
  id: z.string().max(128),
  phase: LayerPhase,
  /** Bytes done and in all for the current phase, when the engine says. */
  current: z.number().nonnegative().optional(),
  total: z.number().nonnegative().optional(),
});
export type LayerProgress = z.infer<typeof LayerProgress>;

/** Sent while a pull runs: the layers that changed since the last update, and the engine's latest status line. */
export const PullProgress = z.object({
  status: z.string().max(512).optional(),
  layers: z.array(LayerProgress).max(1000),
});
export type PullProgress = z.infer<typeof PullProgress>;

/** A network on the host, as the run form's picker lists it (`docker network ls`). */
export const NetworkSummary = z.object({
  id: z.string().max(128),
  name: z.string().max(256),
  driver: z.string().max(128),
  scope: z.string().max(64),
  /** No route out of the host (`--internal`). */
  internal: z.boolean(),
});
export type NetworkSummary = z.infer<typeof NetworkSummary>;

/** `<hostId>.stvhost_<43 base64url characters>`: what an agent presents as `Bearer`. */
export const HostCredential = z.string().regex(/^[A-Za-z0-9_-]{1,64}\.stvhost_[A-Za-z0-9_-]{43}$/, "a host credential is <hostId>.stvhost_…");

export const PullResult = z.object({
  reference: z.string(),
  imageId: z.string(),
  /** The registry digest the reference resolved to: what was actually pulled. */
  digest: z.string().nullable(),
});
export type PullResult = z.infer<typeof PullResult>;

/**
 * Requests the control plane sends to an agent, each with its params and the shape of its result.
 * The requester validates the result too: an agent is untrusted input like any other.
 */
export const AgentMethods = {
  "container.inspect": {
    params: z.object({ id: containerId }),
    result: z.record(z.string(), z.unknown()),
  },
  "container.top": {
    params: z.object({ id: containerId, psArgs: z.string().max(256).optional() }),
    result: z.object({ titles: z.array(z.string()), processes: z.array(z.array(z.string())) }),
  },
  /** `docker diff`: what the container's writable layer holds on top of its image. */
  /** The run spec that makes this container again (specFromInspect), with what it cannot carry; its image's id and digests. */
  "container.spec": {
    params: z.object({ id: containerId }),
    result: z.object({ spec: RunSpec.nullable(), unsupported: z.array(z.string().max(4096)).max(256), imageId: z.string().max(256), imageDigests: z.array(z.string().max(1024)).max(256) }),
  },
  "container.diff": {
    params: z.object({ id: containerId }),
    result: z.object({ changes: z.array(FileChange).max(100_000), truncated: z.boolean() }),
  },
  /**
   * `policy` is what the control plane allows this run (its bind-mount rule for the host and whether
   * the requester is an admin); the agent applies it with its own host-local rule, the stricter winning.
   * Absent (an older control plane), no bind mounts are allowed.
   */
  "container.run": {
    params: z.strictObject({ spec: RunSpec, policy: RunPolicy.default(DEFAULT_RUN_POLICY) }),
    result: RunResult,
  },
  /**
   * Replaces a container with one made from `spec` under the same name (policy applied as for a run):
   * the old one is renamed and stopped, the new one started and watched through `gate`, and the old
   * one removed only then; otherwise it is put back. Streams `progress`.
   */
  "container.recreate": {
    params: z.strictObject({ id: containerId, spec: RunSpec, policy: RunPolicy.default(DEFAULT_RUN_POLICY), gate: HealthGate.default(DEFAULT_HEALTH_GATE) }),
    result: RecreateResult,
    progress: RecreateProgress,
  },
  "container.operate": {
    params: z.object({ id: containerId, operation: ContainerOperation }),
    /** `changed: false` when the engine reports nothing to do (already started, already stopped). */
    result: z.object({ changed: z.boolean() }),
  },
  /** `docker pull`: streams `progress` messages until the response; cancellable with `cancel`. */
  "image.pull": {
    params: z.object({ reference: ImageReference, auth: RegistryAuth.optional() }),
    result: PullResult,
    progress: PullProgress,
  },
  /** `docker image inspect` and `docker history`, with each layer matched to the step that made it. */
  "image.inspect": {
    params: z.object({ id: ImageId }),
    result: ImageDetail,
  },
  /** The host's images with shared and unique sizes and their layers (for the layer tree and prune previews). */
  "image.disk": {
    /** `layers: false` skips reading every image's layers: sizes only (`docker system df -v`). */
    params: z.object({ layers: z.boolean().default(true) }),
    result: ImageDisk,
  },
  /**
   * `docker rmi [--force] <id | tag>`: a tag is untagged (the image goes with its last tag); the engine
   * refuses while a container uses the image, or an id while several tags name it, unless forced.
   */
  "image.remove": {
    params: z.object({ ref: z.union([ImageId, ImageReference]), force: z.boolean().default(false) }),
    result: ImageRemoveResult,
  },
  "image.tag": {
    params: z.object({ id: ImageId, target: ImageTagTarget }),
    result: z.object({ tagged: z.string() }),
  },
  /** `docker image prune [--all]`: dangling images, or every image no container uses. */
  "image.prune": {
    params: z.object({ all: z.boolean().default(false) }),
    result: ImagePruneResult,
  },
  /**
   * Save this new credential (in place of the current one) and use it from now on; answered once it is
   * durably written. The control plane rotates every host's credential on a schedule.
   */
  "credential.rotate": {
    params: z.object({ credential: HostCredential }),
    result: z.object({ saved: z.literal(true) }),
  },
  /** `docker network ls`: the networks a run may join (protocol 5). */
  "network.list": {
    params: z.strictObject({}),
    result: z.array(NetworkSummary).max(10_000),
  },
  /** `docker volume ls`, each volume with the containers mounting it (protocol 6). */
  "volume.list": {
    params: z.strictObject({}),
    result: z.array(VolumeSummary).max(100_000),
  },
  /** `docker volume inspect`, with its size from `docker system df -v` where the engine reports one. */
  "volume.inspect": {
    params: z.strictObject({ name: VolumeName }),
    result: VolumeDetail,
  },
  /**
   * `docker volume create`. `admin` says whether the requester is an admin: driver options naming a
   * host path are refused otherwise (checkVolumeOptions), here and at the control plane.
   */
  "volume.create": {
    params: z.strictObject({ volume: VolumeCreate, admin: z.boolean().default(false) }),
    result: VolumeSummary,
  },
  /** `docker volume rm [--force]`; the engine refuses while a container uses it. */
  "volume.remove": {
    params: z.strictObject({ name: VolumeName, force: z.boolean().default(false) }),
    result: z.object({ removed: z.string().max(256) }),
  },
  /**
   * The unused local volumes (what `docker volume prune` removes) with their sizes; with `remove`,
   * removes those of them named there that are still unused, and says what went and the space freed.
   */
  "volume.prune": {
    params: z.strictObject({ remove: z.array(VolumeName).max(100_000).optional() }),
    result: VolumePruneResult,
  },
  /** `docker network ls` with the page's details: labels, address ranges, the containers using each (protocol 6). */
  "network.details": {
    params: z.strictObject({}),
    result: z.array(NetworkDetail).max(10_000),
  },
  "network.inspect": {
    params: z.strictObject({ id: NetworkRef }),
    result: NetworkDetail,
  },
  "network.create": {
    params: z.strictObject({ network: NetworkCreate }),
    result: NetworkDetail,
  },
  /** `docker network rm`; the engine refuses while a container is connected. */
  "network.remove": {
    params: z.strictObject({ id: NetworkRef }),
    result: z.object({ removed: z.string().max(256) }),
  },
  /**
   * The networks no container (running or stopped) is configured to join, the engine's own excepted;
   * with `remove` (ids), removes those of them that are still unused.
   */
  "network.prune": {
    params: z.strictObject({ remove: z.array(NetworkRef).max(10_000).optional() }),
    result: NetworkPruneResult,
  },
  /** Dial a stream socket (terminal.ts) for this id; answered once it is open. */
  "stream.open": {
    params: z.object({ streamId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) }),
    result: z.object({ opened: z.literal(true) }),
  },
} as const;
export type AgentMethod = keyof typeof AgentMethods;
export type AgentMethodParams<M extends AgentMethod> = z.infer<(typeof AgentMethods)[M]["params"]>;
export type AgentMethodResult<M extends AgentMethod> = z.infer<(typeof AgentMethods)[M]["result"]>;
export type AgentMethodProgress<M extends AgentMethod> = (typeof AgentMethods)[M] extends { progress: infer S extends z.ZodType } ? z.infer<S> : never;

const requestId = z.string().min(1).max(64);

export const RequestMessage = z.discriminatedUnion("method", [
  z.object({ type: z.literal("request"), requestId, method: z.literal("container.inspect"), params: AgentMethods["container.inspect"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("container.top"), params: AgentMethods["container.top"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("container.diff"), params: AgentMethods["container.diff"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("container.spec"), params: AgentMethods["container.spec"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("container.run"), params: AgentMethods["container.run"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("container.operate"), params: AgentMethods["container.operate"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("container.recreate"), params: AgentMethods["container.recreate"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("image.pull"), params: AgentMethods["image.pull"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("stream.open"), params: AgentMethods["stream.open"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("image.inspect"), params: AgentMethods["image.inspect"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("image.disk"), params: AgentMethods["image.disk"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("image.remove"), params: AgentMethods["image.remove"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("image.tag"), params: AgentMethods["image.tag"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("image.prune"), params: AgentMethods["image.prune"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("credential.rotate"), params: AgentMethods["credential.rotate"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("network.list"), params: AgentMethods["network.list"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("volume.list"), params: AgentMethods["volume.list"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("volume.inspect"), params: AgentMethods["volume.inspect"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("volume.create"), params: AgentMethods["volume.create"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("volume.remove"), params: AgentMethods["volume.remove"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("volume.prune"), params: AgentMethods["volume.prune"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("network.details"), params: AgentMethods["network.details"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("network.inspect"), params: AgentMethods["network.inspect"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("network.create"), params: AgentMethods["network.create"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("network.remove"), params: AgentMethods["network.remove"].params }),
  z.object({ type: z.literal("request"), requestId, method: z.literal("network.prune"), params: AgentMethods["network.prune"].params }),
]);
export type RequestMessage = z.infer<typeof RequestMessage>;

/** Error codes either side puts in an `error` message or a failed response. */
export const ErrorCode = z.enum([
  "bad_message",
  "too_large",
  "unknown_type",
  "upgrade_required",
  "unexpected",
  "engine_down",
  "engine_error",
  "not_found",
  "conflict",
  "bad_request",
  "host_offline",
  /** The agent went away after the request was sent: whether it ran is not known. */
  "disconnected",
  "timeout",
  /** The registry refused the credentials, or gave none where some are needed. */
  "registry_denied",
  "cancelled",
  /** A policy refused it (the run policy's bind-mount rule, or the host's own --bind-mounts flag). */
  "forbidden",
]);
export type ErrorCode = z.infer<typeof ErrorCode>;

export const ErrorBody = z.object({ code: ErrorCode, message: z.string().max(4096) });
export type ErrorBody = z.infer<typeof ErrorBody>;

// ---- agent → control plane -------------------------------------------------------------------

/**
 * The engine's container events an agent forwards for the audit trail (a `docker stop` is kill + die
 * + stop, each recorded); the control plane records them as `container.<event>`, observed.
 */
export const AUDITED_CONTAINER_EVENTS = ["create", "start", "restart", "stop", "kill", "die", "pause", "unpause", "rename", "destroy", "oom"] as const;
export type AuditedContainerEvent = (typeof AUDITED_CONTAINER_EVENTS)[number];

/**
 * A container lifecycle event from the engine, forwarded for the audit trail. `ours` is set when the
 * agent itself caused it (a Stevedore request was in flight for that container); the rest were done
 * on the host, outside Stevedore. `timeNano` is the engine's clock, as a decimal string.
 */
export const LifecycleEvent = z.object({
  id: ContainerId,
  action: z.string().min(1).max(64),
  timeNano: z.string().regex(/^\d{1,20}$/),
  name: z.string().max(256).optional(),
  image: z.string().max(512).optional(),
  exitCode: z.number().int().optional(),
  signal: z.string().max(32).optional(),
  ours: z.boolean(),
});
export type LifecycleEvent = z.infer<typeof LifecycleEvent>;

/** The agent's answer to a request: a result, or an error in the engine's own words. */
export const ResponseMessage = z.discriminatedUnion("ok", [
  z.object({ type: z.literal("response"), requestId, ok: z.literal(true), result: z.unknown() }),
  z.object({ type: z.literal("response"), requestId, ok: z.literal(false), error: ErrorBody }),
]);

export const HelloMessage = z.object({
  type: z.literal("hello"),
  protocolVersion: z.number().int(),
  host: HostFacts,
  /** Null when the engine does not answer at connect time; the host then shows "engine down". */
  engine: EngineFacts.nullable(),
  engineError: z.string().max(4096).optional(),
});

export const AgentMessage = z.discriminatedUnion("type", [
  HelloMessage,
  z.object({
    type: z.literal("snapshot"),
    engine: EngineFacts,
    containers: z.array(ContainerSummary).max(100_000),
    images: z.array(ImageSummary).max(100_000),
  }),
  z.object({ type: z.literal("engine.down"), error: z.string().max(4096) }),
  z.object({ type: z.literal("container.upsert"), container: ContainerSummary }),
  z.object({ type: z.literal("container.remove"), id: ContainerId }),
  z.object({ type: z.literal("images"), images: z.array(ImageSummary).max(100_000) }),
  /** The host's volumes or networks changed (an engine event): the control plane tells browsers to read them again (protocol 6). */
  z.object({ type: z.literal("engine.changed"), kinds: z.array(z.enum(["volumes", "networks"])).min(1).max(2) }),
  z.object({ type: z.literal("engine.events"), events: z.array(LifecycleEvent).max(10_000) }),
  z.object({ type: z.literal("heartbeat"), sentAt: z.number() }),
  StatsBatch, // protocol 1
  StatsTable,
  /** Progress of a long request (a pull), before its response; the shape is the method's `progress`. */
  z.object({ type: z.literal("progress"), requestId, progress: z.unknown() }),
  ResponseMessage,
  z.object({ type: z.literal("error"), ...ErrorBody.shape }),
]);
export type AgentMessage = z.infer<typeof AgentMessage>;
export type HelloMessage = z.infer<typeof HelloMessage>;

// ---- control plane → agent -------------------------------------------------------------------

export const ControlMessage = z.union([
  z.object({
    type: z.literal("welcome"),
    hostId: z.string().max(64),
    protocolVersion: z.number().int(),
    /** The last engine event the control plane has recorded: the agent replays what came after it. */
    eventsSince: z.string().regex(/^\d{1,20}$/).optional(),
  }),
  z.object({ type: z.literal("heartbeat"), sentAt: z.number() }),
  RequestMessage,
  /** Stop a request in flight (a pull); the agent answers it with a `cancelled` error. */
  z.object({ type: z.literal("cancel"), requestId }),
  z.object({ type: z.literal("error"), ...ErrorBody.shape }),
]);
export type ControlMessage = z.infer<typeof ControlMessage>;

// ---- enrollment (HTTP) -----------------------------------------------------------------------

export const EnrollRequest = z.object({
  token: z.string().min(16).max(256),
  hostname: z.string().min(1).max(255),
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

export const EnrollResponse = z.object({ hostId: z.string(), credential: HostCredential });
export type EnrollResponse = z.infer<typeof EnrollResponse>;
