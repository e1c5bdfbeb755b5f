/**
 * Log throughput through Stevedore, next to the engine's own logs API in the same run:
 *   follow   a container floods N lines (`yes | head -n N`) while one reader follows it from its start:
 *            a `docker logs -f` reader on the engine's API, then (a fresh container) a browser-like
 *            WebSocket client of the control plane that acknowledges as it receives; lines per second
 *            from first to last line. One at a time: two followers at once share the engine's CPU.
 *   history  the same N lines read again from the log (no follow), one reader after the other
 *   liars    L browser-like clients read a 64 MB log while not reading their sockets and acknowledging
 *            1 GiB every 5 ms (acknowledgements cannot be trusted): the control plane's RSS must stay
 *            flat, because it pauses on what it holds for a socket, not only on acknowledgements
 * The control plane and the agent run as their own processes; their RSS before and at peak is printed.
 * Usage: npm run bench:logs -- [lines=1000000] [liars=20]
 */
import type { IncomingMessage } from "node:http";
import Docker from "dockerode";
import { ensureTestImage, removeTestContainers, runContainer } from "../apps/web/test/support/engine";
import { LogsClient } from "../apps/web/test/support/logs-client";
import type { apiClient } from "../apps/web/test/support/stack";
import { startWithLocalAgent } from "./support/control-plane-process";
import { rssMiB, runBench } from "./support/measure";

const LINES = Number(process.argv[2] ?? 1_000_000);
const LIARS = Number(process.argv[3] ?? 20);
const LIAR_SECONDS = 10;
const LINE = "bench-line-0123456789-abcdefghij-0123456789";
const docker = new Docker();

const perSecond = (lines: number, ms: number) => Math.round(lines / (ms / 1000));
const fmt = (n: number) => n.toLocaleString("en-US");


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
  const stack = await startWithLocalAgent();
  const { cp, cookie, api, agent, hostId } = stack;
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
  // Liars: RSS is read before they start and every 100 ms while they hold their sockets shut.
  const big = await runContainer("bench-logs-liars", ["sh", "-c", `yes ${"x".repeat(1023)} | head -n 65536; sleep 100000`], undefined, ["--log-opt", "max-size=1g"]);
  while ((await docker.getContainer(big).logs({ stdout: true, tail: 1 })).length === 0) await new Promise((r) => setTimeout(r, 100));
  await new Promise((r) => setTimeout(r, 3_000)); // the flood (64 MB) is written in about a second
  const rssLiarsBefore = rssMiB(cp.proc.pid!, "VmRSS");
  let rssLiarsPeak = rssLiarsBefore;
  const liars = await Promise.all(
    Array.from({ length: LIARS }, async () => {
      const { ticket } = await api.logs.ticket.mutate({ containers: [{ hostId, containerId: big }] });
      const client = new LogsClient(cp.url, ticket, { cookie, autoAck: false, keepLines: false });
      await client.opened();
      (client.ws as unknown as { _socket: import("node:net").Socket })._socket.pause();
      const lies = setInterval(() => client.ws.send(JSON.stringify({ type: "ack", bytes: 1 << 30 })), 5);
      client.open(1, hostId, big, { follow: false });
      return { client, lies };
    }),
  );
  for (const until = Date.now() + LIAR_SECONDS * 1000; Date.now() < until; await new Promise((r) => setTimeout(r, 100))) rssLiarsPeak = Math.max(rssLiarsPeak, rssMiB(cp.proc.pid!, "VmRSS"));
  for (const { client, lies } of liars) {
    clearInterval(lies);
    client.ws.terminate();
  }
  console.log(`\nLiars: ${LIARS} clients read a 64 MB log without reading their sockets, acknowledging 1 GiB every 5 ms, for ${LIAR_SECONDS} s`);
  console.log(`  control plane RSS ${rssLiarsBefore.toFixed(0)} → ${rssLiarsPeak.toFixed(0)} MiB at peak (+${(rssLiarsPeak - rssLiarsBefore).toFixed(0)} MiB; trusting the acknowledgements it could hold up to ${LIARS * 64} MB)`);

  console.log(`\nRSS before → peak: control plane ${rssBefore.server.toFixed(0)} → ${rssMiB(cp.proc.pid!, "VmHWM").toFixed(0)} MiB, agent ${rssBefore.agent.toFixed(0)} → ${rssMiB(agent.proc.pid!, "VmHWM").toFixed(0)} MiB`);

  await stack.stop();
  await removeTestContainers();
}

runBench(main);
