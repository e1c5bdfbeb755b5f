/**
 * Log throughput through Stevedore, next to the engine's own logs API in the same run:
 *   follow   a container floods N lines (`yes | head -n N`) while one reader follows it from its start:
 *            a `docker logs -f` reader on the engine's API, then (a fresh container) a browser-like
 *            WebSocket client of the control plane that acknowledges as it receives; lines per second
 *            from first to last line. One at a time: two followers at once share the engine's CPU.
 *   history  the same N lines read again from the log (no follow), one reader after the other
 * The control plane and the agent run as their own processes; their RSS before and at peak is printed.
 * Usage: npm run bench:logs -- [lines=1000000]
 */
import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { IncomingMessage } from "node:http";
import Docker from "dockerode";
import { ensureTestImage, removeTestContainers, runContainer } from "../apps/web/test/support/engine";
import { LogsClient } from "../apps/web/test/support/logs-client";
import { ADMIN_EMAIL, ADMIN_PASSWORD, AgentProcess, apiClient, freePort, signIn } from "../apps/web/test/support/stack";

const LINES = Number(process.argv[2] ?? 1_000_000);
const LINE = "bench-line-0123456789-abcdefghij-0123456789";
const docker = new Docker();

const rssMiB = (pid: number, field: "VmRSS" | "VmHWM") => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? NaN) / 1024;
const perSecond = (lines: number, ms: number) => Math.round(lines / (ms / 1000));
const fmt = (n: number) => n.toLocaleString("en-US");

async function startControlPlane(): Promise<{ url: string; proc: ChildProcess; dataDir: string }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-bench-"));
  const port = await freePort();
  const proc = spawn(process.execPath, ["--import", "tsx", "bench/support/control-plane.ts"], {
    env: { ...process.env, STEVEDORE_DATA_DIR: dataDir, PORT: String(port), ADMIN_EMAIL, ADMIN_PASSWORD, LOG_LEVEL: "warn", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      const m = /READY (\S+)/.exec(d.toString());
      if (m) resolve(m[1]!);
    });
    proc.once("exit", (code) => reject(new Error(`the control plane exited (${code})`)));
  });
  return { url, proc, dataDir };
}

/** Reads a container's logs straight from the engine's API (multiplexed frames, one per line); resolves at `lines`. */
async function readDirect(containerId: string, follow: boolean, lines: number): Promise<{ ms: number; lines: number }> {
  const res = (await new Promise((resolve, reject) =>
    docker.modem.dial(
      { path: `/containers/${containerId}/logs?`, method: "GET", isStream: true, statusCodes: { 200: true }, options: { follow, stdout: true, stderr: true, tail: "all" } },
      (err, data) => (err ? reject(err as Error) : resolve(data)),
    ),
  )) as IncomingMessage;
  let t0 = 0;
  let count = 0;
  let pending = Buffer.alloc(0);
  return new Promise((resolve) => {
    res.on("data", (chunk: Buffer) => {
      if (!t0) t0 = performance.now();
      pending = pending.length ? Buffer.concat([pending, chunk]) : chunk;
      let at = 0;
      while (pending.length - at >= 8) {
        const size = pending.readUInt32BE(at + 4);
        if (pending.length - at < 8 + size) break;
        count++;
        at += 8 + size;
      }
      pending = pending.subarray(at);
      if (count >= lines) {
        resolve({ ms: performance.now() - t0, lines: count });
        res.destroy();
      }
    });
  });
}

/** Reads through Stevedore: a /logs-socket client that acknowledges what it receives. */
async function readViaStevedore(url: string, cookie: string, api: ReturnType<typeof apiClient>, hostId: string, containerId: string, follow: boolean, lines: number): Promise<{ ms: number; lines: number; frames: number }> {
  const { ticket } = await api.logs.ticket.mutate({ containers: [{ hostId, containerId }] });
  const client = new LogsClient(url, ticket, { cookie, keepLines: false });
  await client.opened();
  let t0 = 0;
  let frames = 0;
  client.ws.on("message", (_d, isBinary) => {
    if (isBinary && !t0) t0 = performance.now();
    if (isBinary) frames++;
  });
  client.open(1, hostId, containerId, { follow });
  while (client.newlines < lines) await new Promise((r) => setTimeout(r, 2));
  const ms = performance.now() - t0;
  client.close();
  return { ms, lines: client.newlines, frames };
}

