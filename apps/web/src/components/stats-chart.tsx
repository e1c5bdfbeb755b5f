"use client";

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { timeRange, valueAxis } from "@/lib/chart-axes";
import { bytes } from "@/lib/format";

/** Grid lines faint on both a white and a dark (slate-900) card: the canvas cannot read the CSS palette. */
const GRID = "rgba(100, 116, 139, 0.18)";

export interface ChartSeries {
  label: string;
  color: string;
  values: (number | null)[];
}

/**
 * A small live line chart (uPlot: canvas, cheap to redraw every few seconds) over epoch-ms times.
 * `minCeiling` is the smallest top of the value axis (what "a little" is in this unit), `minStep` the
 * finest tick step (1 for counts), `binary` for bytes (power-of-two steps); `max` keeps the axis up to a known ceiling. See lib/chart-axes.ts.
 */
export function StatsChart({ title, times, series, format, max, minCeiling, minStep, binary }: { title: string; times: number[]; series: ChartSeries[]; format: (v: number) => string; max?: number; minCeiling: number; minStep?: number; binary?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const chart = useRef<uPlot | null>(null);
  const data = [times.map((t) => t / 1000), ...series.map((s) => s.values)] as uPlot.AlignedData;
  let dataMax = max ?? 0;
  for (const s of series) for (const v of s.values) if (v !== null && v > dataMax) dataMax = v;
  const yAxis = valueAxis(dataMax, { minCeiling, minStep, format, binary });
  // Read by uPlot's range and splits callbacks, which outlive this render.
  const axis = useRef(yAxis);

  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const plot = new uPlot(
      {
        width: el.clientWidth,
        height: 140,
        legend: { show: true },
        cursor: { points: { size: 5 } },
        scales: {
          // From the data, not uPlot's min/max: for one point it passes a max 1,000 days out.
          x: { time: true, range: (u) => timeRange(u.data[0][0] ?? null, u.data[0].at(-1) ?? null) },
          y: { range: () => axis.current.range },
        },
        axes: [
          { stroke: "#64748b", grid: { stroke: GRID } },
          { stroke: "#64748b", grid: { stroke: GRID }, size: 72, splits: () => axis.current.ticks, values: (_u, ticks) => ticks.map(format) },
        ],
        series: [{}, ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, value: (_u: uPlot, v: number | null) => (v === null ? "—" : format(v)) }))],
        // The time span actually drawn, for tests to read.
        hooks: {
          setScale: [
            (u, key) => {
              const x = u.scales.x;
              if (key === "x" && x?.min != null && x.max != null) el.dataset.xSpan = String(Math.round(x.max - x.min));
            },
          ],
        },
      },
      data,
      el,
    );
    chart.current = plot;
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 140 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
      chart.current = null;
    };
    // The chart is built once per set of series; new points go through setData below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [series.map((s) => s.label).join()]);

  useEffect(() => {
    axis.current = yAxis;
    chart.current?.setData(data);
  });

  return (
    <figure className="min-w-0" data-testid="stats-chart" data-title={title} data-points={times.length} data-ticks={yAxis.ticks.map(format).join(" | ")}>
      <figcaption className="mb-1 text-xs font-medium text-slate-600">{title}</figcaption>
      <div ref={box} />
    </figure>
  );
}

export const percent = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)}%`;
export const perSecond = (v: number) => `${bytes(v)}/s`;

interface IoPoint {
  netRxPerSec: number;
  netTxPerSec: number;
  blockReadPerSec: number;
  blockWritePerSec: number;
}

/** Network and block I/O rates, as a container's page and a host's page both chart them. */
export function IoCharts({ times, points }: { times: number[]; points: IoPoint[] }) {
  return (
    <>
      <StatsChart
        title="Network"
        times={times}
        format={perSecond}
        minCeiling={1024}
        binary
        series={[
          { label: "rx", color: "#059669", values: points.map((p) => p.netRxPerSec) },
          { label: "tx", color: "#d97706", values: points.map((p) => p.netTxPerSec) },
        ]}
      />
      <StatsChart
        title="Block I/O"
        times={times}
        format={perSecond}
        minCeiling={1024}
        binary
        series={[
          { label: "read", color: "#0891b2", values: points.map((p) => p.blockReadPerSec) },
          { label: "write", color: "#be123c", values: points.map((p) => p.blockWritePerSec) },
        ]}
      />
    </>
  );
}
