/**
 * How fast does a change on a host reach a browser? A real control plane (its own process) and agent
 * on the local engine, a client subscribed to live changes over the real transport (tRPC server-sent
 * events); N containers are started one by one and each start is timed three ways:
 *   engine   docker start → the start event on the engine's own /events stream (the floor)
 *   change   docker start → the change notification at the subscribed client
 *   row      docker start → the client has read the row back as running (what a browser shows)
 * Usage: npm run bench:events -- [N=200]
 */
import Docker from "dockerode";
import { TEST_IMAGE, ensureTestImage, removeTestContainers } from "../apps/web/test/support/engine";
import { startWithLocalAgent } from "./support/control-plane-process";
import { subscribeChanges } from "./support/changes";
import { percentile, runBench } from "./support/measure";

const N = Number(process.argv[2] ?? 200);
const docker = new Docker();

async function main(): Promise<void> {
  await ensureTestImage();
  await removeTestContainers();
  const stack = await startWithLocalAgent();
  const { cp, cookie, api } = stack;
  const sub = subscribeChanges(cp.url, cookie, (chunk) => chunk.includes('"containers"'));

  const engineSeen = new Map<string, number>();
  const events = (await docker.getEvents({ filters: { type: ["container"], event: ["start"] } })) as NodeJS.ReadableStream & { destroy(): void };
  events.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n").filter(Boolean)) engineSeen.set(JSON.parse(line).id, performance.now());
  });
  await new Promise((r) => setTimeout(r, 500));

  const engine: number[] = [];
  const change: number[] = [];
  const row: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["sleep", "1000"], Labels: { "stevedore.test": "1" } });
    const notified = sub.next();
    const t0 = performance.now();
    await c.start();
    await notified;
    change.push(performance.now() - t0);
    while ((await api.containers.list.query({ q: c.id.slice(0, 12) })).items[0]?.state !== "running") await sub.next();
    row.push(performance.now() - t0);
    engine.push((engineSeen.get(c.id) ?? NaN) - t0);
    // Keep the host small: the bench measures latency, not a growing list.
    await c.remove({ force: true });
  }

  const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms  p99 ${percentile(xs, 99).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms`;
  console.log(`\n${N} container starts on the local engine`);
  console.log(`  engine /events (direct):              ${fmt(engine)}`);
  console.log(`  change at the subscribed client:      ${fmt(change)}`);
  console.log(`  row read back as running:             ${fmt(row)}`);
  console.log(`  added by Stevedore (change − engine): p50 ${(percentile(change, 50) - percentile(engine, 50)).toFixed(1)} ms, p99 ${(percentile(change, 99) - percentile(engine, 99)).toFixed(1)} ms (target ≤ 50 ms at p99); per start ${fmt(change.map((c, i) => c - engine[i]!))}`);

  sub.close();
  events.destroy();
  await stack.stop();
  await removeTestContainers();
}

runBench(main);
