import { describe, expect, it } from "vitest";
import { bytes } from "../../src/lib/format";
import { MIN_TIME_SPAN_S, timeRange, valueAxis } from "../../src/lib/chart-axes";

const percent = (v: number) => `${v.toFixed(v < 10 ? 1 : 0)}%`;

describe("stats chart axes", () => {
  it("one sample shows the minute before it, not years; a longer history keeps its own range", () => {
    expect(timeRange(1_000, 1_000)).toEqual([1_000 - MIN_TIME_SPAN_S, 1_000]);
    expect(timeRange(1_000, 1_020)).toEqual([1_020 - MIN_TIME_SPAN_S, 1_020]);
    expect(timeRange(1_000, 1_900)).toEqual([1_000, 1_900]);
    expect(timeRange(null, null, 5_000)).toEqual([5_000 - MIN_TIME_SPAN_S, 5_000]);
  });

  it("a flat zero series gets distinct labels up to the unit's minimum ceiling", () => {
    const axis = valueAxis(0, { minCeiling: 1, format: percent });
    expect(axis.range).toEqual([0, 1]);
    const labels = axis.ticks.map(percent);
    expect(labels).toEqual(["0.0%", "0.5%", "1.0%"]);
  });

  it("no tick label repeats, whatever the data, and the range covers the largest value", () => {
    for (const max of [0, 0.004, 0.05, 0.3, 1.7, 9.99, 42, 99.5, 180, 1_234.5]) {
      const axis = valueAxis(max, { minCeiling: 1, format: percent });
      const labels = axis.ticks.map(percent);
      expect(new Set(labels).size, `${max}: ${labels.join(" ")}`).toBe(labels.length);
      expect(axis.range[1]).toBeGreaterThanOrEqual(max);
      expect(axis.ticks.length).toBeGreaterThanOrEqual(2);
    }
    for (const max of [0, 512, 3_000, 5_000_000]) {
      const labels = valueAxis(max, { minCeiling: 1024, format: bytes }).ticks.map(bytes);
      expect(new Set(labels).size, labels.join(" ")).toBe(labels.length);
    }
  });

  it("counts tick on whole numbers", () => {
    const axis = valueAxis(1, { minCeiling: 1, format: (v) => String(Math.round(v)), minStep: 1 });
    expect(axis.ticks).toEqual([0, 1, 2]);
    expect(valueAxis(0, { minCeiling: 1, format: (v) => String(Math.round(v)), minStep: 1 }).ticks).toEqual([0, 1]);
  });
});

describe("byte axes", () => {
  it("step in powers of two, so labels read as whole KiB and MiB", () => {
    expect(valueAxis(0, { minCeiling: 1024 * 1024, format: bytes, binary: true }).ticks.map(bytes)).toEqual(["0 B", "256 KiB", "512 KiB", "768 KiB", "1.0 MiB"]);
    expect(valueAxis(3 * 1024 * 1024, { minCeiling: 1024 * 1024, format: bytes, binary: true }).ticks.map(bytes)).toEqual(["0 B", "1.0 MiB", "2.0 MiB", "3.0 MiB", "4.0 MiB"]);
  });
});
