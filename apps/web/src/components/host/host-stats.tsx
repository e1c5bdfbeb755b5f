"use client";

import { bytes } from "@/lib/format";
import type { RouterOutputs } from "@/lib/trpc";
import { StatsChart } from "../stats-chart";
import { Card, ErrorNote, Spinner } from "../ui";

type Host = RouterOutputs["hosts"]["get"];
type HostStatsData = RouterOutputs["stats"]["host"];

const percent = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)}%`;
const perSecond = (v: number) => `${bytes(v)}/s`;

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
            <StatsChart
              title="Network"
              times={times}
              format={perSecond}
              minCeiling={1024}
              binary
              series={[
                { label: "rx", color: "#059669", values: totals.map((t) => t.netRxPerSec) },
                { label: "tx", color: "#d97706", values: totals.map((t) => t.netTxPerSec) },
              ]}
            />
            <StatsChart
              title="Block I/O"
              times={times}
              format={perSecond}
              minCeiling={1024}
              binary
              series={[
                { label: "read", color: "#0891b2", values: totals.map((t) => t.blockReadPerSec) },
                { label: "write", color: "#be123c", values: totals.map((t) => t.blockWritePerSec) },
              ]}
            />
            <StatsChart title="Running containers" times={times} format={(v) => String(Math.round(v))} minCeiling={1} minStep={1} series={[{ label: "containers", color: "#475569", values: totals.map((t) => t.containers) }]} />
          </div>
        )}
      </div>
    </Card>
  );
}
