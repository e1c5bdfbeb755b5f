import { z } from "zod";
import { ContainerId } from "./model";

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

/** A filesystem change of a container against its image, as `docker diff` reports it. */
export const FileChange = z.object({ path: z.string().max(4096), kind: z.enum(["added", "changed", "deleted"]) });
export type FileChange = z.infer<typeof FileChange>;
