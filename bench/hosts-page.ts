/**
 * The hosts page and the host pickers at fleet scale: H hosts enrolled (all but A seeded straight into
 * the database, offline with their last facts and a group, as the control plane loads them after a
 * restart; A enrolled for real and connected as simulated agents with C containers each), then, over
 * HTTP as a browser asks:
 *   before   hosts.list (every host, what the page and every picker read until now)
 *   after    hosts.search: the hosts page's first page (by name; by containers), a picker's first page,
 *            and a picker search for one host by part of its name
 * Each figure is p50 / p90 / p99 of S sequential requests after a warm-up, with the answer's size.
 * Usage: npm run bench:hosts -- [hosts=20000] [agents=500] [containers=25] [samples=60]
 */
import crypto from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createDb } from "../apps/web/server/db";
import { loadConfig } from "../apps/web/server/config";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, signIn } from "../apps/web/test/support/stack";
import { startControlPlaneProcess } from "./support/control-plane-process";
import { percentile, rssMiB } from "./support/measure";
import { SimAgent, enrolledAgents, waitAllOnline } from "./support/sim-agent";

const [HOSTS, AGENTS, CONTAINERS, SAMPLES] = [20_000, 500, 25, 60].map((d, i) => Number(process.argv[2 + i] ?? d));
const GROUPS = ["edge", "core", "staging", "prod", "eu-west", "us-east", "batch", "gpu"];

async function seedOffline(dataDir: string, count: number): Promise<void> {
  const db = createDb(loadConfig({ STEVEDORE_DATA_DIR: dataDir, ADMIN_EMAIL, ADMIN_PASSWORD, NODE_ENV: "production" }).databaseUrl);
  const t0 = performance.now();
  for (let from = 0; from < count; from += 1000) {
    const rows = Array.from({ length: Math.min(1000, count - from) }, (_, j) => {
      const i = from + j;
      return {
        id: `seed-${String(i).padStart(5, "0")}`,
        name: `node-${String(i).padStart(5, "0")}.${GROUPS[i % GROUPS.length]}.example.net`,
        credentialHash: crypto.createHash("sha256").update(`seed-${i}`).digest("hex"),
        lastSeenAt: new Date(Date.now() - (i % 1440) * 60_000),
        hostname: `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`,
        os: i % 3 ? "Debian GNU/Linux 12 (bookworm)" : "Ubuntu 24.04 LTS",
        kernel: "6.1.0-28-amd64",
        arch: "x86_64",
        cpus: 4 + (i % 4) * 4,
        memoryBytes: BigInt(16 * 2 ** 30),
        engineVersion: "27.3.1",
        engineApiVersion: "1.47",
        storageDriver: "overlay2",
        dockerRootDir: "/var/lib/docker",
        agentVersion: "0.9.0",
        protocolVersion: 2,
      };
    });
    await db.host.createMany({ data: rows });
    await db.hostGroupMember.createMany({ data: rows.map((r, j) => ({ hostId: r.id, group: GROUPS[(from + j) % GROUPS.length]! })) });
  }
  await db.$disconnect();
  console.log(`seeded ${count} offline hosts in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}

async function timed(label: string, run: () => Promise<unknown>): Promise<void> {
  for (let i = 0; i < 5; i++) await run();
  const xs: number[] = [];
  let bytes = 0;
  for (let i = 0; i < SAMPLES; i++) {
    const t0 = performance.now();
    const answer = await run();
    xs.push(performance.now() - t0);
    if (i === 0) bytes = JSON.stringify(answer).length;
  }
  const f = (p: number) => percentile(xs, p).toFixed(0);
  console.log(`${label.padEnd(56)} p50 ${f(50).padStart(4)} ms  p90 ${f(90).padStart(4)} ms  p99 ${f(99).padStart(4)} ms  (${(bytes / 1024).toFixed(0)} KiB)`);
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-hosts-bench-"));
  // Once to create the database (migrations, the admin), then with the seeded hosts loaded at start.
  let cp = await startControlPlaneProcess({ dataDir });
  await cp.stop();
  await seedOffline(dataDir, HOSTS - AGENTS);
  cp = await startControlPlaneProcess({ dataDir });
  const agents: SimAgent[] = [];
  try {
    const api = apiClient(cp.url, await signIn(cp.url));
    const creds = await enrolledAgents(cp.url, api, AGENTS, path.join(dataDir, "sim-agents.json"));
    agents.push(...creds.map((c) => new SimAgent(cp.url, c.hostId, c.credential, c.name, CONTAINERS)));
    for (const a of agents) a.connect();
    await waitAllOnline(agents, 120_000);
    const all = await api.hosts.search.query({ limit: 1 });
    console.log(`\nHosts: ${all.total} (${all.byStatus.online} online with ${CONTAINERS} containers each, ${all.byStatus.offline} offline); ${SAMPLES} samples each; control plane RSS ${rssMiB(cp.proc.pid!, "VmRSS").toFixed(0)} MiB`);

    await timed("before: hosts.list (the page and every picker)", () => api.hosts.list.query());
    await timed("after: hosts page, first page of 25 by name", () => api.hosts.search.query({ limit: 25 }));
    await timed("after: hosts page, first 25 by containers, descending", () => api.hosts.search.query({ limit: 25, sort: "containers", dir: "desc" }));
    await timed("after: hosts page, filtered by a group and a word", () => api.hosts.search.query({ limit: 25, group: "prod", q: "ubuntu" }));
    await timed("after: picker opened, first 20", () => api.hosts.search.query({ limit: 20 }));
    let n = 0;
    await timed("after: picker search as typed (\"node-0123\", ~10 match)", () => api.hosts.search.query({ limit: 20, q: `node-${String((n++ * 7919) % (HOSTS - AGENTS)).padStart(5, "0").slice(0, 4)}` }));
    await timed("after: picker resolving the chosen host's name by id", () => api.hosts.search.query({ ids: [creds[0]!.hostId], limit: 1 }));
  } finally {
    for (const a of agents) a.stop();
    await cp.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
