import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, removeTestContainers, runContainer, waitFor } from "./support/engine";
import { AgentProcess, type TestStack, apiClient, startStackWithHost } from "./support/stack";

describe("changes made on the host, outside Stevedore", () => {
  let stack: TestStack;
  let api: ReturnType<typeof apiClient>;
  let agent: AgentProcess;
  let credentials: string;
  let hostId: string;

  const observed = async (targetId: string) =>
    (await api.audit.list.query({ targetId, phase: "observed", limit: 100 })).items.reverse().map((e) => ({ action: e.action, params: JSON.parse(e.params ?? "{}") as Record<string, unknown>, actor: e.actorName, type: e.actorType }));

  beforeAll(async () => {
    await removeTestContainers();
    ({ stack, api, agent, hostId, credentials } = await startStackWithHost("observed"));
  });
  afterAll(async () => {
    await agent.stop();
    await stack.close();
    await removeTestContainers();
  });

  it("records docker CLI run, stop and rm as done on the host, outside Stevedore", async () => {
    const id = await runContainer("stv-test-cli", ["sh", "-c", "trap '' TERM; while :; do sleep 0.2; done"]);
    await docker(["stop", "-t", "1", id]);
    await docker(["rm", id]);
    const entries = await waitFor(async () => {
      const list = await observed(id);
      return list.some((e) => e.action === "container.destroy") && list;
    }, { what: "observed entries" });
    expect(entries.map((e) => e.action)).toEqual([
      "container.create",
      "container.start",
      "container.kill",
      "container.kill",
      "container.die",
      "container.stop",
      "container.destroy",
    ]);
    expect(entries[2]!.params.signal).toBe("SIGTERM");
    expect(entries[3]!.params.signal).toBe("SIGKILL");
    expect(entries[4]!.params.exitCode).toBe(137);
    expect(entries.every((e) => e.type === "host" && e.actor === "on the host, outside Stevedore")).toBe(true);
  });

  it("does not record Stevedore's own actions a second time", async () => {
    const [run] = await api.containers.run.mutate({ hostIds: [hostId], spec: { image: "stevedore-test/busybox:latest", cmd: ["sleep", "1000"], labels: { "stevedore.test": "1" } } });
    const id = run!.ok ? run!.result.id : "";
    await api.containers.operate.mutate({ targets: [{ hostId, id }], operation: { action: "kill", signal: "SIGKILL" } });
    await docker(["start", id]); // done outside Stevedore: this one must be recorded
    await waitFor(async () => (await observed(id)).length > 0, { what: "the CLI start" });
    await new Promise((r) => setTimeout(r, 500));
    expect((await observed(id)).map((e) => e.action)).toEqual(["container.start"]);
  });

  it("recovers what happened while the agent was away, once", async () => {
    await agent.stop("SIGKILL");
    await waitFor(async () => (await api.hosts.get.query({ hostId })).status === "offline", { what: "offline" });
    const id = await runContainer("stv-test-while-away");
    await docker(["rm", "-f", id]);

    agent = AgentProcess.start({ url: stack.url, credentials });
    const entries = await waitFor(async () => {
      const list = await observed(id);
      return list.some((e) => e.action === "container.destroy") && list;
    }, { what: "replayed entries" });
    expect(entries.map((e) => e.action)).toEqual(["container.create", "container.start", "container.kill", "container.die", "container.destroy"]);

    // A second reconnect replays from the saved cursor: nothing is recorded twice.
    await agent.stop("SIGKILL");
    agent = AgentProcess.start({ url: stack.url, credentials });
    await waitFor(async () => (await api.hosts.get.query({ hostId })).status === "online", { what: "online again" });
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await observed(id)).length).toBe(5);
    expect((await api.audit.list.query({ action: "container.create", phase: "observed", limit: 500 })).items.filter((e) => e.targetName === "stv-test-cli")).toHaveLength(1);
    expect(await api.audit.verify.mutate()).toMatchObject({ ok: true });
  });
});
