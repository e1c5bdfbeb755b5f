import type Docker from "dockerode";
import { statfs } from "node:fs/promises";
import { statsTable, type AgentMessage, type ContainerStats, type HostDisk } from "@stevedore/protocol";
import type { Logger } from "pino";

/** What the engine's stats endpoint returns (the parts `docker stats` uses), for cgroup v1 and v2. */
export interface EngineStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number; percpu_usage?: number[] }; system_cpu_usage?: number; online_cpus?: number };
  memory_stats?: { usage?: number; limit?: number; stats?: Record<string, number> };
  networks?: Record<string, { rx_bytes?: number; tx_bytes?: number }>;
  blkio_stats?: { io_service_bytes_recursive?: { op: string; value: number }[] | null };
  pids_stats?: { current?: number };
}

const CONCURRENCY = 8;

/**
 * One container's figures from the current engine sample and the previous one, as the engine's API
 * documents for `docker stats`: CPU % = Δcontainer CPU / Δsystem CPU × online CPUs × 100; memory used =
 * usage minus the page cache that can be reclaimed (inactive_file on cgroup v2, total_inactive_file on v1).
 */
export function containerStats(id: string, now: EngineStats, prev: EngineStats | undefined, hostMemory: number): ContainerStats {
  const cpu = now.cpu_stats;
  const cpuDelta = (cpu?.cpu_usage?.total_usage ?? 0) - (prev?.cpu_stats?.cpu_usage?.total_usage ?? 0);
  const systemDelta = (cpu?.system_cpu_usage ?? 0) - (prev?.cpu_stats?.system_cpu_usage ?? 0);
  const cpus = cpu?.online_cpus || cpu?.cpu_usage?.percpu_usage?.length || 1;
  const cpuPercent = prev && systemDelta > 0 && cpuDelta >= 0 ? (cpuDelta / systemDelta) * cpus * 100 : null;
  const mem = now.memory_stats ?? {};
  const cache = mem.stats?.inactive_file ?? mem.stats?.total_inactive_file ?? 0;
  const memoryBytes = Math.max(0, (mem.usage ?? 0) - (cache < (mem.usage ?? 0) ? cache : 0));
  let netRxBytes = 0;
  let netTxBytes = 0;
  for (const n of Object.values(now.networks ?? {})) {
    netRxBytes += n.rx_bytes ?? 0;
    netTxBytes += n.tx_bytes ?? 0;
  }
  let blockReadBytes = 0;
  let blockWriteBytes = 0;
  for (const e of now.blkio_stats?.io_service_bytes_recursive ?? []) {
    if (e.op.toLowerCase() === "read") blockReadBytes += e.value;
    else if (e.op.toLowerCase() === "write") blockWriteBytes += e.value;
  }
  // Without a limit the engine reports a huge number; the host's memory is the real ceiling.
  const limit = mem.limit && mem.limit < hostMemory ? mem.limit : hostMemory || (mem.limit ?? 0);
  return { id, cpuPercent, memoryBytes, memoryLimitBytes: limit, netRxBytes, netTxBytes, blockReadBytes, blockWriteBytes, pids: now.pids_stats?.current ?? 0 };
}

/** The filesystem under `path`; none when this agent cannot see it (in a container without it mounted). */
async function diskOf(path: string | null): Promise<HostDisk | undefined> {
  if (!path) return undefined;
  const fs = await statfs(path).catch(() => null);
  return fs ? { path, totalBytes: fs.blocks * fs.bsize, freeBytes: fs.bavail * fs.bsize } : undefined;
}

/**
 * Samples every running container once per interval (the engine's one-shot stats, a few at a time)
 * and sends the host's figures as ONE message. A round that is still running when the next is due
 * makes that one skip, so a slow engine is sampled less often rather than piling up requests.
 */
export class StatsCollector {
  private timer: NodeJS.Timeout | null = null;
  private running = false;
  private previous = new Map<string, EngineStats>();

  constructor(
    private readonly docker: Docker,
    private readonly intervalMs: number,
    private readonly hostMemory: number,
    private readonly send: (msg: AgentMessage) => void,
    private readonly log: Logger,
    /** The engine's data directory once known (DockerRootDir), whose filesystem is sampled with the stats. */
    private readonly dataRoot: () => string | null = () => null,
  ) {}

  start(): void {
    this.timer ??= setInterval(() => void this.round(), this.intervalMs);
    void this.round();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private async round(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      const at = Date.now();
      const ids = (await this.docker.listContainers({ filters: { status: ["running"] } })).map((c) => c.Id);
      const samples = new Map<string, EngineStats>();
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, ids.length) }, async () => {
          while (next < ids.length) {
            const id = ids[next++]!;
            // A container that stops meanwhile is left out of this round.
            const s = await (this.docker.getContainer(id).stats({ stream: false, "one-shot": true } as { stream: false }) as Promise<EngineStats>).catch(() => null);
            if (s) samples.set(id, s);
          }
        }),
      );
      const containers = [...samples].map(([id, s]) => containerStats(id, s, this.previous.get(id), this.hostMemory));
      this.previous = samples;
      this.send(statsTable({ at, intervalMs: this.intervalMs, containers }, await diskOf(this.dataRoot())));
    } catch (err) {
      this.log.debug({ err: (err as Error).message }, "stats round failed");
    } finally {
      this.running = false;
    }
  }
}
