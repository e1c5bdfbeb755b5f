/**
 * What do replicas cost? Two control-plane processes on PostgreSQL and Redis, the agent on replica A,
 * clients on A and on B:
 *   change   docker start → the change notification at a client of A (its own agent) and of B (via Redis)
 *   request  an agent request (container top) from a client of A (direct) and of B (over the bus to A)
 *   failover A killed → the host online again on B, through the agent's own reconnect
 * Usage: npm run bench:replicas -- [N=100]   (PostgreSQL: scripts/ensure-postgres.sh, as bench.sh runs it)
 */
import path from "node:path";
import os from "node:os";
import fs from "node:fs";
import Docker from "dockerode";
import { TEST_IMAGE, ensureTestImage, removeTestContainers } from "../apps/web/test/support/engine";
import { startRedis } from "../apps/web/test/support/redis";
import { subscription } from "../apps/web/test/support/sse";
import { createPostgresDatabase } from "../apps/web/test/support/shared-database";
import { AgentProcess, apiClient, freePort, signIn } from "../apps/web/test/support/stack";
import { startControlPlaneProcess } from "./support/control-plane-process";
import { percentile, runBench } from "./support/measure";

const N = Number(process.argv[2] ?? 100);
const docker = new Docker();

/** The time of every server-sent event batch that mentions containers. */
function subscribe(url: string, cookie: string) {
  const arrivals: number[] = [];
  const controller = new AbortController();
  void (async () => {
    for await (const data of subscription(url, cookie, "fleet.changes", undefined, controller.signal)) {
      if (JSON.stringify(data).includes('"containers"')) arrivals.push(performance.now());
    }
  })().catch(() => {});
  return { arrivals, close: () => controller.abort() };
}

const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(1)} ms  p99 ${percentile(xs, 99).toFixed(1)} ms`;

async function main(): Promise<void> {
  await ensureTestImage();
  await removeTestContainers();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-bench-replicas-"));
  const redis = await startRedis();
  const database = await createPostgresDatabase();
  const [portA, portB] = [await freePort(), await freePort()];
  const publicUrl = `http://127.0.0.1:${portB}`;
  const env = { REDIS_URL: redis.url, DATABASE_URL: database.url, PUBLIC_URL: publicUrl, AUTH_SECRET: "bench-replicas-secret-".repeat(3), SECRETS_KEY: "replica-test-secrets-key-".repeat(2), AUDIT_KEY: "bench-replicas-audit-key-".repeat(3) };
  const a = await startControlPlaneProcess({ dataDir: path.join(dir, "a"), port: portA, env });
  const b = await startControlPlaneProcess({ dataDir: path.join(dir, "b"), port: portB, env });
  const [cookieA, cookieB] = [await signIn(a.url, undefined, undefined, b.url), await signIn(b.url)];
  const apiA = apiClient(a.url, cookieA, publicUrl);
  const apiB = apiClient(b.url, cookieB, publicUrl);
  const { token } = await apiB.hosts.createJoinToken.mutate();
  const agent = AgentProcess.start({ url: `${a.url},${b.url}`, token, credentials: path.join(dir, "agent.json"), hostname: "bench" });
  let hostId = "";
  while (!hostId) {
    hostId = (await apiB.hosts.list.query()).find((h) => h.status === "online")?.id ?? "";
    await new Promise((r) => setTimeout(r, 100));
  }

  // Changes: each start is seen by A's client (A's own agent) and B's (replicated through Redis).
  const subA = subscribe(a.url, cookieA);
  const subB = subscribe(b.url, cookieB);
  await new Promise((r) => setTimeout(r, 500));
  const atA: number[] = [];
  const atB: number[] = [];
  for (let i = 0; i < N; i++) {
    const c = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["sleep", "1000"], Labels: { "stevedore.test": "1" } });
    const [fromA, fromB] = [subA.arrivals.length, subB.arrivals.length];
    const t0 = performance.now();
    await c.start();
    while (subA.arrivals.length === fromA || subB.arrivals.length === fromB) await new Promise((r) => setTimeout(r, 1));
    atA.push(subA.arrivals[fromA]! - t0);
    atB.push(subB.arrivals[fromB]! - t0);
    await c.remove({ force: true });
    await new Promise((r) => setTimeout(r, 120)); // past the subscription's 50 ms coalescing window
  }

  // Requests: `top` of one running container, asked N times through each replica.
  const c = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["sleep", "1000"], Labels: { "stevedore.test": "1" } });
  await c.start();
  while (!(await apiA.containers.list.query({ q: c.id.slice(0, 12) })).items.some((r) => r.state === "running")) await new Promise((r) => setTimeout(r, 50));
  const timed = async (api: typeof apiA) => {
    const xs: number[] = [];
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      await api.containers.top.query({ hostId, id: c.id });
      xs.push(performance.now() - t0);
    }
    return xs;
  };
  const direct = await timed(apiA);
  const viaBus = await timed(apiB);

  // Failover: A dies; the agent notices at once (its socket closes), tries A again, then B.
  a.proc.kill("SIGKILL");
  const killed = performance.now();
  const before = (await apiB.hosts.list.query()).find((h) => h.id === hostId)!.connectedAt!;
  while (!(await apiB.hosts.list.query()).some((h) => h.id === hostId && h.status === "online" && h.connectedAt! > before)) await new Promise((r) => setTimeout(r, 20));
  const failover = performance.now() - killed;

  console.log(`\nReplicas on PostgreSQL and Redis, agent on A (${N} each)`);
  console.log(`  change at a client of A (own agent):   ${fmt(atA)}`);
  console.log(`  change at a client of B (via Redis):   ${fmt(atB)}`);
  console.log(`  added by replication (B − A):          ${fmt(atB.map((x, i) => x - atA[i]!))}`);
  console.log(`  container top through A (direct):      ${fmt(direct)}`);
  console.log(`  container top through B (bus → A):     ${fmt(viaBus)}`);
  console.log(`  failover, A killed → online on B:      ${failover.toFixed(0)} ms`);

  subA.close();
  subB.close();
  await agent.stop();
  await b.stop();
  await a.stop();
  await redis.stop();
  await database.drop();
  await removeTestContainers();
  fs.rmSync(dir, { recursive: true, force: true });
}

runBench(main);
