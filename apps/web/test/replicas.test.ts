// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ControlPlaneProcess, startControlPlaneProcess } from "../../../bench/support/control-plane-process";
import { TEST_IMAGE, docker, ensureTestImage, removeTestContainers, waitFor } from "./support/engine";
import { scrape } from "./support/prometheus";
import { startRedis, type TestRedis } from "./support/redis";
import { AgentProcess, apiClient, freePort, signIn } from "./support/stack";
import { LogsClient } from "./support/logs-client";
import { subscription } from "./support/sse";
import { TerminalClient } from "./support/terminal-client";
import { TestRegistry, pushLayeredImage, startSlowProxy } from "./support/registry";
import type { PullState } from "../server/images/image-pulls";
import { createPostgresDatabase, type TestDatabase } from "./support/shared-database";

/**
 * Two control-plane replicas behind nothing but their own ports, sharing PostgreSQL and Redis: the
 * agent is on replica A, the browser on replica B. B must see and drive the fleet A holds; terminals
 * must cross; when A dies the agent moves to B and nothing in the audit trail is lost.
 */
/** Every state of a pull, as a browser watching it through `url` receives them, until it is done. */
async function followPull(url: string, cookie: string, pullId: string): Promise<PullState[]> {
  const states: PullState[] = [];
  for await (const data of subscription(url, cookie, "images.pullProgress", { pullId })) {
    const state = (data as { json?: PullState }).json;
    if (!state?.hosts) continue;
    states.push(state);
    if (state.done) break;
  }
  return states;
}

