/**
 * Back after a restart: N simulated agents (reconnecting with the agent's own ReconnectPolicy) on a
 * control plane that stops gracefully (agents are told it is shutting down) and stays down D seconds.
 * From the moment it answers again: when each agent is welcomed back (p50, p90, max), and how many tries
 * the join limit turned away. Target: every agent back within 5 s of the control plane answering.
 * Usage: npm run bench:restart -- [agents=2000] [down seconds=15]
 * BENCH_FLEET_DIR (default /tmp/stevedore-restart-bench) keeps the database and the agents' credentials.
 */
import fs from "node:fs";
import path from "node:path";
import { apiClient, freePort, signIn } from "../apps/web/test/support/stack";
import { startControlPlaneProcess } from "./support/control-plane-process";
import { percentile, runBench } from "./support/measure";
import { SimAgent, enrolledAgents, waitAllOnline } from "./support/sim-agent";

const [AGENTS, DOWN_S] = [2000, 15].map((d, i) => Number(process.argv[2 + i] ?? d));
const DIR = process.env.BENCH_FLEET_DIR ?? "/tmp/stevedore-restart-bench";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<void> {
  fs.mkdirSync(DIR, { recursive: true });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let cp = await startControlPlaneProcess({ dataDir: DIR, port });
  const agents: SimAgent[] = [];
  try {
    const creds = await enrolledAgents(url, apiClient(url, await signIn(url)), AGENTS, path.join(DIR, "sim-agents.json"));
    agents.push(...creds.map((c) => new SimAgent(url, c.hostId, c.credential, c.name, 5)));
    for (const a of agents) a.connect();
    if (Number.isNaN(await waitAllOnline(agents, 180_000))) throw new Error("not every agent came online before the restart");
    console.log(`\nRestart: ${AGENTS} agents online; the control plane stops (graceful) and stays down ${DOWN_S} s`);

    await cp.stop();
    await sleep(DOWN_S * 1000);
    const busyBefore = agents.reduce((n, a) => n + a.busyRefusals, 0);
    cp = await startControlPlaneProcess({ dataDir: DIR, port });
    const answering = performance.now();
    const back = !Number.isNaN(await waitAllOnline(agents, 120_000));
    const after = agents.filter((a) => a.online).map((a) => a.welcomedAt - answering);
    const busy = agents.reduce((n, a) => n + a.busyRefusals, 0) - busyBefore;
    const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
    console.log(`back       ${after.length} of ${AGENTS} welcomed again, after the control plane answered: p50 ${s(percentile(after, 50))}, p90 ${s(percentile(after, 90))}, last ${s(Math.max(...after))} (target: all < 5 s)${back ? "" : "; the rest not within 120 s"}`);
    console.log(`           ${busy} tries turned away by the join limit (503, retried after the jittered Retry-After)`);
  } finally {
    for (const a of agents) a.stop();
    await cp.stop();
  }
}

runBench(main);
