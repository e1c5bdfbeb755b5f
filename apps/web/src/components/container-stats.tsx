"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { bytes } from "@/lib/format";
import { IoCharts, StatsChart, percent, perSecond } from "./stats-chart";
import { Card, ErrorNote, Spinner } from "./ui";


/** Live resource use of one container over the last 15 minutes, as the host's agent samples it. */
export function ContainerStats({ hostId, id, running, memoryLimited }: { hostId: string; id: string; running: boolean; memoryLimited: boolean }) {
  const trpc = useTRPC();
  const stats = useQuery({
    ...trpc.stats.container.queryOptions({ hostId, id }),
    enabled: running,
    refetchInterval: (q) => Math.max(1_000, q.state.data?.intervalMs ?? 5_000),
  });
  const points = stats.data?.points ?? [];
  const latest = stats.data?.latest;
  const times = points.map((p) => p.at);
  return (
    <Card title="Resource use (last 15 minutes)" actions={stats.data?.intervalMs ? <span className="text-xs text-slate-500">every {stats.data.intervalMs / 1000} s</span> : null}>
      <div className="space-y-4 p-4">
        <ErrorNote error={stats.error} />
        {!running && <p className="text-sm text-slate-500">Not running: there is nothing to sample.</p>}
        {running && stats.isPending && <Spinner label="Loading stats…" />}
        {running && stats.data && points.length === 0 && <Spinner label="Waiting for the first sample from the host…" />}
        {latest && (
          <dl className="grid grid-cols-2 gap-3 text-sm md:grid-cols-5" data-testid="stats-now">
            <div>
              <dt className="text-xs text-slate-500">CPU</dt>
              <dd data-testid="stats-cpu">{latest.cpuPercent === null ? "—" : percent(latest.cpuPercent)}</dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Memory</dt>
              <dd>
                {bytes(latest.memoryBytes)} / {bytes(latest.memoryLimitBytes)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Network rx / tx</dt>
              <dd>
                {perSecond(latest.netRxPerSec)} / {perSecond(latest.netTxPerSec)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">Block read / write</dt>
              <dd>
                {perSecond(latest.blockReadPerSec)} / {perSecond(latest.blockWritePerSec)}
              </dd>
            </div>
            <div>
              <dt className="text-xs text-slate-500">PIDs</dt>
              <dd>{latest.pids}</dd>
            </div>
          </dl>
        )}
        {points.length > 0 && (
          <div className="grid gap-4 lg:grid-cols-2">
            <StatsChart title="CPU (100% = one core)" times={times} format={percent} minCeiling={1} series={[{ label: "CPU", color: "#0369a1", values: points.map((p) => p.cpuPercent) }]} />
            <StatsChart
              title="Memory"
              times={times}
              format={bytes}
              minCeiling={1024 * 1024}
              binary
              // Without a limit the ceiling is the host's memory, which would flatten the line.
              series={[
                { label: "used", color: "#7c3aed", values: points.map((p) => p.memoryBytes) },
                ...(memoryLimited ? [{ label: "limit", color: "#cbd5e1", values: points.map((p) => p.memoryLimitBytes) }] : []),
              ]}
            />
            <IoCharts times={times} points={points} />
            <StatsChart title="PIDs" times={times} format={(v) => String(Math.round(v))} minCeiling={1} minStep={1} series={[{ label: "PIDs", color: "#475569", values: points.map((p) => p.pids) }]} />
          </div>
        )}
      </div>
    </Card>
  );
}
