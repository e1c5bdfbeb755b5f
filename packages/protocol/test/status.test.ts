import { describe, expect, it } from "vitest";
import { containerStatus, humanDuration, statusTone } from "../src";

const S = 1000;
const M = 60 * S;
const H = 60 * M;
const D = 24 * H;

describe("humanDuration (the engine's go-units HumanDuration)", () => {
  it.each([
    [0, "Less than a second"],
    [999, "Less than a second"],
    [1 * S, "1 second"],
    [59 * S, "59 seconds"],
    [60 * S, "About a minute"],
    [119 * S, "About a minute"],
    [2 * M, "2 minutes"],
    [59 * M, "59 minutes"],
    [60 * M, "About an hour"],
    [89 * M, "About an hour"],
    [90 * M, "2 hours"],
    [47 * H, "47 hours"],
    [48 * H, "2 days"],
    [13 * D, "13 days"],
    [14 * D, "2 weeks"],
    [59 * D, "8 weeks"],
    [60 * D, "2 months"],
    [729 * D, "24 months"],
    [730 * D, "2 years"],
  ])("%i ms → %s", (ms, text) => expect(humanDuration(ms)).toBe(text));
});

describe("containerStatus (the engine's State.String)", () => {
  const now = Date.parse("2026-01-01T12:00:00Z");
  const base = { exitCode: 0, startedAt: now - 3 * M, finishedAt: null, health: null } as const;
  it.each([
    [{ ...base, state: "running" }, "Up 3 minutes"],
    [{ ...base, state: "running", health: "starting" }, "Up 3 minutes (health: starting)"],
    [{ ...base, state: "running", health: "unhealthy" }, "Up 3 minutes (unhealthy)"],
    [{ ...base, state: "paused" }, "Up 3 minutes (Paused)"],
    [{ ...base, state: "exited", exitCode: 137, finishedAt: now - 7 * M }, "Exited (137) 7 minutes ago"],
    [{ ...base, state: "exited", startedAt: null }, "Created"],
    [{ ...base, state: "created", startedAt: null }, "Created"],
    [{ ...base, state: "restarting", exitCode: 1, finishedAt: now - 2 * S }, "Restarting (1) 2 seconds ago"],
    [{ ...base, state: "removing" }, "Removal In Progress"],
    [{ ...base, state: "dead" }, "Dead"],
  ] as const)("%o → %s", (c, text) => expect(containerStatus(c, now)).toBe(text));
});

describe("statusTone: what a status means at a glance", () => {
  const c = (state: Parameters<typeof statusTone>[0]["state"], exitCode = 0, health: "starting" | "healthy" | "unhealthy" | null = null) => statusTone({ state, exitCode, health }).tone;
  it("tells a failing health check and a crash apart from a clean stop", () => {
    expect(c("running")).toBe("ok");
    expect(c("running", 0, "healthy")).toBe("ok");
    expect(c("running", 0, "starting")).toBe("warn");
    expect(c("running", 0, "unhealthy")).toBe("bad");
    expect(c("restarting", 1)).toBe("warn");
    expect(c("exited", 0)).toBe("idle");
    expect(c("exited", 143)).toBe("idle");
    expect(c("exited", 137)).toBe("warn");
    expect(c("exited", 1)).toBe("bad");
    expect(c("exited", 139)).toBe("bad");
    expect(c("dead")).toBe("bad");
  });
  it("says it in words", () => {
    expect(statusTone({ state: "exited", exitCode: 137, health: null }).meaning).toMatch(/SIGKILL.*out of memory/);
    expect(statusTone({ state: "exited", exitCode: 1, health: null }).meaning).toBe("failed: exited with code 1");
    expect(statusTone({ state: "exited", exitCode: 139, health: null }).meaning).toBe("ended by SIGSEGV (code 139)");
  });
});
