// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, removeTestContainers, runContainer, waitFor } from "./support/engine";
import { AgentProcess, type TestStack, apiClient, signIn, startStack } from "./support/stack";

/** `docker stats --no-stream` for one container: memory used and PIDs as the CLI shows them. */
async function dockerStats(name: string): Promise<{ memoryBytes: number; pids: number }> {
  const line = await docker(["stats", "--no-stream", "--format", "{{.MemUsage}}|{{.PIDs}}", name]);
  const [mem, pids] = line.split("|");
  const m = /^([\d.]+)([KMG]i?B|B)/.exec(mem!.trim())!;
  const unit = { B: 1, KiB: 1024, MiB: 1024 ** 2, GiB: 1024 ** 3, kB: 1000, KB: 1000, MB: 1e6, GB: 1e9 }[m[2]!] ?? 1;
  return { memoryBytes: Number(m[1]) * unit, pids: Number(pids) };
}

describe("container stats, batched per host, and filesystem diffs", () => {
  let stack: TestStack;
  let api: ReturnType<typeof apiClient>;
  let agent: AgentProcess;
  let hostId: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await removeTestContainers();
    ids.busy = await runContainer("stats-busy", ["sh", "-c", "while :; do :; done"]);
    ids.idle = await runContainer("stats-idle", ["sh", "-c", "head -c 24m /dev/zero > /dev/shm/fill; sleep 100000"], undefined, ["--memory", "64m", "--shm-size", "48m"]);
    stack = await startStack();
    api = apiClient(stack.url, await signIn(stack.url));
    agent = AgentProcess.start({ url: stack.url, token: await stack.joinToken(), credentials: path.join(stack.dataDir, "agent.json"), hostname: "stats-host", statsIntervalSeconds: 1 });
    hostId = await waitFor(async () => (await api.hosts.list.query()).find((h) => h.status === "online")?.id, { timeoutMs: 15_000, what: "the host online" });
  });
  afterAll(async () => {
    await agent.stop();
    await stack.close();
    await removeTestContainers();
  });

  it("computes CPU from consecutive samples: a busy loop near one core, a sleeper near zero", async () => {
    const busy = await waitFor(async () => {
      const s = await api.stats.container.query({ hostId, id: ids.busy! });
      return s.points.filter((p) => p.cpuPercent !== null).length >= 3 && s;
    }, { timeoutMs: 15_000, what: "three CPU samples" });
    expect(busy.intervalMs).toBe(1000);
    const cpu = busy.points.filter((p) => p.cpuPercent !== null).map((p) => p.cpuPercent!);
    expect(Math.max(...cpu.slice(-2))).toBeGreaterThan(50);
    expect(Math.max(...cpu)).toBeLessThan(210);
    const idle = (await api.stats.container.query({ hostId, id: ids.idle! })).latest!;
    expect(idle.cpuPercent).toBeLessThan(5);
  });

  it("reports memory, its limit and PIDs as `docker stats --no-stream` does", async () => {
    const cli = await dockerStats("stats-idle");
    const ours = (await api.stats.container.query({ hostId, id: ids.idle! })).latest!;
    expect(ours.memoryLimitBytes).toBe(64 * 1024 * 1024);
    // The 24 MiB in /dev/shm count as used memory; both read within a second of each other.
    expect(ours.memoryBytes).toBeGreaterThan(20 * 1024 * 1024);
    expect(Math.abs(ours.memoryBytes - cli.memoryBytes)).toBeLessThan(2 * 1024 * 1024);
    expect(ours.pids).toBe(cli.pids);
  });

  it("sends one message per host per interval, with host totals and the fleet's top consumers", async () => {
    let batches = 0;
    const count = () => batches++;
    stack.cp.services.stats.changes.on("stats", count);
    await new Promise((r) => setTimeout(r, 3_200));
    stack.cp.services.stats.changes.off("stats", count);
    // Two containers, one message a second: three or four, not one per container.
    expect(batches).toBeGreaterThanOrEqual(2);
    expect(batches).toBeLessThanOrEqual(4);
    const totals = (await api.stats.hosts.query())[hostId]!;
    expect(totals.containers).toBe(2);
    expect(totals.cpuPercent).toBeGreaterThan(50);
    const top = await api.stats.top.query({ limit: 5 });
    expect(top.byCpu[0]).toMatchObject({ name: "stats-busy", hostName: "stats-host" });
    expect(top.byMemory[0]).toMatchObject({ name: "stats-idle" });
    expect((await api.stats.host.query({ hostId })).totals.length).toBeGreaterThanOrEqual(3);
  });

  it("lists the writable layer's changes against the image as `docker diff` does", async () => {
    const id = await runContainer("diff-me", ["sleep", "100000"]);
    await docker(["exec", "diff-me", "sh", "-c", "mkdir -p /data/a && echo x > /data/a/b.txt && rm /bin/vi && echo changed > /etc/motd"]);
    const { changes, truncated } = await api.containers.diff.query({ hostId, id });
    expect(truncated).toBe(false);
    const cli = (await docker(["diff", "diff-me"])).split("\n").map((l) => `${{ A: "added", C: "changed", D: "deleted" }[l[0]!]} ${l.slice(2)}`);
    expect(changes.map((c) => `${c.kind} ${c.path}`).sort()).toEqual(cli.sort());
    expect(changes).toEqual(expect.arrayContaining([{ path: "/data/a/b.txt", kind: "added" }, { path: "/bin/vi", kind: "deleted" }, { path: "/bin", kind: "changed" }]));
    await expect(api.stats.container.query({ hostId: "host_gone", id })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  });

  it("a container without changes has an empty list (the engine answers null)", async () => {
    const id = await runContainer("diff-none", ["sleep", "100000"]);
    expect(await docker(["diff", "diff-none"])).toBe("");
    expect(await api.containers.diff.query({ hostId, id })).toEqual({ changes: [], truncated: false });
  });
});
