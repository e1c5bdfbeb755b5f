import { EventEmitter } from "node:events";
import type { ContainerStats, StatsBatch } from "@stevedore/protocol";
import { BestK } from "../fleet/best-k";

/** The charts cover this much. */
export const STATS_WINDOW_MS = 15 * 60_000;
/** Past this many containers, new ones keep only their latest sample (bounded memory at fleet scale). */
const MAX_HISTORIES = 50_000;

/** One point of a chart: rates come from this sample and the one before it. */
export interface StatsPoint {
  at: number;
  cpuPercent: number | null;
  memoryBytes: number;
  memoryLimitBytes: number;
  netRxPerSec: number;
  netTxPerSec: number;
  blockReadPerSec: number;
  blockWritePerSec: number;
  pids: number;
}

export type HostTotals = Omit<StatsPoint, "memoryLimitBytes"> & { containers: number };

export interface TopEntry {
  hostId: string;
  stats: ContainerStats & { at: number };
}

interface Series {
  hostId: string;
  id: string;
  last: ContainerStats & { at: number };
  points: StatsPoint[] | null;
}

const rate = (now: number, before: number, seconds: number) => (seconds > 0 && now >= before ? (now - before) / seconds : 0);

/**
 * Containers' resource use as the agents report it (one batch per host per interval): the last 15
 * minutes per container for the charts, per-host totals, and the fleet's top consumers. In memory:
 * a restart starts the charts afresh, as `docker stats` does.
 */
export class StatsHistory {
  readonly changes = new EventEmitter();
  private readonly series = new Map<string, Series>();
  private readonly hosts = new Map<string, { intervalMs: number; totals: HostTotals[]; keys: Set<string> }>();

  constructor() {
    this.changes.setMaxListeners(0);
  }

  record(hostId: string, batch: StatsBatch): void {
    const host = this.hosts.get(hostId) ?? { intervalMs: batch.intervalMs, totals: [], keys: new Set<string>() };
    this.hosts.set(hostId, host);
    host.intervalMs = batch.intervalMs;
    const totals: HostTotals = { at: batch.at, cpuPercent: 0, memoryBytes: 0, netRxPerSec: 0, netTxPerSec: 0, blockReadPerSec: 0, blockWritePerSec: 0, pids: 0, containers: 0 };
    const seen = new Set<string>();
    for (const c of batch.containers) {
      const key = `${hostId}/${c.id}`;
      seen.add(key);
      let s = this.series.get(key);
      const seconds = s ? (batch.at - s.last.at) / 1000 : 0;
      const point: StatsPoint = {
        at: batch.at,
        cpuPercent: c.cpuPercent,
        memoryBytes: c.memoryBytes,
        memoryLimitBytes: c.memoryLimitBytes,
        netRxPerSec: s ? rate(c.netRxBytes, s.last.netRxBytes, seconds) : 0,
        netTxPerSec: s ? rate(c.netTxBytes, s.last.netTxBytes, seconds) : 0,
        blockReadPerSec: s ? rate(c.blockReadBytes, s.last.blockReadBytes, seconds) : 0,
        blockWritePerSec: s ? rate(c.blockWriteBytes, s.last.blockWriteBytes, seconds) : 0,
        pids: c.pids,
      };
      if (!s) {
        s = { hostId, id: c.id, last: { ...c, at: batch.at }, points: this.series.size < MAX_HISTORIES ? [] : null };
        this.series.set(key, s);
        host.keys.add(key);
      }
      s.last = { ...c, at: batch.at };
      if (s.points) {
        s.points.push(point);
        while (s.points[0]!.at < batch.at - STATS_WINDOW_MS) s.points.shift();
      }
      totals.cpuPercent! += c.cpuPercent ?? 0;
      totals.memoryBytes += c.memoryBytes;
      totals.netRxPerSec += point.netRxPerSec;
      totals.netTxPerSec += point.netTxPerSec;
      totals.blockReadPerSec += point.blockReadPerSec;
      totals.blockWritePerSec += point.blockWritePerSec;
      totals.pids += c.pids;
      totals.containers++;
    }
    // A container that stopped keeps its chart for the window, then goes.
    for (const key of host.keys) {
      const s = this.series.get(key)!;
      if (!seen.has(key) && s.last.at < batch.at - STATS_WINDOW_MS) {
        this.series.delete(key);
        host.keys.delete(key);
      }
    }
    host.totals.push(totals);
    while (host.totals[0]!.at < batch.at - STATS_WINDOW_MS) host.totals.shift();
    this.changes.emit("stats", hostId);
  }

  container(hostId: string, id: string): { intervalMs: number | null; points: StatsPoint[]; latest: StatsPoint | null } {
    const s = this.series.get(`${hostId}/${id}`);
    const points = s?.points ?? [];
    return { intervalMs: this.hosts.get(hostId)?.intervalMs ?? null, points, latest: points.at(-1) ?? null };
  }

  host(hostId: string): { intervalMs: number | null; totals: HostTotals[] } {
    const h = this.hosts.get(hostId);
    return { intervalMs: h?.intervalMs ?? null, totals: h?.totals ?? [] };
  }

  /** The latest totals of each host that reported in the last window. */
  latestHostTotals(now = Date.now()): Map<string, HostTotals> {
    const out = new Map<string, HostTotals>();
    for (const [hostId, h] of this.hosts) {
      const last = h.totals.at(-1);
      if (last && last.at >= now - 3 * h.intervalMs) out.set(hostId, last);
    }
    return out;
  }

  /** Containers using the most CPU and the most memory in their latest sample, fleet-wide. */
  top(limit: number, now = Date.now()): { byCpu: TopEntry[]; byMemory: TopEntry[] } {
    // One pass keeping the best few: the hosts page asks every few seconds, over every container.
    const byCpu = new BestK<TopEntry>(limit, (a, b) => (b.stats.cpuPercent ?? 0) - (a.stats.cpuPercent ?? 0));
    const byMemory = new BestK<TopEntry>(limit, (a, b) => b.stats.memoryBytes - a.stats.memoryBytes);
    for (const s of this.series.values()) {
      if (s.last.at < now - 3 * (this.hosts.get(s.hostId)?.intervalMs ?? 5_000)) continue;
      const entry = { hostId: s.hostId, stats: s.last };
      byCpu.offer(entry);
      byMemory.offer(entry);
    }
    return { byCpu: byCpu.kept, byMemory: byMemory.kept };
  }

  forgetHost(hostId: string): void {
    for (const key of this.hosts.get(hostId)?.keys ?? []) this.series.delete(key);
    this.hosts.delete(hostId);
  }
}
