import { statfsSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, runContainer } from "./support/engine";
import { subscription } from "./support/sse";
import { AgentProcess, type TestStack, apiClient, signIn, startStack } from "./support/stack";

/**
 * Two hosts (alpha-1 in group alpha, beta-1 in group beta; both on the local engine) and users who
 * see part of the fleet: what a user granted on alpha reads must hold nothing of beta-1, and env
 * values, arguments and command lines only reach those who may read the container's logs.
 */
describe("scoped visibility and secrets", () => {
  let stack: TestStack;
  const agents: AgentProcess[] = [];
  let admin: ReturnType<typeof apiClient>;
  const cookie = { admin: "", alpha: "", viewer: "", alphalogs: "", operator: "" } as Record<"admin" | "alpha" | "viewer" | "alphalogs" | "operator", string>;
  const host: Record<"alpha" | "beta", string> = { alpha: "", beta: "" };
  let containerId = "";

  async function until<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
    for (const deadline = Date.now() + 15_000; ; await new Promise((r) => setTimeout(r, 50))) {
      const v = await read();
      if (ok(v)) return v;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    }
  }

  beforeAll(async () => {
    stack = await startStack();
    cookie.admin = await signIn(stack.url);
    admin = apiClient(stack.url, cookie.admin);
    for (const group of ["alpha", "beta"] as const) {
      agents.push(AgentProcess.start({ url: stack.url, token: await stack.joinToken(), credentials: `${stack.dataDir}/${group}.json`, hostname: `${group}-1`, statsIntervalSeconds: 1 }));
      host[group] = (await until(() => admin.hosts.list.query(), (hs) => hs.some((h) => h.name === `${group}-1` && h.status === "online"), `${group}-1`)).find((h) => h.name === `${group}-1`)!.id;
      await admin.hosts.setGroups.mutate({ hostId: host[group], groups: [group] });
    }
    containerId = await runContainer(`stv-scoped-${Date.now()}`, ["sleep", "424242"], undefined, ["-e", "DB_PASSWORD=hunter2-secret", "-e", "MODE=prod"]);
    for (const hostId of Object.values(host)) await until(() => admin.containers.list.query({ hostId }), (p) => p.items.some((c) => c.id === containerId), "the container");
    const users = {
      alpha: { role: "none", grants: [{ group: "alpha", role: "viewer" }] },
      viewer: { role: "viewer", grants: [] },
      alphalogs: { role: "viewer", grants: [{ group: "alpha", role: "logs" }] },
      operator: { role: "operator", grants: [] },
    } as const;
    for (const [name, u] of Object.entries(users)) {
      const { user } = await admin.users.create.mutate({ email: `${name}@stevedore.test`, name, role: u.role, password: `${name}-password-1` });
      if (u.grants.length) await admin.users.setGrants.mutate({ userId: user.id, grants: [...u.grants] });
      cookie[name as keyof typeof cookie] = await signIn(stack.url, `${name}@stevedore.test`, `${name}-password-1`);
    }
  });

  afterAll(async () => {
    await stack.close();
    await Promise.all(agents.map((a) => a.stop()));
    await docker(["rm", "-f", containerId]).catch(() => "");
  });

  it("a user granted on alpha sees alpha's hosts, containers, images, stats and groups, and nothing of beta", async () => {
    const alpha = apiClient(stack.url, cookie.alpha);
    expect((await alpha.hosts.list.query()).map((h) => h.id)).toEqual([host.alpha]);
    expect((await alpha.hosts.groups.query()).map((g) => g.name)).toEqual(["alpha"]);
    const containers = await alpha.containers.list.query({ limit: 500 });
    expect(new Set(containers.items.map((c) => c.hostId))).toEqual(new Set([host.alpha]));
    expect(containers.total).toBe((await admin.containers.list.query({ hostId: host.alpha, limit: 500 })).total);
    expect((await alpha.containers.list.query({ hostId: host.beta })).items).toEqual([]);
    expect(new Set((await alpha.images.list.query({})).items.map((i) => i.hostId))).toEqual(new Set([host.alpha]));
    // The image page's hosts: both hosts (one engine) hold the container's image; alpha's user is told of alpha only.
    const imageId = (await admin.containers.get.query({ hostId: host.alpha, id: containerId })).container.imageId;
    expect((await admin.images.holders.query({ id: imageId })).map((h) => h.hostId).sort()).toEqual([host.alpha, host.beta].sort());
    const holders = await alpha.images.holders.query({ id: imageId });
    expect(holders.map((h) => h.hostId)).toEqual([host.alpha]);
    expect(holders[0]!.containers.map((c) => c.id)).toContain(containerId);
    // Stats: both hosts report every second; alpha's user gets alpha's figures only.
    await until(() => admin.stats.hosts.query(), (s) => host.alpha in s && host.beta in s, "both hosts' stats");
    expect(Object.keys(await alpha.stats.hosts.query())).toEqual([host.alpha]);
    const top = await until(() => alpha.stats.top.query({ limit: 50 }), (t) => t.byMemory.length > 0, "top consumers");
    expect(new Set([...top.byCpu, ...top.byMemory].map((e) => e.hostId))).toEqual(new Set([host.alpha]));
  });

  it("the overview counts only the hosts the caller sees, names a container that failed, and has the engine's disk", async () => {
    const failed = await runContainer(`stv-scoped-fail-${Date.now()}`, ["sh", "-c", "exit 3"]);
    await until(() => admin.containers.list.query({ hostId: host.alpha, limit: 500 }), (p) => p.items.some((c) => c.id === failed && c.state === "exited"), "the failed container");
    const alpha = apiClient(stack.url, cookie.alpha);
    const mine = await until(() => alpha.overview.get.query(), (o) => o.pressure[0]?.disk != null, "alpha's disk figure");
    expect(mine.hosts).toMatchObject({ total: 1, online: 1, offline: 0 });
    expect(mine.pressure.map((h) => h.id)).toEqual([host.alpha]);
    const engine = (await admin.containers.list.query({ hostId: host.alpha, limit: 500 })).total;
    expect(mine.containers.total).toBe(engine);
    expect(mine.problems.filter((p) => p.id === failed)).toEqual([expect.objectContaining({ hostId: host.alpha, problem: "exited with an error", exitCode: 3 })]);
    expect(mine.problems.every((p) => p.hostId === host.alpha)).toBe(true);
    // The agent's figure is the engine data directory's filesystem, as statfs sees it here.
    const root = (await docker(["info", "-f", "{{.DockerRootDir}}"])).trim();
    const fs = statfsSync(root);
    expect(mine.pressure[0]!.disk!).toBeCloseTo(1 - fs.bavail / fs.blocks, 1);
    const everything = await admin.overview.get.query();
    expect(everything.hosts.total).toBe(2);
    expect(everything.containers.total).toBe(2 * engine);
    await docker(["rm", "-f", failed]);
  });

  it("a direct id on beta is refused without naming the host", async () => {
    const alpha = apiClient(stack.url, cookie.alpha);
    for (const call of [
      () => alpha.hosts.get.query({ hostId: host.beta }),
      () => alpha.containers.get.query({ hostId: host.beta, id: containerId }),
      () => alpha.stats.container.query({ hostId: host.beta, id: containerId }),
      () => alpha.images.layerTree.query({ hostId: host.beta }),
    ]) {
      const err = await call().then(() => null, (e: Error) => e);
      expect(err?.message).toBe(`you have no access to host ${host.beta}`);
    }
  });

  it("the audit trail and its export hold only alpha's entries; fleet-wide entries are admins'", async () => {
    const start = { action: "start" as const };
    await admin.containers.operate.mutate({ targets: [{ hostId: host.alpha, id: containerId }, { hostId: host.beta, id: containerId }], operation: start });
    const alpha = apiClient(stack.url, cookie.alpha);
    const mine = (await alpha.audit.list.query({ limit: 500 })).items;
    expect(mine.some((e) => e.action === "container.start" && e.hostId === host.alpha)).toBe(true);
    expect(mine.filter((e) => e.hostId !== host.alpha)).toEqual([]);
    expect((await alpha.audit.list.query({ hostId: host.beta })).items).toEqual([]);
    // The admin sees fleet-wide entries (user.create) and beta's.
    const all = (await admin.audit.list.query({ limit: 500 })).items;
    expect(all.some((e) => e.action === "user.create")).toBe(true);
    expect(all.some((e) => e.hostId === host.beta)).toBe(true);
    const csv = await (await fetch(`${stack.url}/api/audit/export?format=jsonl`, { headers: { cookie: cookie.alpha } })).text();
    const lines = csv.trim().split("\n").map((l) => JSON.parse(l) as { hostId: string | null; action: string });
    expect(lines.length).toBeGreaterThan(0);
    expect(lines.filter((e) => e.hostId !== host.alpha)).toEqual([]);
    // The rows (one per request) hold the same: whole requests of alpha's, none of beta's.
    const rows = (await alpha.audit.groups.query({ limit: 500 })).rows;
    expect(rows.some((r) => r.entries[0]!.action === "container.start" && r.entries.some((e) => e.phase === "succeeded"))).toBe(true);
    expect(rows.flatMap((r) => r.entries).filter((e) => e.hostId !== host.alpha)).toEqual([]);
    expect((await alpha.audit.groups.query({ hostId: host.beta })).rows).toEqual([]);
    // The export is itself audited, for the admin to see.
    const exports = (await admin.audit.list.query({ action: "audit.export" })).items;
    expect(exports.find((e) => e.phase === "succeeded" && e.actorName === "alpha@stevedore.test")).toBeDefined();
  });

  it("recordings: a user sees only the sessions they opened, not others' on a host they see; the admin sees all", async () => {
    const opened = await admin.terminals.open.mutate({ hostId: host.alpha, containerId, mode: "exec", command: ["sh"], size: { cols: 80, rows: 24 } });
    await admin.terminals.close.mutate({ sessionId: opened.sessionId });
    const listed = await until(() => admin.recordings.list.query({ hostId: host.alpha }), (l) => l.items.some((r) => r.sessionId === opened.sessionId), "the admin's recording");
    expect(listed.items.find((r) => r.sessionId === opened.sessionId)).toMatchObject({ openedBy: "admin@stevedore.test", hostId: host.alpha, containerId });
    for (const who of ["alpha", "alphalogs", "viewer", "operator"] as const) {
      expect((await apiClient(stack.url, cookie[who]).recordings.list.query({})).items, who).toEqual([]);
      expect((await apiClient(stack.url, cookie[who]).recordings.list.query({ sessionId: opened.sessionId })).items, who).toEqual([]);
    }
  });

  it("fleet.changes sends nothing about a host the caller cannot see", async () => {
    const controller = new AbortController();
    const events = subscription(stack.url, cookie.alpha, "fleet.changes", undefined, controller.signal);
    /** The next batch's hosts (the stream's first event, "connected", carries none). */
    const hostsIn = async (): Promise<string[]> => {
      for (;;) {
        const { value } = await events.next();
        const batch = (value as { json?: unknown } | undefined)?.json;
        if (Array.isArray(batch)) return (batch as { hostId: string }[]).map((c) => c.hostId);
      }
    };
    // Alpha changes until the stream shows one: from then on it is listening.
    const first = hostsIn();
    for (let n = 0; !(await Promise.race([first.then(() => true), new Promise((r) => setTimeout(() => r(false), 100))])); n++) {
      await admin.hosts.setGroups.mutate({ hostId: host.alpha, groups: ["alpha", `alpha-${n}`] });
    }
    // Beta changes, then alpha: in order, so beta's change would be in the next batch (or one before alpha's).
    await admin.hosts.setGroups.mutate({ hostId: host.beta, groups: ["beta", "beta-2"] });
    await admin.hosts.setGroups.mutate({ hostId: host.alpha, groups: ["alpha"] });
    const next = await hostsIn();
    controller.abort();
    expect(new Set(next)).toEqual(new Set([host.alpha]));
  });

  it("env values, arguments and command lines only for those who may read the logs there", async () => {
    const secretsIn = (v: unknown) => /hunter2|424242/.test(JSON.stringify(v));
    const viewer = apiClient(stack.url, cookie.viewer);
    const detail = await viewer.containers.get.query({ hostId: host.beta, id: containerId });
    expect(secretsIn(detail)).toBe(false);
    expect(detail.container.redacted).toBe(true);
    expect(detail.container.command).toBe("sleep <redacted>");
    const env = (detail.inspect as { Config: { Env: string[] } }).Config.Env;
    expect(env).toEqual(expect.arrayContaining(["DB_PASSWORD=<redacted>", "MODE=<redacted>"]));
    expect(secretsIn(await viewer.containers.top.query({ hostId: host.beta, id: containerId }))).toBe(false);
    expect(secretsIn(await viewer.containers.list.query({ limit: 500 }))).toBe(false);
    // A logs grant on alpha reads them on alpha, not on beta; an operator reads them everywhere.
    const logs = apiClient(stack.url, cookie.alphalogs);
    expect(secretsIn(await logs.containers.get.query({ hostId: host.alpha, id: containerId }))).toBe(true);
    expect(secretsIn(await logs.containers.get.query({ hostId: host.beta, id: containerId }))).toBe(false);
    const operator = apiClient(stack.url, cookie.operator);
    const full = await operator.containers.get.query({ hostId: host.beta, id: containerId });
    expect(full.container.redacted).toBe(false);
    expect((full.inspect as { Config: { Env: string[] } }).Config.Env).toContain("DB_PASSWORD=hunter2-secret");
    expect((await operator.containers.top.query({ hostId: host.beta, id: containerId })).processes.some((p) => p.join(" ").includes("sleep 424242"))).toBe(true);
  });
});
