/**
 * Terminal latency and throughput through Stevedore, next to the engine's own API in the same run:
 *   round trip  a keystroke sent → its echo received (a TTY echoes each key), N times:
 *               browser-like WebSocket client → control plane → agent → engine, vs a hijacked exec on the engine
 *   flood       `yes | head -c SIZE` in an exec, bytes per second to the client (which acknowledges as it
 *               receives, like a browser that renders instantly), vs reading the engine's exec stream
 * The control plane and the agent run as their own processes; their peak RSS is printed.
 * Usage: npm run bench:terminal -- [keystrokes=300] [flood MiB=16]
 */
import { execFileSync } from "node:child_process";
import type { Duplex } from "node:stream";
import Docker from "dockerode";
import { ensureTestImage, removeTestContainers, runContainer } from "../apps/web/test/support/engine";
import { TerminalClient } from "../apps/web/test/support/terminal-client";
import { startWithLocalAgent } from "./support/control-plane-process";
import { cpuSeconds, percentile, rssMiB, runBench } from "./support/measure";

const KEYS = Number(process.argv[2] ?? 300);
const FLOOD_BYTES = Number(process.argv[3] ?? 16) * 1024 * 1024;
const docker = new Docker();

const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(2)} ms  p99 ${percentile(xs, 99).toFixed(2)} ms`;
const mib = (bytes: number, ms: number) => bytes / 1048576 / (ms / 1000);


/** Sends one key at a time and waits for its echo; returns the round trips in ms. */
async function roundTrips(send: (key: string) => void, output: { text: () => string }): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < KEYS; i++) {
    const before = output.text().length;
    const t0 = performance.now();
    send("x");
    while (output.text().length === before) await new Promise((r) => setImmediate(r));
    times.push(performance.now() - t0);
    if (i % 60 === 59) send("\x15"); // Ctrl-U: keep the line short
  }
  return times;
}

async function directExec(containerId: string, cmd: string[]): Promise<{ stream: Duplex; exec: Docker.Exec }> {
  const exec = await docker.getContainer(containerId).exec({ Cmd: cmd, AttachStdin: true, AttachStdout: true, AttachStderr: true, Tty: true });
  const stream = (await exec.start({ hijack: true, stdin: true, Tty: true })) as unknown as Duplex;
  return { stream, exec };
}

async function main(): Promise<void> {
  await ensureTestImage();
  await removeTestContainers();
  const containerId = await runContainer("bench-terminal", ["sleep", "100000"]);
  const stack = await startWithLocalAgent();
  const { cp, cookie, api, agent, hostId } = stack;
  while (!(await api.containers.list.query({ q: "bench-terminal" })).items.some((c) => c.state === "running")) await new Promise((r) => setTimeout(r, 100));
  const size = { cols: 120, rows: 40 };

  // Round trips through Stevedore.
  const open = async (command: string[], keepOutput = true) => {
    const { ticket, sessionId } = await api.terminals.open.mutate({ hostId, containerId, mode: "exec", command, size });
    const client = new TerminalClient(cp.url, ticket, { cookie, keepOutput });
    await client.opened();
    while (!client.messages.some((m) => m.type === "hello" && !m.starting)) await new Promise((r) => setTimeout(r, 10));
    return { client, sessionId };
  };
  const viaShell = await open(["sh"]);
  await new Promise((r) => setTimeout(r, 300));
  const stevedoreRtt = await roundTrips((k) => viaShell.client.type(k), { text: () => viaShell.client.text });
  viaShell.client.type("\x15exit\r");
  await viaShell.client.message("ended");

  // Round trips straight against the engine.
  const direct = await directExec(containerId, ["sh"]);
  let directText = "";
  direct.stream.on("data", (d: Buffer) => (directText += d.toString("latin1")));
  await new Promise((r) => setTimeout(r, 300));
  const engineRtt = await roundTrips((k) => direct.stream.write(k), { text: () => directText });
  direct.stream.end("\x15exit\r");

  // Flood through Stevedore.
  const floodCmd = ["sh", "-c", `yes | head -c ${FLOOD_BYTES}`];
  const dockerdPid = Number(execFileSync("pidof", ["dockerd"]).toString().trim().split(" ")[0]);
  const cpuOf = () => ({ server: cpuSeconds(cp.proc.pid!), agent: cpuSeconds(agent.proc.pid!), dockerd: cpuSeconds(dockerdPid), bench: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6 });
  const rssBefore = { server: rssMiB(cp.proc.pid!, "VmRSS"), agent: rssMiB(agent.proc.pid!, "VmRSS") };
  const cpu0 = cpuOf();
  const t0 = performance.now();
  const flood = await open(floodCmd, false);
  await flood.client.message("ended", 600_000);
  const stevedoreFloodMs = performance.now() - t0;
  const stevedoreBytes = flood.client.received;
  const cpu1 = cpuOf();

  // Flood straight from the engine.
  const t1 = performance.now();
  const directFlood = await directExec(containerId, floodCmd);
  let directBytes = 0;
  let directReads = 0;
  directFlood.stream.on("data", (d: Buffer) => {
    directBytes += d.length;
    directReads++;
  });
  await new Promise((r) => directFlood.stream.once("end", r));
  const directFloodMs = performance.now() - t1;
  const cpu2 = cpuOf();
  const cpuLine = (a: typeof cpu0, b: typeof cpu0, ms: number) =>
    (Object.keys(a) as (keyof typeof cpu0)[]).map((k) => `${k} ${((100 * (b[k] - a[k])) / (ms / 1000)).toFixed(0)}%`).join(", ");

  const added = stevedoreRtt.map((t, i) => t - engineRtt[i]!);
  console.log(`\nKeystroke → echo, ${KEYS} keys (TTY echo in the container)`);
  console.log(`  engine exec stream (direct):        ${fmt(engineRtt)}`);
  console.log(`  browser socket → Stevedore → agent: ${fmt(stevedoreRtt)}`);
  console.log(`  added by Stevedore:                 p50 ${(percentile(stevedoreRtt, 50) - percentile(engineRtt, 50)).toFixed(2)} ms (target < 2 ms)  p99 ${(percentile(stevedoreRtt, 99) - percentile(engineRtt, 99)).toFixed(2)} ms; per key p50 ${percentile(added, 50).toFixed(2)} ms`);
  console.log(`\nFlood: yes | head -c ${FLOOD_BYTES / 1048576} MiB`);
  console.log(`  engine exec stream (direct):        ${mib(directBytes, directFloodMs).toFixed(1)} MiB/s (${(directBytes / 1048576).toFixed(0)} MiB in ${(directFloodMs / 1000).toFixed(2)} s, ${directReads} reads of ${(directBytes / directReads / 1024).toFixed(1)} KiB)`);
  console.log(`  through Stevedore:                  ${mib(stevedoreBytes, stevedoreFloodMs).toFixed(1)} MiB/s (${(stevedoreBytes / 1048576).toFixed(0)} MiB in ${(stevedoreFloodMs / 1000).toFixed(2)} s, ${flood.client.frames} frames of ${(stevedoreBytes / flood.client.frames / 1024).toFixed(1)} KiB), ${((100 * mib(stevedoreBytes, stevedoreFloodMs)) / mib(directBytes, directFloodMs)).toFixed(0)}% of direct (target ≥ 50%)`);
  console.log(`  CPU (of one core) direct:           ${cpuLine(cpu1, cpu2, directFloodMs)}`);
  console.log(`  CPU (of one core) via Stevedore:    ${cpuLine(cpu0, cpu1, stevedoreFloodMs)}`);
  console.log(`\nRSS before the floods → peak: control plane ${rssBefore.server.toFixed(0)} → ${rssMiB(cp.proc.pid!, "VmHWM").toFixed(0)} MiB, agent ${rssBefore.agent.toFixed(0)} → ${rssMiB(agent.proc.pid!, "VmHWM").toFixed(0)} MiB`);

  await stack.stop();
  await removeTestContainers();
}

runBench(main);
