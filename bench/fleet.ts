/**
 * A fleet on one control plane: N simulated agents (real protocol, real WebSockets, real enrolled
 * credentials, enrolled once and kept in the bench directory) each reporting M containers, with K
 * browser-like clients subscribed to live changes over the real transport (tRPC server-sent events).
 * The control plane runs as its own process, started the production way. Phases and figures:
 *   connect    all N agents at once → every one welcomed (and the server's host list agrees)
 *   idle       control-plane CPU with liveness pings only, then with every host's stats every S seconds
 *   churn      E container changes per second fleet-wide (stats still flowing): change → client latency p50/p99, CPU
 *   page       the containers page's first page (server-side filter and sort), p50/p99
 *   restart    the control plane restarts; all agents reconnect at once → time until all online
 * Usage: npm run bench:fleet -- [agents=1000] [containers=25] [events/s=20] [clients=100] [seconds=30] [stats every s=10]
 * BENCH_FLEET_DIR (default /tmp/stevedore-fleet-bench) keeps the database and the agents' credentials.
 */
import fs from "node:fs";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { apiClient, freePort, signIn } from "../apps/web/test/support/stack";
import { startControlPlaneProcess } from "./support/control-plane-process";
import { cpuSeconds, percentile, rssMiB, runBench } from "./support/measure";
import { SimAgent, enrolledAgents, waitAllOnline } from "./support/sim-agent";

const [AGENTS, CONTAINERS, EVENTS_PER_SEC, CLIENTS, SECONDS, STATS_EVERY_S] = [1000, 25, 20, 100, 30, 10].map((d, i) => Number(process.argv[2 + i] ?? d));
const DIR = process.env.BENCH_FLEET_DIR ?? "/tmp/stevedore-fleet-bench";
const CREDENTIALS = path.join(DIR, "sim-agents.json");

