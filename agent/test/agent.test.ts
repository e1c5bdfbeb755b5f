import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AGENT_VERSION } from "../src/version";
import { backoffDelay, busyRetryDelay, restartRetryDelay } from "../src/reconnect-policy";
import { ConfigError, loadConfig } from "../src/config";
import { formatCommand } from "../src/engine";

describe("reconnect backoff", () => {
  it("doubles from about a second up to about a minute, with jitter in the upper half", () => {
    expect(backoffDelay(0, () => 0)).toBe(500);
    expect(backoffDelay(0, () => 1)).toBe(1000);
    expect(backoffDelay(3, () => 1)).toBe(8000);
    expect(backoffDelay(20, () => 0)).toBe(30_000);
    expect(backoffDelay(20, () => 1)).toBe(60_000);
  });

  it("while the control plane restarts, stays within 2–4 s however many tries it took", () => {
    expect(restartRetryDelay(0, () => 0)).toBe(500);
    expect(restartRetryDelay(1, () => 1)).toBe(2_000);
    expect(restartRetryDelay(20, () => 0)).toBe(2_000);
    expect(restartRetryDelay(20, () => 1)).toBe(4_000);
  });

  it("after a busy refusal, spreads the retry over 0.2–2 × the server's Retry-After", () => {
    expect(busyRetryDelay(5, () => 0)).toBe(1_000);
    expect(busyRetryDelay(5, () => 1)).toBe(10_000);
    expect(busyRetryDelay(5, () => 0.5)).toBe(5_500);
  });
});

describe("agent configuration", () => {
  it("names every bad value", () => {
    expect(() => loadConfig(["--url", "ftp://x", "--join", "short"], {})).toThrow(ConfigError);
    const bad = () => loadConfig(["--url", "ftp://x", "--join", "short", "--log-level", "loud", "--metrics-address", "9465"], {});
    expect(bad).toThrow(/url: must be the control plane's http/);
    expect(bad).toThrow(/joinToken: a join token is at least 16/);
    expect(bad).toThrow(/logLevel/);
    expect(bad).toThrow(/--metrics-address \(STEVEDORE_METRICS_ADDRESS\): must be host:port/);
  });

  it("a flag it does not know prints the usage and exits 2 (systemd restarts a 1 for ever); --version prints the version", () => {
    const run = (...args: string[]) => spawnSync(process.execPath, [path.join(import.meta.dirname, "../bin/stevedore-agent.mjs"), ...args], { encoding: "utf8" });
    const unknown = run("--bogus");
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/Unknown option '--bogus'[\s\S]*Usage: stevedore-agent/);
    expect(run("--url").status).toBe(2);
    const version = run("--version");
    expect([version.status, version.stdout.trim()]).toEqual([0, AGENT_VERSION]);
  });

  it("takes flags over environment variables", () => {
    const c = loadConfig(["--hostname", "flag"], { STEVEDORE_HOSTNAME: "env", STEVEDORE_URL: "https://cp.example", STEVEDORE_METRICS_ADDRESS: "127.0.0.1:9465" });
    expect(c.hostname).toBe("flag");
    expect(c.url).toBe("https://cp.example");
    expect(c.metricsAddress).toEqual({ host: "127.0.0.1", port: 9465 });
    expect(loadConfig([], {}).metricsAddress).toBeUndefined();
  });
});

describe("formatCommand", () => {
  it("quotes arguments with spaces the way the engine lists them", () => {
    expect(formatCommand("sleep", [])).toBe("sleep");
    expect(formatCommand("sh", ["-c", "exit 3"])).toBe("sh -c 'exit 3'");
  });
});
