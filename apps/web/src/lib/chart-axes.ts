/**
 * Axes for the live stats charts, as pure functions. uPlot's defaults assume a spread of data: with
 * one sample its time axis spans years, and a flat zero series gets ticks 1e-10 apart that all read
 * "0.0%". These give a time window of at least a minute ending at the newest sample, and a value axis
 * from zero to a ceiling no lower than the unit's minimum, with ticks on round steps whose labels all
 * differ.
 */

/** The shortest time window shown, in seconds: a minute, or a few samples at a slow interval. */
export const MIN_TIME_SPAN_S = 60;

/** The x range in seconds: the samples' range, widened to the left to at least `minSpan`. */
export function timeRange(min: number | null, max: number | null, now = Date.now() / 1000, minSpan = MIN_TIME_SPAN_S): [number, number] {
  const end = max ?? now;
  const start = min ?? end;
  return end - start >= minSpan ? [start, end] : [end - minSpan, end];
}

/** 1, 2 or 5 times a power of ten, at least `raw`; for bytes (`binary`), a power of two (256 KiB, 1 MiB). */
function niceStep(raw: number, binary: boolean): number {
  if (binary) return 2 ** Math.ceil(Math.log2(Math.max(raw, 1)));
  const power = 10 ** Math.floor(Math.log10(raw));
  const f = raw / power;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * power;
}

export interface ValueAxis {
  range: [number, number];
  ticks: number[];
}

/**
 * From zero to above the largest value (with 10% headroom), never below `minCeiling` (what "a little"
 * is in the chart's unit: 1%, 1 KiB/s, 1 PID). About `count` ticks on a round step no finer than
 * `minStep` (1 for counts); `binary` for bytes. Ticks whose label would repeat the previous one are dropped.
 */
export function valueAxis(dataMax: number | null, opts: { minCeiling: number; format: (v: number) => string; minStep?: number; count?: number; binary?: boolean }): ValueAxis {
  const { minCeiling, format, minStep = 0, count = 4, binary = false } = opts;
  const ceiling = Math.max(minCeiling, (dataMax !== null && Number.isFinite(dataMax) ? dataMax : 0) * 1.1);
  const step = Math.max(niceStep(ceiling / count, binary), minStep);
  const top = Math.ceil(ceiling / step - 1e-9) * step;
  const ticks: number[] = [];
  let last = "";
  for (let i = 0; i * step <= top + step * 1e-9; i++) {
    // Multiplying (not adding) keeps 0.1 + 0.2 drift out of the labels.
    const v = Number((i * step).toPrecision(12));
    const label = format(v);
    if (label === last) continue;
    last = label;
    ticks.push(v);
  }
  return { range: [0, top], ticks };
}
