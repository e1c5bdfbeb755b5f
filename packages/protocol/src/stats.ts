import { z } from "zod";
import { CONTAINER_ID_PATTERN, ContainerId } from "./model";

/** How often an agent samples its containers unless configured otherwise. */
export const DEFAULT_STATS_INTERVAL_MS = 5_000;

/**
 * One container's resource use at one instant, as `docker stats` computes it. Counters (network,
 * block I/O) are cumulative since the container started; rates come from two samples. `cpuPercent`
 * is null for a container's first sample (it needs the previous one); 100 = one full core.
 */
export const ContainerStats = z.object({
  id: ContainerId,
  cpuPercent: z.number().nonnegative().nullable(),
  memoryBytes: z.number().nonnegative(),
  /** The container's memory limit, or the host's memory when it has none. */
  memoryLimitBytes: z.number().nonnegative(),
  netRxBytes: z.number().nonnegative(),
  netTxBytes: z.number().nonnegative(),
  blockReadBytes: z.number().nonnegative(),
  blockWriteBytes: z.number().nonnegative(),
  pids: z.number().int().nonnegative(),
});
export type ContainerStats = z.infer<typeof ContainerStats>;

/** What an agent sends each interval: every running container of the host, in one message. */
export const StatsBatch = z.object({
  type: z.literal("stats"),
  /** Epoch ms of the sampling round. */
  at: z.number().int(),
  intervalMs: z.number().int().positive(),
  containers: z.array(ContainerStats).max(100_000),
});
export type StatsBatch = z.infer<typeof StatsBatch>;

/**
 * The filesystem holding the engine's data (its DockerRootDir), sampled with the stats: what fills up
 * and stops a host. Absent when the agent cannot see that directory (an agent in a container without it).
 */
export const HostDisk = z.object({
  path: z.string().max(1024),
  totalBytes: z.number().nonnegative(),
  freeBytes: z.number().nonnegative(),
});
export type HostDisk = z.infer<typeof HostDisk>;

/** The figures of a `StatsTable` row, in order; each as in `ContainerStats`. */
export const STATS_FIELDS = ["cpuPercent", "memoryBytes", "memoryLimitBytes", "netRxBytes", "netTxBytes", "blockReadBytes", "blockWriteBytes", "pids"] as const;
const WIDTH = STATS_FIELDS.length;

/**
 * Since protocol 2, what an agent sends each interval: the same figures as `StatsBatch`, as a table
 * (ids, then the figures row after row). A fleet of 20,000 hosts sends 2,000 of these a second; as
 * objects they cost the control plane 50,000 objects a second to parse, check and collect.
 */
export const StatsTable = z
  .object({
    type: z.literal("stats.table"),
    at: z.number().int(),
    intervalMs: z.number().int().positive(),
    /** Container ids (64 hex digits). Both arrays are checked in one loop each: a schema per element took 25 µs a message. */
    ids: z.custom<string[]>((v) => Array.isArray(v) && v.length <= 100_000 && v.every((id) => typeof id === "string" && CONTAINER_ID_PATTERN.test(id)), {
      message: "ids must be container ids (64 hex digits)",
    }),
    /** `ids.length` rows of STATS_FIELDS: finite numbers ≥ 0, and null only for a first sample's CPU (it needs the previous one). */
    figures: z.custom<(number | null)[]>(
      (v) => Array.isArray(v) && v.length <= 100_000 * WIDTH && v.every((f, i) => (typeof f === "number" ? f >= 0 && Number.isFinite(f) : f === null && i % WIDTH === 0)),
      { message: "figures must be numbers ≥ 0 (only cpuPercent may be null)" },
    ),
    /** Added without a protocol bump: optional, and older control planes strip it. */
    disk: HostDisk.optional(),
  })
  .refine((t) => t.figures.length === t.ids.length * WIDTH, { message: `figures must hold ${WIDTH} numbers per id`, path: ["figures"] });
export type StatsTable = z.infer<typeof StatsTable>;

export function statsTable(batch: Omit<StatsBatch, "type">, disk?: HostDisk): StatsTable {
  return {
    type: "stats.table",
    at: batch.at,
    intervalMs: batch.intervalMs,
    ids: batch.containers.map((c) => c.id),
    figures: batch.containers.flatMap((c) => STATS_FIELDS.map((f) => c[f])),
    ...(disk && { disk }),
  };
}

/** A filesystem change of a container against its image, as `docker diff` reports it. */
export const FileChange = z.object({ path: z.string().max(4096), kind: z.enum(["added", "changed", "deleted"]) });
export type FileChange = z.infer<typeof FileChange>;
