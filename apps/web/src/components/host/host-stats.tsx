"use client";

import { bytes } from "@/lib/format";
import type { RouterOutputs } from "@/lib/trpc";
import { IoCharts, StatsChart, percent } from "../stats-chart";
import { Card, ErrorNote, Spinner } from "../ui";

type Host = RouterOutputs["hosts"]["get"];
type HostStatsData = RouterOutputs["stats"]["host"];


/** The host's running containers added up, over the last 15 minutes (what its agent samples). */
export function HostStats({ h, stats, error }: { h: Host; stats: HostStatsData | undefined; error: { message: string } | null }) {
  const totals = stats?.totals ?? [];
  const times = totals.map((t) => t.at);
  return (
    <Card title="Resource use of its containers (last 15 minutes)" actions={stats?.intervalMs ? <span className="text-xs text-slate-500">every {stats.intervalMs / 1000} s</span> : null}>
      <div className="space-y-4 p-4">
        <ErrorNote error={error} />
        {!stats && !error && <Spinner label="Loading stats…" />}
        {stats && totals.length === 0 && <p className="text-sm text-slate-600">No samples yet: the host reports once it is connected and running containers.</p>}
        {totals.length > 0 && (
          <div className="grid gap-4 lg:grid-cols-2">
            <StatsChart
              title={`CPU (100% = one core, ${h.facts.cpus ?? "?"} cores)`}
              times={times}
              format={percent}
              minCeiling={1}
              series={[{ label: "CPU", color: "#0369a1", values: totals.map((t) => t.cpuPercent) }]}
            />
            <StatsChart
              title="Memory"
              times={times}
              format={bytes}
              minCeiling={1024 * 1024}
              binary
              series={[{ label: "used", color: "#7c3aed", values: totals.map((t) => t.memoryBytes) }]}
            />
            <IoCharts times={times} points={totals} />
            <StatsChart title="Running containers" times={times} format={(v) => String(Math.round(v))} minCeiling={1} minStep={1} series={[{ label: "containers", color: "#475569", values: totals.map((t) => t.containers) }]} />
          </div>
        )}
      </div>
    </Card>
  );
}
