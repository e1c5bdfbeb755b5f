/**
 * How fast does a change on a host reach a browser? Starts a real control plane and agent against the
 * local engine, subscribes to fleet changes over the real transport (tRPC over server-sent events),
 * then starts N containers one by one and measures, for each:
 *   engine   docker start → the start event on the engine's own /events stream (the floor)
 *   client   docker start → change notification received and the row read back as running
 * Usage: npm run bench:live -- [N=50]
 */
import Docker from "dockerode";
import { ensureTestImage, removeTestContainers, TEST_IMAGE } from "../apps/web/test/support/engine";
import { AgentProcess, apiClient, signIn, startStack } from "../apps/web/test/support/stack";

const N = Number(process.argv[2] ?? 50);
const docker = new Docker();

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** Resolves on the next server-sent event batch that mentions containers. */
function subscribe(url: string, cookie: string) {
  let waiter: (() => void) | null = null;
  const controller = new AbortController();
  void (async () => {
    const res = await fetch(`${url}/api/trpc/fleet.changes`, { headers: { cookie, accept: "text/event-stream" }, signal: controller.signal });
    const decoder = new TextDecoder();
    for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
      if (decoder.decode(chunk, { stream: true }).includes('"containers"')) waiter?.();
    }
  })().catch(() => {});
  return {
    next: () => new Promise<void>((resolve) => (waiter = resolve)),
    close: () => controller.abort(),
  };
}

async function main(): Promise<void> {
  await ensureTestImage();
  await removeTestContainers();
  const stack = await startStack();
  const cookie = await signIn(stack.url);
  const api = apiClient(stack.url, cookie);
  const agent = AgentProcess.start({ url: stack.url, token: await stack.joinToken(), credentials: `${stack.dataDir}/agent.json`, hostname: "bench" });
  while (!(await api.hosts.list.query()).some((h) => h.status === "online")) await new Promise((r) => setTimeout(r, 100));
  const sub = subscribe(stack.url, cookie);

  const engineSeen = new Map<string, number>();
  const events = (await docker.getEvents({ filters: { type: ["container"], event: ["start"] } })) as NodeJS.ReadableStream & { destroy(): void };
  events.on("data", (d: Buffer) => {
    for (const line of d.toString().split("\n").filter(Boolean)) engineSeen.set(JSON.parse(line).id, performance.now());
  });
  await new Promise((r) => setTimeout(r, 500));

  const engine: number[] = [];
  const client: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["sleep", "1000"], Labels: { "stevedore.test": "1" } });
    const notified = sub.next();
    const t0 = performance.now();
    await c.start();
    for (;;) {
      await notified;
      const row = (await api.containers.list.query({ q: c.id.slice(0, 12) })).items[0];
      if (row?.state === "running") break;
      await sub.next();
    }
    client.push(performance.now() - t0);
    engine.push((engineSeen.get(c.id) ?? NaN) - t0);
  }

  const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms  p99 ${percentile(xs, 99).toFixed(1)} ms  max ${Math.max(...xs).toFixed(1)} ms`;
  console.log(`\n${N} container starts on the local engine`);
  console.log(`  engine /events (direct):          ${fmt(engine)}`);
  console.log(`  subscribed client, row running:   ${fmt(client)}`);
  console.log(`  added by Stevedore (per start):   ${fmt(client.map((c, i) => c - engine[i]!))}`);

  sub.close();
  events.destroy();
  await agent.stop();
  await stack.close();
  await removeTestContainers();
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err);
    process.exit(1);
  },
);
