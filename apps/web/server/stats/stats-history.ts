import { EventEmitter } from "node:events";
import { STATS_FIELDS, type ContainerStats, type HostDisk, type StatsTable } from "@stevedore/protocol";
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

/**
 * One chart's points, oldest first, in a fixed ring over one typed array (time, then the figures): at
 * fleet size (50,000 charts × 15 minutes) points as objects would cost a gigabyte and long collections.
 */
class PointRing {
  private data: Float64Array;
  private readonly stride: number;
  private start = 0;
  private size = 0;

  constructor(
    private readonly capacity: number,
    width: number,
  ) {
    this.stride = width + 1;
    // Grown as points arrive: a restart creates 50,000 charts at once, mostly short-lived or young.
    this.data = new Float64Array(Math.min(capacity, 8) * this.stride);
  }

  private get room(): number {
    return this.data.length / this.stride;
  }

  push(at: number, values: ArrayLike<number>): void {
    if (this.size === this.room && this.room < this.capacity) {
      const grown = new Float64Array(Math.min(this.capacity, this.room * 2) * this.stride);
      for (let n = 0; n < this.size; n++) grown.set(this.data.subarray(this.offset(n), this.offset(n) + this.stride), n * this.stride);
      this.data = grown;
      this.start = 0;
    }
    const i = this.offset(this.size === this.room ? 0 : this.size);
    if (this.size === this.room) this.start = (this.start + 1) % this.room;
    else this.size++;
    this.data[i] = at;
    for (let f = 1; f < this.stride; f++) this.data[i + f] = values[f - 1]!;
  }

  /** Where the n-th oldest point starts in `data`. */
  private offset(n: number): number {
    return ((this.start + n) % this.room) * this.stride;
  }

  dropBefore(cutoff: number): void {
    while (this.size > 0 && this.data[this.offset(0)]! < cutoff) {
      this.start = (this.start + 1) % this.room;
      this.size--;
    }
  }

  map<T>(read: (at: number, field: (f: number) => number) => T): T[] {
    return Array.from({ length: this.size }, (_, n) => this.read(n, read));
  }

  last<T>(read: (at: number, field: (f: number) => number) => T): T | null {
    return this.size > 0 ? this.read(this.size - 1, read) : null;
  }

  private read<T>(n: number, read: (at: number, field: (f: number) => number) => T): T {
    const i = this.offset(n);
    return read(this.data[i]!, (f) => this.data[i + 1 + f]!);
  }
}

/** Points kept per chart: the window at the host's interval, and at most 15 minutes at 5 s. */
const capacityFor = (intervalMs: number) => Math.min(Math.ceil(STATS_WINDOW_MS / Math.max(intervalMs, 1)) + 1, 181);

const nullable = (x: number) => (Number.isNaN(x) ? null : x);
const toPoint = (at: number, f: (i: number) => number): StatsPoint => ({
  at,
  cpuPercent: nullable(f(0)),
  memoryBytes: f(1),
  memoryLimitBytes: f(2),
  netRxPerSec: f(3),
  netTxPerSec: f(4),
  blockReadPerSec: f(5),
  blockWritePerSec: f(6),
  pids: f(7),
});
const toTotals = (at: number, f: (i: number) => number): HostTotals => ({
  at,
  cpuPercent: f(0),
  memoryBytes: f(1),
  netRxPerSec: f(2),
  netTxPerSec: f(3),
  blockReadPerSec: f(4),
  blockWritePerSec: f(5),
  pids: f(6),
  containers: f(7),
});

/**
 * A container's latest sample, copied into fields updated in place: keeping the agent's parsed object
 * instead would move 50,000 objects a second into the old generation at fleet size.
 */
interface Series {
  hostId: string;
  id: string;
  at: number;
  /** NaN when unknown: a field that is always a number is stored unboxed, updated without allocating. */
  cpuPercent: number;
  memoryBytes: number;
  memoryLimitBytes: number;
  netRxBytes: number;
  netTxBytes: number;
  blockReadBytes: number;
  blockWriteBytes: number;
  pids: number;
  points: PointRing | null;
}

interface HostSeries {
  intervalMs: number;
  totals: PointRing;
  containers: Map<string, Series>;
}

const rate = (now: number, before: number, seconds: number) => (seconds > 0 && now >= before ? (now - before) / seconds : 0);

/**
 * Containers' resource use as the agents report it (one batch per host per interval): the last 15
 * minutes per container for the charts, per-host totals, and the fleet's top consumers. In memory:
 * a restart starts the charts afresh, as `docker stats` does.
 */
export class StatsHistory {
  readonly changes = new EventEmitter();
  private readonly hosts = new Map<string, HostSeries>();
  /** Containers with a chart (the rest keep only their latest sample). */
  private charted = 0;
  private readonly point = new Float64Array(8);
  private readonly disks = new Map<string, HostDisk & { at: number }>();

  constructor() {
    this.changes.setMaxListeners(0);
  }