describe("control-plane replicas", () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let a: ControlPlaneProcess;
  let b: ControlPlaneProcess;
  let agent: AgentProcess;
  let cookieA: string;
  let cookieB: string;
  let hostId: string;
  let metricsB: string;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-replicas-"));

  // Pages come from the one public address (B's here), whichever replica serves the API call.
  const apiA = () => apiClient(a.url, cookieA, b.url);
  const apiB = () => apiClient(b.url, cookieB);

  beforeAll(async () => {
    await ensureTestImage();
    redis = await startRedis();
    database = await createPostgresDatabase();
    const [portA, portB, metricsPortB] = [await freePort(), await freePort(), await freePort()];
    // One public address, as a load balancer would give them; each replica its own direct address.
    const env = { REDIS_URL: redis.url, DATABASE_URL: database.url, PUBLIC_URL: `http://127.0.0.1:${portB}`, AUTH_SECRET: "replica-test-secret-".repeat(3), SECRETS_KEY: "replica-test-secrets-key-".repeat(2), AUDIT_KEY: "replica-test-audit-key-".repeat(3) };
    a = await startControlPlaneProcess({ dataDir: path.join(dataDir, "a"), port: portA, env });
    metricsB = `http://127.0.0.1:${metricsPortB}/metrics`;
    b = await startControlPlaneProcess({ dataDir: path.join(dataDir, "b"), port: portB, env: { ...env, METRICS_ADDRESS: `127.0.0.1:${metricsPortB}` } });
    [cookieA, cookieB] = [await signIn(a.url, undefined, undefined, b.url), await signIn(b.url)];
    const { token } = await apiB().hosts.createJoinToken.mutate();
    // The agent lists both replicas and takes the first that answers: A.
    agent = AgentProcess.start({ url: `${a.url},${b.url}`, token, credentials: path.join(dataDir, "agent.json"), hostname: "replicated" });
    hostId = await waitFor(async () => (await apiB().hosts.list.query()).find((h) => h.name === "replicated" && h.status === "online")?.id, { timeoutMs: 20_000, what: "the host online as replica B sees it" });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    await Promise.allSettled([a?.stop(), b?.stop()]);
    await redis?.stop();
    await database?.drop();
    await removeTestContainers();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("a container run from B starts on A's agent; its state and the audit entry show on both", async () => {
    const [started] = await apiB().containers.run.mutate({ hostIds: [hostId], spec: { image: TEST_IMAGE, cmd: ["sleep", "1000"], name: "from-b", labels: { "stevedore.test": "1" } } });
    expect(started).toMatchObject({ ok: true });
    const id = started!.ok ? started!.result.id : "";
    expect(await docker(["inspect", "-f", "{{.State.Running}}", id])).toBe("true");

    for (const api of [apiA(), apiB()]) {
      await waitFor(async () => (await api.containers.list.query({ q: "from-b" })).items.find((c) => c.id === id && c.state === "running"), { what: "the running container on every replica" });
      const done = (await api.audit.list.query({ action: "container.run" })).items.find((e) => e.targetId === id);
      expect(done).toMatchObject({ phase: "succeeded", actorName: "admin@stevedore.test", hostId });
      expect((await api.audit.list.query({ requestId: done!.requestId })).items.map((e) => e.phase).sort()).toEqual(["requested", "succeeded"]);
    }

    // A change made on the host outside Stevedore reaches B through A's agent too.
    await docker(["stop", "-t", "0", id]);
    await waitFor(async () => (await apiB().containers.list.query({ q: "from-b" })).items.find((c) => c.id === id && c.state === "exited"), { what: "the stop seen on B" });
  });

  it("B's metrics count what it sees: the host online through A (its agent connected there), the bus delivering A's changes", async () => {
    const samples = await scrape(metricsB);
    expect(samples.get('stevedore_hosts{state="online"}')).toBe(1);
    expect(samples.get("stevedore_agents_connected")).toBe(0);
    expect(samples.get("stevedore_bus_lag_seconds_count")).toBeGreaterThan(0);
    expect(samples.get('stevedore_bus_rejections_total{reason="bad_signature"}')).toBe(0);
  });

  it("a terminal opened on B reaches the agent on A, and a viewer joining through A reaches the session on B", async () => {
    const [started] = await apiB().containers.run.mutate({ hostIds: [hostId], spec: { image: TEST_IMAGE, cmd: ["sleep", "1000"], name: "shell-b", labels: { "stevedore.test": "1" } } });
    const containerId = started!.ok ? started!.result.id : "";
    await waitFor(async () => (await apiB().containers.list.query({ q: "shell-b" })).items.find((c) => c.state === "running"));
    const origin = b.url;
    const { sessionId, ticket } = await apiB().terminals.open.mutate({ hostId, containerId, mode: "exec", command: ["sh"], size: { cols: 80, rows: 24 } });
    const viewer = new TerminalClient(b.url, ticket, { cookie: cookieB, origin });
    await viewer.opened();
    await waitFor(() => viewer.messages.some((m) => m.type === "hello" && !m.starting), { what: "the session to start" });
    viewer.type("echo crossed-$((6*7))\r");
    await viewer.waitForText("crossed-42");

    // The session lives on B; A lists it, gives a ticket for it, and hands the viewer's socket to B.
    expect((await apiA().terminals.list.query({ hostId, containerId })).map((s) => s.id)).toEqual([sessionId]);
    const joined = await apiA().terminals.join.mutate({ sessionId });
    const second = new TerminalClient(a.url, joined.ticket, { cookie: cookieA, origin });
    await second.opened();
    await second.waitForText("crossed-42");
    second.type("echo from-a\r");
    await viewer.waitForText("from-a");

    // Closed from A: the session on B ends for both viewers, and the close is audited once.
    await apiA().terminals.close.mutate({ sessionId });
    await waitFor(() => viewer.closed && second.closed, { what: "both viewers closed" });
    const closes = await waitFor(async () => (await apiA().audit.list.query({ action: "terminal.close" })).items.filter((e) => JSON.stringify(e.params).includes(sessionId)), { what: "the close audited" });
    expect(closes).toHaveLength(1);
  });

  it("logs read through B stream from the agent on A", async () => {
    const [started] = await apiB().containers.run.mutate({ hostIds: [hostId], spec: { image: TEST_IMAGE, cmd: ["sh", "-c", "for i in 1 2 3; do echo line-$i; done; sleep 1000"], name: "logs-b", labels: { "stevedore.test": "1" } } });
    const containerId = started!.ok ? started!.result.id : "";
    await waitFor(async () => (await apiB().containers.list.query({ q: "logs-b" })).items.find((c) => c.state === "running"));
    await waitFor(async () => (await docker(["logs", containerId])).includes("line-3"), { what: "the container's output" });
    const { ticket } = await apiB().logs.ticket.mutate({ containers: [{ hostId, containerId }] });
    const logs = new LogsClient(b.url, ticket, { cookie: cookieB, origin: b.url });
    await logs.opened();
    logs.open(1, hostId, containerId, { follow: false });
    expect(await logs.message("ended", 1)).toMatchObject({ reason: "eof" });
    expect(logs.textOf(1)).toEqual(["line-1", "line-2", "line-3"]);
    logs.close();
  });

  it("a ticket is single-use across replicas", async () => {
    const [started] = await apiB().containers.run.mutate({ hostIds: [hostId], spec: { image: TEST_IMAGE, cmd: ["sleep", "1000"], name: "shell-c", labels: { "stevedore.test": "1" } } });
    const containerId = started!.ok ? started!.result.id : "";
    const { ticket } = await apiB().terminals.open.mutate({ hostId, containerId, mode: "exec", command: ["sh"], size: { cols: 80, rows: 24 } });
    const first = new TerminalClient(a.url, ticket, { cookie: cookieB, origin: b.url });
    await first.opened();
    const replay = new TerminalClient(b.url, ticket, { cookie: cookieB, origin: b.url });
    await expect(replay.opened()).rejects.toThrow(/401/);
    first.ws.close();
  });

  it("a pull started on B is watched through A with per-layer progress until it succeeds", async () => {
    const registry = await TestRegistry.start();
    const proxy = await startSlowProxy(registry.host, 4 * 1024 * 1024);
    try {
      const ref = (await pushLayeredImage(registry, "stevedore-test/replicated:1")).replace(registry.host, proxy.host);
      const { pullId } = await apiB().images.pull.mutate({ hostIds: [hostId], reference: ref });
      const states = await followPull(a.url, cookieA, pullId);
      expect(states.at(-1)!.hosts[0]).toMatchObject({ phase: "succeeded", error: null });
      expect(states.some((s) => s.hosts[0]!.layers.some((l) => l.phase === "downloading"))).toBe(true);
    } finally {
      await proxy.close();
      await registry.stop();
    }
  });

  it("a replica that starts later is told the fleet at once", async () => {
    const c = await startControlPlaneProcess({ dataDir: path.join(dataDir, "c"), env: { REDIS_URL: redis.url, DATABASE_URL: database.url, PUBLIC_URL: b.url, AUTH_SECRET: "replica-test-secret-".repeat(3), SECRETS_KEY: "replica-test-secrets-key-".repeat(2), AUDIT_KEY: "replica-test-audit-key-".repeat(3) } });
    try {
      const api = apiClient(c.url, await signIn(c.url, undefined, undefined, b.url), b.url);
      const host = await waitFor(async () => (await api.hosts.list.query()).find((h) => h.id === hostId && h.status === "online"), { what: "the host online on the new replica" });
      expect(host.containersTotal).toBe((await apiB().hosts.list.query()).find((h) => h.id === hostId)!.containersTotal);
    } finally {
      await c.stop();
    }
  });

  it("when A dies, the agent reconnects to B and the fleet recovers; the audit trail is whole", async () => {
    const before = (await apiB().containers.list.query({ q: "from-b" })).items.map((c) => [c.id, c.state]);
    a.proc.kill("SIGKILL");
    const killedAt = Date.now();
    // B sees the host go (A's silence), then come back through its own connection, with the same state.
    await waitFor(async () => (await apiB().hosts.list.query()).find((h) => h.id === hostId && h.status === "online" && h.connectedAt! > killedAt), { timeoutMs: 30_000, what: "the host back online on B" });
    const recoveredMs = Date.now() - killedAt;
    expect(recoveredMs).toBeLessThan(20_000);
    expect((await apiB().containers.list.query({ q: "from-b" })).items.map((c) => [c.id, c.state])).toEqual(before);

    // And B can drive it directly now.
    const [started] = await apiB().containers.run.mutate({ hostIds: [hostId], spec: { image: TEST_IMAGE, cmd: ["sleep", "1000"], name: "after-failover", labels: { "stevedore.test": "1" } } });
    expect(started).toMatchObject({ ok: true });
    expect(await apiB().audit.verify.mutate()).toMatchObject({ ok: true });
  });
});
