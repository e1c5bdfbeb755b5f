// Once per run: the engine, the agent and the protocol are what this tests; the database work on its way (hosts, audit entries) is proven on PostgreSQL by the files that test it (scripts/test.sh).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, removeTestContainers, TEST_IMAGE, waitFor } from "./support/engine";
import { AgentProcess, type TestStack, apiClient, signIn, startStackWithHost } from "./support/stack";

const LABELS = { "stevedore.test": "1" };

describe("running and managing containers", () => {
  let stack: TestStack;
  let api: ReturnType<typeof apiClient>;
  let viewer: ReturnType<typeof apiClient>;
  let agent: AgentProcess;
  let hostId: string;
  let credentials: string;

  const inspect = async (id: string) => JSON.parse(await docker(["inspect", id]))[0];
  const run = (spec: Record<string, unknown>) => api.containers.run.mutate({ hostIds: [hostId], spec: { image: TEST_IMAGE, labels: LABELS, ...spec } as never });
  const operate = (id: string, operation: Record<string, unknown>) => api.containers.operate.mutate({ targets: [{ hostId, id }], operation: operation as never });
  const trail = async (requestId: string) => (await api.audit.list.query({ requestId })).items.reverse();

  beforeAll(async () => {
    await removeTestContainers();
    ({ stack, api, agent, hostId, credentials } = await startStackWithHost("runner"));
    await stack.cp.services.auth.api.createUser({ body: { email: "viewer@stevedore.test", password: "viewer-password-1", name: "viewer", role: "viewer" } });
    viewer = apiClient(stack.url, await signIn(stack.url, "viewer@stevedore.test", "viewer-password-1"));
  });
  afterAll(async () => {
    await agent.stop();
    await stack.close();
    await removeTestContainers();
  });

  it("runs with the settings a recreate keeps (networks, healthcheck, user, workdir, CPUs, stop settings), and containers.spec reads the same spec back", async () => {
    await docker(["network", "create", "--label", "stevedore.test=1", "stv-test-net-a"]);
    await docker(["network", "create", "--label", "stevedore.test=1", "stv-test-net-b"]);
    try {
      const spec = {
        name: "stv-test-spec",
        cmd: ["sleep", "100000"],
        env: ["MODE=prod"],
        hostname: "spec-host",
        user: "1000:1000",
        workingDir: "/tmp",
        cpus: 0.5,
        networks: [{ name: "stv-test-net-a", aliases: ["api"] }, { name: "stv-test-net-b", aliases: [] }],
        healthcheck: { test: ["CMD-SHELL", "true"], intervalSeconds: 5, retries: 2 },
        stopSignal: "SIGINT",
        stopTimeoutSeconds: 25,
        ports: [{ containerPort: 80, hostIp: "127.0.0.1", protocol: "tcp" }],
      };
      const [result] = await run(spec);
      expect(result?.ok).toBe(true);
      if (!result?.ok) return;
      const engine = await inspect(result.result.id);
      expect(engine.Config).toMatchObject({ Hostname: "spec-host", User: "1000:1000", WorkingDir: "/tmp", StopSignal: "SIGINT", StopTimeout: 25, Healthcheck: { Test: ["CMD-SHELL", "true"], Interval: 5e9, Retries: 2 } });
      expect(engine.HostConfig).toMatchObject({ NanoCpus: 5e8, NetworkMode: "stv-test-net-a" });
      expect(engine.NetworkSettings.Networks["stv-test-net-a"].Aliases).toContain("api");
      expect(Object.keys(engine.NetworkSettings.Networks).sort()).toEqual(["stv-test-net-a", "stv-test-net-b"]);

      const read = await api.containers.spec.query({ hostId, id: result.result.id });
      expect(read.unsupported).toEqual([]);
      expect(read.spec).toMatchObject({ ...spec, labels: LABELS, ports: [{ containerPort: 80, hostIp: "127.0.0.1", protocol: "tcp" }] });
      // The spec holds env values: viewers are refused it.
      await expect(viewer.containers.spec.query({ hostId, id: result.result.id })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
      await operate(result.result.id, { action: "remove", force: true });
    } finally {
      await docker(["network", "rm", "stv-test-net-a", "stv-test-net-b"]).catch(() => undefined);
    }
  });

  it("runs a container with limits, init, env and labels; the engine has them and the audit trail links request to result", async () => {
    const [result] = await run({
      name: "stv-test-run",
      cmd: ["sleep", "100000"],
      memoryBytes: 64 * 1024 * 1024,
      memorySwapBytes: 128 * 1024 * 1024,
      cpuShares: 512,
      init: true,
      env: ["MODE=prod", "DB_PASSWORD=hunter2"],
      restartPolicy: { name: "on-failure", maximumRetryCount: 3 },
    });
    expect(result?.ok).toBe(true);
    if (!result?.ok) return;
    expect(result.result.name).toBe("stv-test-run");
    expect(result.result.imageId).toMatch(/^sha256:/);
    expect(result.result.command).toBe(
      "docker run -d --name stv-test-run --init --cpu-shares 512 --memory 64m --memory-swap 128m --restart on-failure:3 -e MODE=prod -e DB_PASSWORD=hunter2 --label stevedore.test=1 stevedore-test/busybox:latest sleep 100000",
    );

    const info = await inspect(result.result.id);
    expect(info.State.Running).toBe(true);
    expect(info.HostConfig.Memory).toBe(67108864);
    expect(info.HostConfig.MemorySwap).toBe(134217728);
    expect(info.HostConfig.CpuShares).toBe(512);
    expect(info.HostConfig.Init).toBe(true);
    expect(info.HostConfig.RestartPolicy).toEqual({ Name: "on-failure", MaximumRetryCount: 3 });
    expect(info.Config.Env).toContain("DB_PASSWORD=hunter2");
    expect(info.Config.Labels["io.stevedore.started-by"]).toBe("admin@stevedore.test");
    expect(info.Config.Labels["io.stevedore.request-id"]).toBe(result.requestId);

    const entries = await trail(result.requestId);
    expect(entries.map((e) => e.phase)).toEqual(["requested", "succeeded"]);
    expect(entries[1]).toMatchObject({ action: "container.run", actorName: "admin@stevedore.test", actorType: "user", hostId, hostName: "runner", targetId: result.result.id, targetName: "stv-test-run" });
    expect(entries[0]!.sourceIp).toBeTruthy();
    const params = JSON.parse(entries[1]!.params!);
    expect(params.env).toEqual(["MODE=prod", "DB_PASSWORD=[redacted]"]);
    expect(params.imageId).toBe(result.result.imageId);
    expect(entries[1]!.params).not.toContain("hunter2");
  });

  it("reports the engine's errors in its own words with the matching code, and audits the failure", async () => {
    await expect(run({ name: "stv-test-run" })).rejects.toMatchObject({ data: { code: "CONFLICT" }, message: expect.stringMatching(/already in use/) });
    await expect(run({ image: "stevedore-test/nothing-here:1.0" })).rejects.toMatchObject({ data: { code: "NOT_FOUND" }, message: expect.stringMatching(/No such image/i) });
    await expect(run({ memoryBytes: 1024 })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" }, message: expect.stringMatching(/memory/i) });
    await expect(run({ image: "Not A Ref!" })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" }, message: expect.stringMatching(/image reference/) });
    const failed = (await api.audit.list.query({ phase: "failed", action: "container.run" })).items;
    expect(failed.map((e) => e.error).join("\n")).toMatch(/already in use[\s\S]*|No such image/);
  });

  it("stop sends SIGTERM, then SIGKILL after the timeout to a process that ignores it", async () => {
    const [r] = await run({ name: "stv-test-stubborn", cmd: ["sh", "-c", "trap '' TERM; while :; do sleep 0.2; done"] });
    const id = r!.ok ? r!.result.id : "";
    const started = Date.now();
    const [stopped] = await operate(id, { action: "stop", timeoutSeconds: 2 });
    expect(stopped?.ok).toBe(true);
    expect(Date.now() - started).toBeGreaterThanOrEqual(2_000);
    expect((await inspect(id)).State.ExitCode).toBe(137);
  });

  it("kill delivers the chosen signal to a process that traps it", async () => {
    const [r] = await run({ name: "stv-test-usr1", cmd: ["sh", "-c", "trap 'exit 42' USR1; while :; do sleep 0.2; done"] });
    const id = r!.ok ? r!.result.id : "";
    await operate(id, { action: "kill", signal: "SIGUSR1" });
    await waitFor(async () => (await inspect(id)).State.Status === "exited", { what: "exited" });
    expect((await inspect(id)).State.ExitCode).toBe(42);
    await expect(operate(id, { action: "kill" })).rejects.toMatchObject({ data: { code: "CONFLICT" }, message: expect.stringMatching(/is not running/) });
  });

  it("start, pause, unpause, restart, rename and remove change the engine's state", async () => {
    const [r] = await run({ name: "stv-test-life", cmd: ["sleep", "100000"] });
    const id = r!.ok ? r!.result.id : "";
    expect((await operate(id, { action: "start" }))[0]).toMatchObject({ ok: true, result: { changed: false } });
    await operate(id, { action: "pause" });
    expect((await inspect(id)).State.Paused).toBe(true);
    await operate(id, { action: "unpause" });
    expect((await inspect(id)).State.Paused).toBe(false);
    const before = (await inspect(id)).State.StartedAt;
    await operate(id, { action: "restart", timeoutSeconds: 0 });
    expect((await inspect(id)).State.StartedAt).not.toBe(before);
    await operate(id, { action: "rename", name: "stv-test-renamed" });
    expect((await inspect(id)).Name).toBe("/stv-test-renamed");
    await expect(operate(id, { action: "remove" })).rejects.toMatchObject({ data: { code: "CONFLICT" } });
    await operate(id, { action: "remove", force: true, removeVolumes: true });
    await expect(docker(["inspect", id])).rejects.toThrow(/No such/);
  });

  it("acts on a selection: each target reports on its own and a failure hides no success", async () => {
    const [a] = await run({ name: "stv-test-sel-a", cmd: ["sleep", "100000"] });
    const [b] = await run({ name: "stv-test-sel-b", cmd: ["sleep", "100000"] });
    const ids = [a, b].map((r) => (r!.ok ? r!.result.id : ""));
    const results = await api.containers.operate.mutate({
      targets: [{ hostId, id: ids[0]! }, { hostId, id: "e".repeat(64) }, { hostId, id: ids[1]! }],
      operation: { action: "kill", signal: "SIGKILL" },
    });
    expect(results.map((r) => r.ok)).toEqual([true, false, true]);
    expect(results[1]).toMatchObject({ ok: false, error: { code: "not_found", message: expect.stringMatching(/No such container/) } });
  });

  it("refuses viewers on the server", async () => {
    await expect(viewer.containers.run.mutate({ hostIds: [hostId], spec: { image: TEST_IMAGE } })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(viewer.containers.operate.mutate({ targets: [{ hostId, id: "a".repeat(64) }], operation: { action: "kill" } })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(viewer.audit.verify.mutate()).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });

  it("an agent gone mid-request leaves the outcome unknown, never a guessed failure, and its snapshot settles it", async () => {
    const [r] = await run({ name: "stv-test-unknown", cmd: ["sh", "-c", "trap '' TERM; while :; do sleep 0.2; done"] });
    const id = r!.ok ? r!.result.id : "";
    const stopping = operate(id, { action: "stop", timeoutSeconds: 3 }).then(() => "answered", (e: Error) => e.message);
    const requested = await waitFor(async () => (await api.audit.list.query({ targetId: id, action: "container.stop" })).items.find((e) => e.phase === "requested"), { what: "the stop to be requested" });
    await agent.stop("SIGKILL");
    expect(await stopping).toBe("the host's agent disconnected before answering");
    expect((await trail(requested.requestId)).map((e) => e.phase)).toEqual(["requested", "unknown"]);
    // The engine goes on without the agent; back, the agent's snapshot says what happened.
    agent = AgentProcess.start({ url: stack.url, credentials, hostname: "runner" });
    const settled = await waitFor(async () => (await trail(requested.requestId)).find((e) => e.phase === "succeeded" || e.phase === "failed"), { timeoutMs: 20_000, what: "the outcome to be settled" });
    const running = (await inspect(id)).State.Running as boolean;
    expect(settled.phase).toBe(running ? "failed" : "succeeded");
    expect(JSON.parse(settled.params!).settled).toMatch(/^outcome settled from the host's (state|snapshot after it reconnected)$/);
    expect(settled.actorName).toBe(requested.actorName);
  });
});
