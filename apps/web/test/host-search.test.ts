// Once per run: nothing here depends on which database the control plane uses.
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { enroll } from "../../../agent/src/credentials";
import { SimAgent } from "../../../bench/support/sim-agent";
import { waitFor } from "./support/engine";
import { type TestStack, apiClient, signIn, startStack } from "./support/stack";

/**
 * The paged hosts query (hosts.search) over 24 enrolled hosts, 16 of them online through the fleet
 * simulator (2 containers each): search, sort, counts, paging boundaries, scoping to a group grant,
 * and its input limits.
 */
describe("hosts.search: one page of the hosts, searched, sorted and counted on the server", () => {
  let stack: TestStack;
  let admin: ReturnType<typeof apiClient>;
  let edgeViewer: ReturnType<typeof apiClient>;
  const agents: SimAgent[] = [];
  const ids = new Map<string, string>();
  // web-00 … web-11 (group "edge"), db-00 … db-11 (group "core"); the first 8 of each connect.
  const names = [...Array.from({ length: 12 }, (_, i) => `web-${String(i).padStart(2, "0")}`), ...Array.from({ length: 12 }, (_, i) => `db-${String(i).padStart(2, "0")}`)];

  beforeAll(async () => {
    stack = await startStack();
    admin = apiClient(stack.url, await signIn(stack.url));
    for (const name of names) {
      const creds = await enroll(stack.url, await stack.joinToken(), name);
      ids.set(name, creds.hostId);
      await admin.hosts.setGroups.mutate({ hostId: creds.hostId, groups: [name.startsWith("web") ? "edge" : "core"] });
      // Hosts 00-07 connect; web-03 with 5 containers, so the containers sort has a clear top.
      if (Number(name.slice(-2)) < 8) agents.push(new SimAgent(stack.url, creds.hostId, creds.credential, name, name === "web-03" ? 5 : 2));
    }
    for (const a of agents) a.connect();
    await waitFor(async () => (await admin.hosts.search.query({ status: "online" })).total === 16, { timeoutMs: 30_000, what: "16 hosts online" });
    const { user } = await admin.users.create.mutate({ email: "edge@stevedore.test", name: "edge", role: "none", password: "edge-password-1" });
    await admin.users.setGrants.mutate({ userId: user.id, grants: [{ group: "edge", role: "viewer" }] });
    edgeViewer = apiClient(stack.url, await signIn(stack.url, "edge@stevedore.test", "edge-password-1"));
  });
  afterAll(async () => {
    for (const a of agents) a.stop();
    await stack.close();
  });

  it("counts by status, pages by name with stable boundaries, and carries the caller's role", async () => {
    const first = await admin.hosts.search.query({ limit: 10 });
    expect(first.total).toBe(24);
    expect(first.byStatus).toEqual({ all: 24, online: 16, engine_down: 0, offline: 8 });
    expect(first.items.map((h) => h.name)).toEqual(["db-00", "db-01", "db-02", "db-03", "db-04", "db-05", "db-06", "db-07", "db-08", "db-09"]);
    expect(first.items[0]).toMatchObject({ access: "admin", status: "online", containersTotal: 2, groups: ["core"] });
    const last = await admin.hosts.search.query({ limit: 10, offset: 20 });
    expect(last.items.map((h) => h.name)).toEqual(["web-08", "web-09", "web-10", "web-11"]);
    expect((await admin.hosts.search.query({ limit: 10, offset: 24 })).items).toEqual([]);
    const desc = await admin.hosts.search.query({ limit: 3, dir: "desc" });
    expect(desc.items.map((h) => h.name)).toEqual(["web-11", "web-10", "web-09"]);
  });

  it("searches name, address, OS and groups, filters by status and group, and sorts by status, containers and last seen", async () => {
    expect((await admin.hosts.search.query({ q: "web-1" })).items.map((h) => h.name)).toEqual(["web-10", "web-11"]);
    // Groups and the OS the agent reported are words too; several words must all match.
    expect((await admin.hosts.search.query({ q: "edge simulated" })).total).toBe(8);
    expect((await admin.hosts.search.query({ q: "group:core", status: "offline" })).items.map((h) => h.name)).toEqual(["db-08", "db-09", "db-10", "db-11"]);
    const core = await admin.hosts.search.query({ group: "core", status: "online", limit: 2 });
    expect(core).toMatchObject({ total: 8, byStatus: { all: 12, online: 8, offline: 4 } });
    expect((await admin.hosts.search.query({ q: "nothing-like-this" })).byStatus.all).toBe(0);
    expect((await admin.hosts.search.query({ sort: "status", dir: "desc", limit: 1 })).items[0]).toMatchObject({ status: "offline", name: "web-11" });
    expect((await admin.hosts.search.query({ sort: "containers", dir: "desc", limit: 1 })).items[0]!.name).toBe("web-03");
    const bySeen = await admin.hosts.search.query({ sort: "seen", dir: "desc", limit: 24 });
    expect(bySeen.items.slice(16).every((h) => h.status === "offline")).toBe(true);
    // A picker resolves the names of what it holds by id.
    const picked = await admin.hosts.search.query({ ids: [ids.get("db-05")!, ids.get("web-07")!] });
    expect(picked.items.map((h) => h.name)).toEqual(["db-05", "web-07"]);
  });

  it("a user granted on group edge finds edge's hosts only, by any search, and may operate on none", async () => {
    const all = await edgeViewer.hosts.search.query({ limit: 100 });
    expect(all.byStatus).toEqual({ all: 12, online: 8, engine_down: 0, offline: 4 });
    expect(all.items.every((h) => h.name.startsWith("web-") && h.access === "viewer")).toBe(true);
    expect((await edgeViewer.hosts.search.query({ q: "db" })).total).toBe(0);
    expect((await edgeViewer.hosts.search.query({ ids: [ids.get("db-00")!] })).items).toEqual([]);
    expect((await edgeViewer.hosts.search.query({ operable: true })).total).toBe(0);
    expect((await admin.hosts.search.query({ operable: true })).total).toBe(24);
  });

  it("refuses input past its limits in words", async () => {
    await expect(admin.hosts.search.query({ limit: 501 })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(admin.hosts.search.query({ q: "x".repeat(501) })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(admin.hosts.search.query({ ids: Array.from({ length: 501 }, (_, i) => `h${i}`) })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(admin.hosts.search.query({ offset: -1 })).rejects.toMatchObject({ message: expect.stringMatching(/0/) });
  });
});
