// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SecondEngine, docker, removeTestContainers, runContainer, waitFor } from "./support/engine";
import { AgentProcess, type TestStack, apiClient, signIn, startStack } from "./support/stack";

describe("two hosts, one control plane", () => {
  let stack: TestStack;
  let api: ReturnType<typeof apiClient>;
  let engine2: SecondEngine;
  const agents: AgentProcess[] = [];
  let host1: string;
  let host2: string;

  const rowsNamed = async (name: string) => (await api.containers.list.query({ q: name })).items.filter((c) => c.name === name);

  beforeAll(async () => {
    engine2 = new SecondEngine(fs.mkdtempSync(path.join(os.tmpdir(), "stv-h2-")));
    await engine2.start();
    await engine2.loadTestImage();
    stack = await startStack();
    api = apiClient(stack.url, await signIn(stack.url));
    agents.push(
      AgentProcess.start({ url: stack.url, token: await stack.joinToken(), credentials: path.join(stack.dataDir, "a1.json"), hostname: "one" }),
      AgentProcess.start({ url: stack.url, token: await stack.joinToken(), credentials: path.join(stack.dataDir, "a2.json"), hostname: "two", socket: engine2.socket }),
    );
    const hosts = await waitFor(async () => {
      const list = await api.hosts.list.query();
      return list.filter((h) => h.status === "online").length === 2 && list;
    }, { what: "both hosts online" });
    host1 = hosts.find((h) => h.name === "one")!.id;
    host2 = hosts.find((h) => h.name === "two")!.id;
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop()));
    await stack.close();
    await removeTestContainers();
    await removeTestContainers(engine2.socket).catch(() => {});
    await engine2.stop();
    fs.rmSync(engine2.dir, { recursive: true, force: true });
  });

  it("attributes every container to the host it runs on, even with the same name on both", async () => {
    const id1 = await runContainer("stv-test-twin");
    const id2 = await runContainer("stv-test-twin", ["sleep", "100000"], engine2.socket);
    const twins = await waitFor(async () => {
      const rows = await rowsNamed("stv-test-twin");
      return rows.length === 2 && rows;
    }, { what: "both twins" });
    expect(twins.find((c) => c.id === id1)?.hostId).toBe(host1);
    expect(twins.find((c) => c.id === id2)?.hostId).toBe(host2);
    expect(twins.find((c) => c.id === id2)?.hostName).toBe("two");
    expect((await api.containers.list.query({ hostId: host2, q: "stv-test" })).items.map((c) => c.id)).toEqual([id2]);
    const h2 = await api.hosts.get.query({ hostId: host2 });
    expect(h2.engine?.dockerRootDir).toBe(path.join(engine2.dir, "data"));
  });

  it("an engine that stops shows 'engine down' while the agent stays connected, and recovers with the right state", async () => {
    await engine2.stop();
    const down = await waitFor(async () => {
      const h = await api.hosts.get.query({ hostId: host2 });
      return h.status === "engine_down" && h;
    }, { timeoutMs: 15_000, what: "engine down" });
    expect(down.engineError).toBeTruthy();
    expect((await api.hosts.get.query({ hostId: host1 })).status).toBe("online");
    expect((await rowsNamed("stv-test-twin")).find((c) => c.hostId === host2)?.live).toBe(false);

    await engine2.start();
    await waitFor(async () => (await api.hosts.get.query({ hostId: host2 })).status === "online", { timeoutMs: 20_000, what: "engine back" });
    // The daemon restart stopped the container (no restart policy): the fresh snapshot says so.
    const twin = await waitFor(async () => {
      const c = (await rowsNamed("stv-test-twin")).find((r) => r.hostId === host2);
      return c?.live && c;
    }, { what: "twin re-synced" });
    expect(twin.state).toBe("exited");
    await docker(["start", twin.id], engine2.socket);
    await waitFor(async () => (await rowsNamed("stv-test-twin")).find((r) => r.hostId === host2)?.state === "running", { what: "events flow again" });
  });
});