const ms = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} ms, p99 ${percentile(xs, 99).toFixed(0)} ms (${xs.length} samples)`;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU of one core used by a process over a window, as a percentage. */
async function cpuOver(pid: number, seconds: number): Promise<number> {
  const c0 = cpuSeconds(pid);
  const t0 = performance.now();
  await sleep(seconds * 1000);
  return (100 * (cpuSeconds(pid) - c0)) / ((performance.now() - t0) / 1000);
}

/** A browser's live subscription: calls `onHosts` with the host ids of each change batch. */
function subscribe(url: string, cookie: string, onHosts: (hostIds: string[]) => void): () => void {
  const controller = new AbortController();
  void (async () => {
    const res = await fetch(`${url}/api/trpc/fleet.changes`, { headers: { cookie, accept: "text/event-stream" }, signal: controller.signal });
    const decoder = new TextDecoder();
    let buffer = "";
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      buffer += decoder.decode(chunk, { stream: true });
      const events = buffer.split("\n\n");
      buffer = events.pop()!;
      for (const e of events) if (e.includes('"containers"')) onHosts([...e.matchAll(/"kind":"containers","hostId":"([^"]+)"/g)].map((m) => m[1]!));
    }
  })().catch(() => {});
  return () => controller.abort();
}

async function main(): Promise<void> {
  fs.mkdirSync(DIR, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let cp = await startControlPlaneProcess({ dataDir: DIR, port });
  const agents: SimAgent[] = [];
  try {
    await measure();
  } finally {
    for (const a of agents) a.stop();
    await cp.stop();
  }

  async function measure(): Promise<void> {
    const cookie = await signIn(url);
    const api = apiClient(url, cookie);
    const creds = await enrolledAgents(url, api, AGENTS, CREDENTIALS);
    console.log(`\nFleet: ${AGENTS} agents × ${CONTAINERS} containers = ${AGENTS * CONTAINERS} containers; ${CLIENTS} clients; ${EVENTS_PER_SEC} changes/s`);

    // Connect: every agent at once.
    agents.push(...creds.map((c) => new SimAgent(url, c.hostId, c.credential, c.name, CONTAINERS)));
    for (const a of agents) a.connect();
    const connectMs = await waitAllOnline(agents, 180_000);
    const hosts = await api.hosts.list.query();
    const online = hosts.filter((h) => creds.some((c) => c.hostId === h.id) && h.status === "online");
    const reported = online.reduce((n, h) => n + h.containersTotal, 0);
    console.log(`connect    all ${AGENTS} agents welcomed in ${(connectMs / 1000).toFixed(1)} s; the server lists ${online.length} online with ${reported} containers (expected ${AGENTS * CONTAINERS})`);

    // Idle.
    await sleep(3000);
    const idleCpu = await cpuOver(cp.proc.pid!, 10);
    console.log(`idle       control plane CPU ${idleCpu.toFixed(1)}% of one core with liveness only, RSS ${rssMiB(cp.proc.pid!, "VmRSS").toFixed(0)} MiB`);
    for (const a of agents) a.sendStats(STATS_EVERY_S * 1000);
    await sleep(STATS_EVERY_S * 1000 + 2000);
    const statsCpu = await cpuOver(cp.proc.pid!, 2 * STATS_EVERY_S);
    console.log(`idle       control plane CPU ${statsCpu.toFixed(1)}% of one core with stats every ${STATS_EVERY_S} s from every host (target < 10%), RSS ${rssMiB(cp.proc.pid!, "VmRSS").toFixed(0)} MiB`);

    // Churn with K subscribed clients.
    const sentAt = new Map<string, number>();
    const latencies: number[] = [];
    const clientCookies = await Promise.all(Array.from({ length: Math.min(CLIENTS, 10) }, () => signIn(url)));
    const closers = Array.from({ length: CLIENTS }, (_, i) =>
      subscribe(url, clientCookies[i % clientCookies.length]!, (ids) => {
        const now = performance.now();
        for (const id of ids) {
          const t = sentAt.get(id);
          if (t !== undefined) latencies.push(now - t);
        }
      }),
    );
    await sleep(2000);
    const c0 = cpuSeconds(cp.proc.pid!);
    const sim0 = process.cpuUsage();
    // The latency is measured here, so this process's own stalls are part of it: report them.
    const simDelay = monitorEventLoopDelay({ resolution: 10 });
    simDelay.enable();
    const t0 = performance.now();
    let sent = 0;
    while (performance.now() - t0 < SECONDS * 1000) {
      const a = agents[Math.floor(Math.random() * agents.length)]!;
      sentAt.set(a.hostId, performance.now());
      a.flip(Math.floor(Math.random() * CONTAINERS));
      sent++;
      await sleep(Math.max(0, t0 + (sent * 1000) / EVENTS_PER_SEC - performance.now()));
    }
    await sleep(1000);
    const churnSeconds = (performance.now() - t0) / 1000;
    const churnCpu = (100 * (cpuSeconds(cp.proc.pid!) - c0)) / churnSeconds;
    const sim = process.cpuUsage(sim0);
    const simCpu = (sim.user + sim.system) / 1e4 / churnSeconds;
    simDelay.disable();
    for (const close of closers) close();
    console.log(`churn      ${sent} changes in ${SECONDS} s to ${CLIENTS} clients: change → client ${ms(latencies)} (target p99 < 500 ms); CPU ${churnCpu.toFixed(1)}% (target < 50%); the simulator used ${simCpu.toFixed(0)}% of a core, its event loop delay p99 ${(simDelay.percentile(99) / 1e6).toFixed(0)} ms, max ${(simDelay.max / 1e6).toFixed(0)} ms`);

    // The containers page: first page, counts, server-side filter and sort.
    const page: number[] = [];
    const searched: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t = performance.now();
      const res = await api.containers.list.query(i % 2 ? { q: `svc-${i % 20}` } : {});
      (i % 2 ? searched : page).push(performance.now() - t);
      if (i === 0) console.log(`page       ${res.items.length} rows of ${res.total} (the browser never gets the whole list)`);
    }
    console.log(`page       first page ${ms(page)}; searching all names, images and commands ${ms(searched)} (target < 200 ms)`);
    console.log(`memory     control plane RSS ${rssMiB(cp.proc.pid!, "VmRSS").toFixed(0)} MiB, peak ${rssMiB(cp.proc.pid!, "VmHWM").toFixed(0)} MiB (target < 2048)`);

    // Restart: every agent reconnects at once, with backoff and jitter.
    const busyBefore = agents.reduce((n, a) => n + a.busyRefusals, 0);
    await cp.stop();
    const r0 = performance.now();
    cp = await startControlPlaneProcess({ dataDir: DIR, port });
    const allBack = await waitAllOnline(agents, 180_000);
    const reconnectMs = Number.isNaN(allBack) ? NaN : performance.now() - r0;
    const reconnects = agents.reduce((n, a) => n + a.connects, 0) - 2 * AGENTS;
    const busy = agents.reduce((n, a) => n + a.busyRefusals, 0) - busyBefore;
    console.log(`restart    all ${AGENTS} online again ${(reconnectMs / 1000).toFixed(1)} s after the restart began (target < 60 s); ${busy} attempts turned away busy (503, retried after the jittered Retry-After), ${reconnects} sessions beyond one each`);
  }
}

runBench(main);