  record(hostId: string, batch: StatsTable): void {
    if (batch.disk) this.disks.set(hostId, { ...batch.disk, at: batch.at });
    let host = this.hosts.get(hostId);
    if (!host) this.hosts.set(hostId, (host = { intervalMs: batch.intervalMs, totals: new PointRing(capacityFor(batch.intervalMs), 8), containers: new Map() }));
    host.intervalMs = batch.intervalMs;
    const cutoff = batch.at - STATS_WINDOW_MS;
    const totals = new Float64Array(8);
    const point = this.point;
    const { ids, figures } = batch;
    for (let row = 0; row < ids.length; row++) {
      const id = ids[row]!;
      const o = row * STATS_FIELDS.length;
      const cpuPercent = figures[o] ?? null;
      const memoryBytes = figures[o + 1] ?? 0;
      const memoryLimitBytes = figures[o + 2] ?? 0;
      const netRxBytes = figures[o + 3] ?? 0;
      const netTxBytes = figures[o + 4] ?? 0;
      const blockReadBytes = figures[o + 5] ?? 0;
      const blockWriteBytes = figures[o + 6] ?? 0;
      const pids = figures[o + 7] ?? 0;
      let s = host.containers.get(id);
      const seconds = s ? (batch.at - s.at) / 1000 : 0;
      point[0] = cpuPercent ?? NaN;
      point[1] = memoryBytes;
      point[2] = memoryLimitBytes;
      point[3] = s ? rate(netRxBytes, s.netRxBytes, seconds) : 0;
      point[4] = s ? rate(netTxBytes, s.netTxBytes, seconds) : 0;
      point[5] = s ? rate(blockReadBytes, s.blockReadBytes, seconds) : 0;
      point[6] = s ? rate(blockWriteBytes, s.blockWriteBytes, seconds) : 0;
      point[7] = pids;
      if (!s) {
        const charted = this.charted < MAX_HISTORIES;
        if (charted) this.charted++;
        s = { hostId, id, at: 0, cpuPercent: NaN, memoryBytes, memoryLimitBytes, netRxBytes, netTxBytes, blockReadBytes, blockWriteBytes, pids, points: charted ? new PointRing(capacityFor(batch.intervalMs), 8) : null };
        host.containers.set(id, s);
      }
      s.at = batch.at;
      s.cpuPercent = cpuPercent ?? NaN;
      s.memoryBytes = memoryBytes;
      s.memoryLimitBytes = memoryLimitBytes;
      s.netRxBytes = netRxBytes;
      s.netTxBytes = netTxBytes;
      s.blockReadBytes = blockReadBytes;
      s.blockWriteBytes = blockWriteBytes;
      s.pids = pids;
      if (s.points) {
        s.points.push(batch.at, point);
        s.points.dropBefore(cutoff);
      }
      totals[0]! += cpuPercent ?? 0;
      totals[1]! += memoryBytes;
      for (let f = 3; f <= 7; f++) totals[f - 1]! += point[f]!;
      totals[7]!++;
    }
    // A container that stopped keeps its chart for the window, then goes. (When every kept container
    // was in this batch, none can have stopped: no need to look.)
    if (host.containers.size > ids.length)
      for (const [id, s] of host.containers) {
        if (s.at >= cutoff) continue;
        host.containers.delete(id);
        if (s.points) this.charted--;
      }
    host.totals.push(batch.at, totals);
    host.totals.dropBefore(cutoff);
    this.changes.emit("stats", hostId);
  }

  container(hostId: string, id: string): { intervalMs: number | null; points: StatsPoint[]; latest: StatsPoint | null } {
    const host = this.hosts.get(hostId);
    const points = host?.containers.get(id)?.points?.map(toPoint) ?? [];
    return { intervalMs: host?.intervalMs ?? null, points, latest: points.at(-1) ?? null };
  }

  host(hostId: string): { intervalMs: number | null; totals: HostTotals[]; disk: (HostDisk & { at: number }) | null } {
    const h = this.hosts.get(hostId);
    return { intervalMs: h?.intervalMs ?? null, totals: h?.totals.map(toTotals) ?? [], disk: this.disk(hostId) };
  }

  /** The engine's data filesystem on this host as last sampled, if its agent can see it. */
  disk(hostId: string): (HostDisk & { at: number }) | null {
    return this.disks.get(hostId) ?? null;
  }

  /** The latest totals of each host that reported in the last window. */
  latestHostTotals(now = Date.now()): Map<string, HostTotals> {
    const out = new Map<string, HostTotals>();
    for (const [hostId, h] of this.hosts) {
      const last = h.totals.last(toTotals);
      if (last && last.at >= now - 3 * h.intervalMs) out.set(hostId, last);
    }
    return out;
  }

  /** Containers using the most CPU and the most memory in their latest sample, on the hosts `visible` admits. */
  top(limit: number, now = Date.now(), visible?: (hostId: string) => boolean): { byCpu: TopEntry[]; byMemory: TopEntry[] } {
    // One pass keeping the best few: the hosts page asks every few seconds, over every container.
    const byCpu = new BestK<Series>(limit, (a, b) => (b.cpuPercent || 0) - (a.cpuPercent || 0));
    const byMemory = new BestK<Series>(limit, (a, b) => b.memoryBytes - a.memoryBytes);
    for (const [hostId, h] of this.hosts) {
      if (visible && !visible(hostId)) continue;
      const since = now - 3 * h.intervalMs;
      for (const s of h.containers.values()) {
        if (s.at < since) continue;
        byCpu.offer(s);
        byMemory.offer(s);
      }
    }
    const entry = ({ hostId, points: _points, cpuPercent, ...stats }: Series): TopEntry => ({ hostId, stats: { ...stats, cpuPercent: nullable(cpuPercent) } });
    return { byCpu: byCpu.kept.map(entry), byMemory: byMemory.kept.map(entry) };
  }

  forgetHost(hostId: string): void {
    this.disks.delete(hostId);
    for (const s of this.hosts.get(hostId)?.containers.values() ?? []) if (s.points) this.charted--;
    this.hosts.delete(hostId);
  }
}