async function main(): Promise<void> {
  await ensureTestImage();
  await removeTestContainers();
  const cp = await startControlPlane();
  const cookie = await signIn(cp.url);
  const api = apiClient(cp.url, cookie);
  const { token } = await api.hosts.createJoinToken.mutate();
  const agent = AgentProcess.start({ url: cp.url, token, credentials: path.join(cp.dataDir, "agent.json"), hostname: "bench" });
  while (!(await api.hosts.list.query()).some((h) => h.status === "online")) await new Promise((r) => setTimeout(r, 100));
  const hostId = (await api.hosts.list.query())[0]!.id;
  const rssBefore = { server: rssMiB(cp.proc.pid!, "VmRSS"), agent: rssMiB(agent.proc.pid!, "VmRSS") };

  // Each flood starts 2 s after its container, so the follower is reading before its first line.
  let flood = 0;
  const followFlood = async <T extends { ms: number; lines: number }>(read: (containerId: string) => Promise<T>) => {
    const name = `bench-logs-${++flood}`;
    const id = await runContainer(name, ["sh", "-c", `sleep 2; yes ${LINE} | head -n ${LINES}; sleep 100000`], undefined, ["--log-opt", "max-size=1g"]);
    while (!(await api.containers.list.query({ q: name })).items.some((c) => c.state === "running")) await new Promise((r) => setTimeout(r, 50));
    return { id, result: await read(id) };
  };
  const { result: followDirect } = await followFlood((id) => readDirect(id, true, LINES));
  const { id: containerId, result: followStevedore } = await followFlood((id) => readViaStevedore(cp.url, cookie, api, hostId, id, true, LINES));

  const historyDirect = await readDirect(containerId, false, LINES);
  const historyStevedore = await readViaStevedore(cp.url, cookie, api, hostId, containerId, false, LINES);

  const line = (label: string, r: { ms: number; lines: number }, direct?: { ms: number; lines: number }) =>
    console.log(`  ${label.padEnd(34)} ${fmt(perSecond(r.lines, r.ms)).padStart(10)} lines/s (${fmt(r.lines)} lines in ${(r.ms / 1000).toFixed(2)} s)${direct ? `, ${((100 * perSecond(r.lines, r.ms)) / perSecond(direct.lines, direct.ms)).toFixed(0)}% of direct (target ≥ 50% and ≥ 100,000 lines/s)` : ""}`);
  console.log(`\nFollow: a container floods ${fmt(LINES)} lines of ${LINE.length + 1} bytes; one follower at a time, each on a fresh container`);
  line("engine logs API (direct):", followDirect);
  line("WebSocket client via Stevedore:", followStevedore, followDirect);
  console.log(`\nHistory: the same ${fmt(LINES)} lines read back from the log, one reader after the other`);
  line("engine logs API (direct):", historyDirect);
  line("WebSocket client via Stevedore:", historyStevedore, historyDirect);
  console.log(`  (frames to the client: ${fmt(historyStevedore.frames)}, ${Math.round(historyStevedore.lines / historyStevedore.frames)} lines each)`);
  console.log(`\nRSS before → peak: control plane ${rssBefore.server.toFixed(0)} → ${rssMiB(cp.proc.pid!, "VmHWM").toFixed(0)} MiB, agent ${rssBefore.agent.toFixed(0)} → ${rssMiB(agent.proc.pid!, "VmHWM").toFixed(0)} MiB`);

  await agent.stop();
  cp.proc.kill("SIGTERM");
  await new Promise((r) => cp.proc.once("exit", r));
  fs.rmSync(cp.dataDir, { recursive: true, force: true });
  await removeTestContainers();
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
