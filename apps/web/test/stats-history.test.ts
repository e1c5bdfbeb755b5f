// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { describe, expect, it } from "vitest";
import { type ContainerStats, type StatsBatch, statsTable } from "@stevedore/protocol";
import { STATS_WINDOW_MS, StatsHistory } from "../server/stats/stats-history";

const id = (n: number) => String(n).padStart(64, "0");
const sample = (n: number, at: number, over: Partial<ContainerStats> = {}): ContainerStats => ({
  id: id(n),
  cpuPercent: 10 * n,
  memoryBytes: 2 ** 30 + n,
  memoryLimitBytes: 8 * 2 ** 30,
  netRxBytes: at,
  netTxBytes: 2 * at,
  blockReadBytes: 0,
  blockWriteBytes: 0,
  pids: n,
  ...over,
});

const batch = (at: number, intervalMs: number, containers: ContainerStats[]) => statsTable({ at, intervalMs, containers } satisfies Omit<StatsBatch, "type">);

describe("stats history", () => {
  it("keeps the window's points per container with rates, host totals, and drops a stopped container after the window", () => {
    const h = new StatsHistory();
    const t0 = 1_700_000_000_000;
    const every = 10_000;
    const rounds = STATS_WINDOW_MS / every + 30;
    for (let r = 0; r < rounds; r++) {
      const at = t0 + r * every;
      // Container 2 stops reporting after the first round.
      h.record("h1", batch(at, every, r === 0 ? [sample(1, at), sample(2, at)] : [sample(1, at)]));
    }
    const last = t0 + (rounds - 1) * every;
    const chart = h.container("h1", id(1));
    expect(chart.intervalMs).toBe(every);
    expect(chart.points[0]!.at).toBeGreaterThanOrEqual(last - STATS_WINDOW_MS);
    expect(chart.points.at(-1)).toEqual({ at: last, cpuPercent: 10, memoryBytes: 2 ** 30 + 1, memoryLimitBytes: 8 * 2 ** 30, netRxPerSec: 1000, netTxPerSec: 2000, blockReadPerSec: 0, blockWritePerSec: 0, pids: 1 });
    expect(chart.points.map((p) => p.at)).toEqual(Array.from({ length: chart.points.length }, (_, i) => last - (chart.points.length - 1 - i) * every));
    expect(chart.points).toHaveLength(STATS_WINDOW_MS / every + 1);
    expect(h.container("h1", id(2)).points).toEqual([]);

    const totals = h.host("h1").totals;
    expect(totals).toHaveLength(STATS_WINDOW_MS / every + 1);
    expect(totals.at(-1)).toMatchObject({ at: last, cpuPercent: 10, containers: 1, netRxPerSec: 1000 });
    expect(h.latestHostTotals(last).get("h1")?.at).toBe(last);
    expect(h.latestHostTotals(last + 10 * every).has("h1")).toBe(false);
  });

  it("a first sample has no CPU figure yet (null survives storage), and the top consumers come from the latest samples", () => {
    const h = new StatsHistory();
    const at = Date.now();
    h.record("a", batch(at, 5000, [sample(1, at, { cpuPercent: null }), sample(3, at)]));
    h.record("b", batch(at, 5000, [sample(2, at)]));
    expect(h.container("a", id(1)).latest?.cpuPercent).toBeNull();
    const top = h.top(2, at);
    expect(top.byCpu.map((e) => [e.hostId, e.stats.id, e.stats.at])).toEqual([["a", id(3), at], ["b", id(2), at]]);
    expect(top.byMemory.map((e) => e.stats.id)).toEqual([id(3), id(2)]);
    h.forgetHost("a");
    expect(h.top(5, at).byCpu.map((e) => e.hostId)).toEqual(["b"]);
  });
});
