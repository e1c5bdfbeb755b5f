import { describe, expect, it } from "vitest";
import { type EngineStats, containerStats } from "../src/stats-collector";

const ID = "a".repeat(64);
const sample = (cpu: number, system: number, extra: Partial<EngineStats> = {}): EngineStats => ({
  cpu_stats: { cpu_usage: { total_usage: cpu }, system_cpu_usage: system, online_cpus: 4 },
  memory_stats: { usage: 100, limit: 1000, stats: { inactive_file: 30 } },
  ...extra,
});

describe("docker stats arithmetic", () => {
  it("needs a previous sample for CPU, then takes the container's share of the system's time × CPUs", () => {
    expect(containerStats(ID, sample(100, 1000), undefined, 2000).cpuPercent).toBeNull();
    // 50 of 1000 system ticks across 4 CPUs: a fifth of one core.
    expect(containerStats(ID, sample(150, 2000), sample(100, 1000), 2000).cpuPercent).toBeCloseTo(20);
  });

  it("subtracts reclaimable page cache (v2 inactive_file, v1 total_inactive_file) and caps the limit at the host's memory", () => {
    expect(containerStats(ID, sample(0, 0), undefined, 2000)).toMatchObject({ memoryBytes: 70, memoryLimitBytes: 1000 });
    const v1 = sample(0, 0, { memory_stats: { usage: 100, limit: 2 ** 62, stats: { total_inactive_file: 40 } } });
    expect(containerStats(ID, v1, undefined, 2000)).toMatchObject({ memoryBytes: 60, memoryLimitBytes: 2000 });
  });

  it("sums network interfaces and block reads and writes in either spelling", () => {
    const s = containerStats(ID, sample(0, 0, {
      networks: { eth0: { rx_bytes: 10, tx_bytes: 1 }, eth1: { rx_bytes: 5, tx_bytes: 2 } },
      blkio_stats: { io_service_bytes_recursive: [{ op: "Read", value: 7 }, { op: "read", value: 3 }, { op: "write", value: 4 }, { op: "Total", value: 14 }] },
      pids_stats: { current: 3 },
    }), undefined, 2000);
    expect(s).toMatchObject({ netRxBytes: 15, netTxBytes: 3, blockReadBytes: 10, blockWriteBytes: 4, pids: 3 });
  });
});
