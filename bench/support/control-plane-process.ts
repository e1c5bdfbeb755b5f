/** Starts the control plane as its own process (bench/support/control-plane.ts), the production way. */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { ADMIN_EMAIL, ADMIN_PASSWORD, AgentProcess, apiClient, freePort, signIn } from "../../apps/web/test/support/stack";

export interface ControlPlaneProcess {
  url: string;
  proc: ChildProcess;
  dataDir: string;
  stop(): Promise<void>;
}

/**
 * A fresh data directory unless one is given. `BENCH_PROFILE=1` writes a CPU profile to /tmp/prof;
 * `BENCH_NODE_FLAGS` passes Node flags to the control plane alone (e.g. `--trace-gc`).
 */
export async function startControlPlaneProcess(opts: { dataDir?: string; port?: number; env?: Record<string, string> } = {}): Promise<ControlPlaneProcess> {
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-bench-"));
  const port = opts.port ?? (await freePort());
  // As scripts/start.sh and the container image start it.
  const flags = ["--max-semi-space-size=64", ...(process.env.BENCH_PROFILE ? ["--cpu-prof", "--cpu-prof-dir=/tmp/prof"] : []), ...(process.env.BENCH_NODE_FLAGS?.split(" ").filter(Boolean) ?? [])];
  const proc = spawn(process.execPath, [...flags, "--import", "tsx", "bench/support/control-plane.ts"], {
    env: { ...process.env, STEVEDORE_DATA_DIR: dataDir, PORT: String(port), ADMIN_EMAIL, ADMIN_PASSWORD, LOG_LEVEL: "warn", NODE_ENV: "production", SIGNIN_RATE_LIMIT: "1000/10", ...opts.env },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      if (process.env.STEVEDORE_SHOW_LOGS) process.stderr.write(d);
      const m = /READY (\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    proc.once("exit", (code) => reject(new Error(`the control plane exited (${code})`)));
  });
  return {
    url,
    proc,
    dataDir,
    stop: async () => {
      proc.kill("SIGTERM");
      await new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r(null) : proc.once("exit", r)));
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A control plane process with a real agent on the local engine, signed in as the admin, host online. */
export async function startWithLocalAgent(hostname = "bench") {
  const cp = await startControlPlaneProcess();
  const cookie = await signIn(cp.url);
  const api = apiClient(cp.url, cookie);
  const { token } = await api.hosts.createJoinToken.mutate();
  const agent = AgentProcess.start({ url: cp.url, token, credentials: path.join(cp.dataDir, "agent.json"), hostname });
  while (!(await api.hosts.list.query()).some((h) => h.status === "online")) await new Promise((r) => setTimeout(r, 100));
  const hostId = (await api.hosts.list.query())[0]!.id;
  return {
    cp,
    cookie,
    api,
    agent,
    hostId,
    stop: async () => {
      await agent.stop();
      await cp.stop();
    },
  };
}
