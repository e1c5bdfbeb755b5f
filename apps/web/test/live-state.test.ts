// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_SILENCE_LIMIT_MS, containerStatus } from "@stevedore/protocol";
import { docker, removeTestContainers, runContainer, waitFor } from "./support/engine";
import { AgentProcess, type TestStack, apiClient, startStackWithHost } from "./support/stack";

describe("live view of one host", () => {
  let stack: TestStack;
  let api: ReturnType<typeof apiClient>;
  let agent: AgentProcess;
  let hostId: string;
  let credentials: string;
  let preexisting: string;

  const find = async (name: string) => (await api.containers.list.query({ q: name })).items.find((c) => c.name === name);

  beforeAll(async () => {
    await removeTestContainers();
    preexisting = await runContainer("stv-test-before", ["sh", "-c", "exit 7"]);
    ({ stack, api, agent, hostId, credentials } = await startStackWithHost("live"));
  });
  afterAll(async () => {
    await agent.stop();
    await stack.close();
    await removeTestContainers();
  });

  it("the snapshot holds containers that existed before the agent connected, in the engine's words", async () => {
    const c = await waitFor(() => find("stv-test-before"), { what: "snapshot row" });
    expect(c.id).toBe(preexisting);
    expect(c).toMatchObject({ state: "exited", exitCode: 7, hostId, hostName: "live", image: "stevedore-test/busybox:latest", command: "sh -c 'exit 7'", live: true });
  });

  it("a container started with the docker CLI appears running within 2 s, then stops and is removed live", async () => {
    const started = Date.now();
    const id = await runContainer("stv-test-live");
    const running = await waitFor(async () => {
      const c = await find("stv-test-live");
      return c?.state === "running" && c;
    }, { timeoutMs: 2_000, intervalMs: 20, what: "running row" });
    expect(running.id).toBe(id);
    expect(Date.now() - started).toBeLessThan(2_000);

    await docker(["kill", "-s", "KILL", id]);
    const exited = await waitFor(async () => {
      const c = await find("stv-test-live");
      return c?.state === "exited" && c;
    }, { timeoutMs: 2_000, intervalMs: 20, what: "exited row" });
    expect(exited.exitCode).toBe(137);
    expect(containerStatus(exited)).toMatch(/^Exited \(137\) (Less than a second|\d+ seconds?) ago$/);

    await docker(["rm", id]);
    await waitFor(async () => !(await find("stv-test-live")), { timeoutMs: 2_000, intervalMs: 20, what: "row removed" });
  });

  it("status text matches the engine's own Status for every container", async () => {
    await runContainer("stv-test-up");
    await runContainer("stv-test-paused");
    await docker(["pause", "stv-test-paused"]);
    await docker(["create", "--name", "stv-test-created", "--label", "stevedore.test=1", "stevedore-test/busybox:latest"]);
    await waitFor(async () => (await find("stv-test-created")) && (await find("stv-test-paused"))?.state === "paused", { what: "rows" });

    const engine = JSON.parse(`[${(await docker(["ps", "-a", "--no-trunc", "--format", "{{json .}}"])).split("\n").join(",")}]`) as { ID: string; Status: string }[];
    const now = Date.now();
    const rows = (await api.containers.list.query({ limit: 500 })).items;
    for (const e of engine) {
      const row = rows.find((r) => r.id === e.ID);
      expect(row, e.ID).toBeTruthy();
      // The engine rendered its text a moment ago; allow that moment to cross a second boundary.
      expect([containerStatus(row!, now), containerStatus(row!, now - 1000)]).toContain(e.Status);
    }
    await docker(["unpause", "stv-test-paused"]);
  });

  it("filters and pages on the server, with counts by state", async () => {
    const all = await api.containers.list.query({ q: "stv-test" });
    expect(all.byState.running).toBeGreaterThanOrEqual(2);
    expect(all.byState.created).toBe(1);
    expect(all.byState.exited).toBe(1);
    const running = await api.containers.list.query({ q: "stv-test", state: "running" });
    expect(running.items.every((c) => c.state === "running")).toBe(true);
    const page = await api.containers.list.query({ q: "stv-test", limit: 2, sort: "name", dir: "asc" });
    expect(page.items.map((c) => c.name)).toEqual(["stv-test-before", "stv-test-created"]);
    expect(page.total).toBe(all.total);
    expect((await api.containers.list.query({ hostId: "host_nope" })).total).toBe(0);
  });

  it("reads inspect and top live from the host, and reports the engine's errors in its words", async () => {
    const c = (await find("stv-test-up"))!;
    const detail = await api.containers.get.query({ hostId, id: c.id });
    expect((detail.inspect as { Id: string }).Id).toBe(c.id);
    const top = await api.containers.top.query({ hostId, id: c.id });
    expect(top.titles).toContain("PID");
    expect(top.processes.some((p) => p.join(" ").includes("sleep 100000"))).toBe(true);

    const created = (await find("stv-test-created"))!;
    await expect(api.containers.top.query({ hostId, id: created.id })).rejects.toThrow(/is not running/);
    await expect(api.containers.get.query({ hostId, id: "f".repeat(64) })).rejects.toThrow(/no such container/);
  });

  it("a frozen agent's host goes offline within the silence limit without a close (its socket stops answering pings), and comes back with the right state", async () => {
    // SIGSTOP freezes the agent with its socket open: only liveness pings can notice.
    agent.proc.kill("SIGSTOP");
    const frozenAt = Date.now();
    const limit = AGENT_SILENCE_LIMIT_MS + 1_500;
    await waitFor(async () => (await api.hosts.get.query({ hostId })).status === "offline", { timeoutMs: limit, intervalMs: 200, what: "offline" });
    expect(Date.now() - frozenAt).toBeLessThan(limit);
    expect((await find("stv-test-up"))?.live).toBe(false);

    // While it is away, the host changes; the fresh snapshot after reconnecting must show it.
    await docker(["rm", "-f", "stv-test-up"]);
    await runContainer("stv-test-while-away");
    agent.proc.kill("SIGCONT");
    await waitFor(async () => (await api.hosts.get.query({ hostId })).status === "online", { timeoutMs: 70_000, intervalMs: 200, what: "online again" });
    await waitFor(async () => (await find("stv-test-while-away"))?.state === "running" && !(await find("stv-test-up")), { what: "state re-synced" });
  });

  it("a killed agent shows offline at once, and a restarted one re-syncs", async () => {
    await agent.stop("SIGKILL");
    await waitFor(async () => (await api.hosts.get.query({ hostId })).status === "offline", { timeoutMs: 2_000, what: "offline" });
    await docker(["rm", "-f", "stv-test-while-away"]);
    agent = AgentProcess.start({ url: stack.url, credentials });
    await waitFor(async () => (await api.hosts.get.query({ hostId })).status === "online", { what: "online" });
    await waitFor(async () => !(await find("stv-test-while-away")), { what: "removed container gone" });
  });
});
