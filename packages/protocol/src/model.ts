import { z } from "zod";
import { BindMountRule } from "./run-policy";

/** Facts about a host and its engine, sent in `hello` and again whenever the engine comes back. */
export const EngineFacts = z.object({
  version: z.string().max(64),
  apiVersion: z.string().max(16),
  storageDriver: z.string().max(64),
  dockerRootDir: z.string().max(1024),
  os: z.string().max(256),
  kernelVersion: z.string().max(256),
});
export type EngineFacts = z.infer<typeof EngineFacts>;

export const HostFacts = z.object({
  hostname: z.string().min(1).max(255),
  os: z.string().max(256),
  kernel: z.string().max(256),
  arch: z.string().max(32),
  cpus: z.number().int().nonnegative(),
  memoryBytes: z.number().int().nonnegative(),
  agentVersion: z.string().max(64),
  /**
   * The host owner's own --bind-mounts rule, when it is not "any": the control plane shows it and
   * refuses early what it refuses (the agent enforces it either way, so a false report only makes
   * the control plane stricter, never looser).
   */
  bindMounts: BindMountRule.optional(),
  /**
   * The agent reaches the control plane over plain http to a non-loopback address (its owner's
   * --insecure-http): the host's row says so in red. Older control planes strip the unknown key.
   */
  insecureTransport: z.literal(true).optional(),
});
export type HostFacts = z.infer<typeof HostFacts>;

/** A container's full id, as the engine gives it. */
/** A full container id: 64 hex digits. */
export const CONTAINER_ID_PATTERN = /^[0-9a-f]{64}$/;
export const ContainerId = z.string().regex(CONTAINER_ID_PATTERN, "a container id is 64 hex digits");

export const ContainerState = z.enum(["created", "running", "paused", "restarting", "removing", "exited", "dead"]);
export type ContainerState = z.infer<typeof ContainerState>;

export const PortBinding = z.object({
  privatePort: z.number().int().min(0).max(65535),
  publicPort: z.number().int().min(0).max(65535).optional(),
  ip: z.string().max(64).optional(),
  type: z.enum(["tcp", "udp", "sctp"]),
});
export type PortBinding = z.infer<typeof PortBinding>;

/**
 * One container as the fleet view needs it. Times are epoch milliseconds; `startedAt` / `finishedAt`
 * are null when the engine reports its zero time. The status text ("Up 3 minutes") is derived from
 * these on display, so it never goes stale between events.
 */
export const ContainerSummary = z.object({
  id: ContainerId,
  name: z.string().max(256),
  image: z.string().max(512),
  imageId: z.string().max(128),
  command: z.string().max(4096),
  createdAt: z.number().int(),
  state: ContainerState,
  exitCode: z.number().int(),
  startedAt: z.number().int().nullable(),
  finishedAt: z.number().int().nullable(),
  health: z.enum(["starting", "healthy", "unhealthy"]).nullable(),
  ports: z.array(PortBinding).max(1024),
  // What an engine reports is untrusted too: bounded like everything else an agent sends.
  labels: z
    .record(z.string().max(1024), z.string().max(64 * 1024))
    .refine((labels) => Object.keys(labels).length <= 1000, "a container has at most 1000 labels"),
});
export type ContainerSummary = z.infer<typeof ContainerSummary>;

export const ImageSummary = z.object({
  id: z.string().max(128),
  repoTags: z.array(z.string().max(512)).max(256),
  repoDigests: z.array(z.string().max(512)).max(256),
  createdAt: z.number().int(),
  sizeBytes: z.number().int().nonnegative(),
});
export type ImageSummary = z.infer<typeof ImageSummary>;

export const EngineStatus = z.enum(["up", "down"]);
export type EngineStatus = z.infer<typeof EngineStatus>;
