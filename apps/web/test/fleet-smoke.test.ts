// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enroll } from "../../../agent/src/credentials";
import { SimAgent } from "../../../bench/support/sim-agent";
import { waitFor } from "./support/engine";
import { scrape } from "./support/prometheus";
import { subscription } from "./support/sse";
import { SSE_PING_MS, SSE_RECONNECT_AFTER_MS } from "../server/trpc/init";
import { type TestStack, apiClient, signIn, startStack } from "./support/stack";

/** The fleet benchmark's simulator at small scale: correctness only (bench/fleet.ts measures speed). */
describe("fleet smoke: 50 simulated agents × 25 containers, connecting at once through admission control", () => {
  let stack: TestStack;
  let api: ReturnType<typeof apiClient>;
  const agents: SimAgent[] = [];

  beforeAll(async () => {
    // A low admission limit, so the 50 agents connecting at once are partly turned away and retry.
    stack = await startStack({ AGENT_JOIN_LIMIT: "2", METRICS_ADDRESS: "127.0.0.1:0" });
    api = apiClient(stack.url, await signIn(stack.url));
    for (let i = 0; i < 50; i++) {
      const creds = await enroll(stack.url, await stack.joinToken(), `sim-${i}`);
      agents.push(new SimAgent(stack.url, creds.hostId, creds.credential, `sim-${i}`, 25));
    }
    for (const a of agents) a.connect();
  });
  afterAll(async () => {
    for (const a of agents) a.stop();
    await stack.close();
  });

  it("every agent comes online with its containers, and the list pages and counts on the server", async () => {
    await waitFor(async () => (await api.hosts.list.query()).filter((h) => h.status === "online").length === 50, { timeoutMs: 60_000, what: "50 hosts online" });
    const hosts = await api.hosts.list.query();
    expect(hosts.reduce((n, h) => n + h.containersTotal, 0)).toBe(1250);
    expect(agents.reduce((n, a) => n + a.busyRefusals, 0)).toBeGreaterThan(0);
    const page = await api.containers.list.query({});
    expect(page.total).toBe(1250);
    expect(page.items.length).toBeLessThan(1250);
    expect((await api.containers.list.query({ q: "sim-7-svc-3" })).items.map((c) => c.name)).toEqual(["sim-7-svc-3"]);
  });

  it("a change on one host reaches the fleet view", async () => {
    const a = agents[7]!;
    a.flip(3);
    await waitFor(async () => (await api.containers.list.query({ q: "sim-7-svc-3" })).items[0]?.state === "exited", { what: "the flipped container exited" });
    const exited = await api.containers.list.query({ state: "exited" });
    expect(exited.items.map((c) => c.name)).toEqual(["sim-7-svc-3"]);
  });

  it("the simulator's stats tables reach every host's totals and the fleet's top consumers", async () => {
    for (const a of agents) a.sendStats(1_000);
    await waitFor(async () => Object.keys(await api.stats.hosts.query()).length === 50, { timeoutMs: 10_000, what: "totals for 50 hosts" });
    const totals = await api.stats.hosts.query();
    // Only running containers are sampled: sim-7 has one exited since the test above.
    expect(Object.values(totals).map((t) => t.containers).sort()).toEqual([24, ...Array(49).fill(25)]);
    const top = await api.stats.top.query({ limit: 5 });
    expect(top.byCpu).toHaveLength(5);
    expect(top.byCpu[0]!.cpuPercent).toBeGreaterThanOrEqual(top.byCpu[4]!.cpuPercent!);
    expect(top.byCpu[0]!.name).toMatch(/^sim-\d+-svc-\d+$/);
  });

  it("serves Prometheus metrics on its own listener only: agents, hosts by state, join refusals, procedure latency, queues, the process", async () => {
    const url = stack.cp.metricsUrl!;
    expect(new URL(url).port).not.toBe(new URL(stack.url).port);
    await api.hosts.list.query();
    // A refused call is counted with its outcome.
    await expect(apiClient(stack.url).hosts.list.query()).rejects.toThrow(/sign in first/);
    const samples = await scrape(url);
    expect(samples.get("stevedore_agents_connected")).toBe(50);
    expect(samples.get('stevedore_hosts{state="online"}')).toBe(50);
    expect(samples.get('stevedore_hosts{state="offline"}')).toBe(0);
    expect(samples.get("stevedore_agent_join_refusals_total")).toBe(agents.reduce((n, a) => n + a.busyRefusals, 0));
    expect(samples.get('stevedore_trpc_duration_seconds_count{procedure="hosts.list",type="query",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    expect(samples.get('stevedore_trpc_duration_seconds_count{procedure="hosts.list",type="query",outcome="unauthorized"}')).toBe(1);
    expect(samples.get("stevedore_audit_queue_depth")).toBeGreaterThanOrEqual(0);
    expect(samples.get("stevedore_terminal_sessions_open")).toBe(0);
    expect(samples.get("process_resident_memory_bytes")).toBeGreaterThan(10 * 1024 * 1024);
    expect(samples.has("nodejs_eventloop_lag_p99_seconds")).toBe(true);
    // Nothing else on that listener, and no metrics on the public port.
    expect((await fetch(url.replace("/metrics", "/api/health"))).status).toBe(404);
    expect((await fetch(`${stack.url}/metrics`)).status).toBe(404);
  });

  it("keeps subscriptions alive through proxies: the stream opens telling the browser when to reconnect, and pings well inside it", async () => {
    const controller = new AbortController();
    const events = subscription(stack.url, await signIn(stack.url), "fleet.changes", undefined, controller.signal);
    expect((await events.next()).value).toEqual({ reconnectAfterInactivityMs: SSE_RECONNECT_AFTER_MS });
    controller.abort();
    await events.return(undefined).catch(() => {});
    expect(SSE_PING_MS).toBeLessThanOrEqual(SSE_RECONNECT_AFTER_MS / 2);
    // Under the 60 s idle timeout nginx and most load balancers default to.
    expect(SSE_PING_MS).toBeLessThan(60_000 / 2);
  });
});
