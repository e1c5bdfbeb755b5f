import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_ENROLL_PATH } from "@stevedore/protocol";
import { highestRole, mayReadLogs, mayUseTerminal, roleOnHost } from "../server/access/roles";
import { TEST_IMAGE, TEST_LABEL, docker, removeTestContainers } from "./support/engine";
import { type StackWithHost, apiClient, signIn, startStackWithHost, tokenClient } from "./support/stack";

describe("role on a host from the fleet-wide role and group grants", () => {
  const carol = { role: "viewer" as const, grants: [{ group: "staging", role: "operator" as const }] };

  it("raises the role on the group's hosts only, never lowers it, and caps a token", () => {
    expect(roleOnHost(carol, ["staging", "eu"])).toBe("operator");
    expect(roleOnHost(carol, ["prod"])).toBe("viewer");
    expect(roleOnHost(carol, [])).toBe("viewer");
    expect(roleOnHost({ role: "admin", grants: carol.grants }, ["prod"])).toBe("admin");
    expect(roleOnHost({ ...carol, ceiling: "viewer" }, ["staging"])).toBe("viewer");
    expect(highestRole(carol)).toBe("operator");
    expect(highestRole({ ...carol, ceiling: "viewer" })).toBe("viewer");
    expect(highestRole({ role: "viewer", grants: [] })).toBe("viewer");
  });

  it("gives terminals only by a terminal grant (on a group or on every host) or to admins, never to a token", () => {
    const dev = { role: "operator" as const, grants: [{ group: "staging", role: "terminal" as const }] };
    expect(mayUseTerminal(dev, ["staging"])).toBe(true);
    expect(mayUseTerminal(dev, ["prod"])).toBe(false);
    expect(mayUseTerminal({ role: "operator", grants: [] }, ["staging"])).toBe(false);
    expect(mayUseTerminal({ role: "viewer", grants: [{ group: "*", role: "terminal" }] }, [])).toBe(true);
    expect(roleOnHost({ role: "viewer", grants: [{ group: "*", role: "terminal" }] }, ["prod"])).toBe("operator");
    expect(mayUseTerminal({ role: "admin", grants: [] }, [])).toBe(true);
    expect(mayUseTerminal({ role: "admin", grants: [], ceiling: "admin" }, [])).toBe(false);
  });

  it("a logs grant reads logs on its hosts and nothing more: it never makes an operator", () => {
    const vera = { role: "viewer" as const, grants: [{ group: "staging", role: "logs" as const }] };
    expect(roleOnHost(vera, ["staging"])).toBe("viewer");
    expect(highestRole(vera)).toBe("viewer");
    expect(mayUseTerminal(vera, ["staging"])).toBe(false);
    expect(mayReadLogs(vera, ["staging"])).toBe(true);
    expect(mayReadLogs(vera, ["prod"])).toBe(false);
    expect(mayReadLogs({ role: "viewer", grants: [{ group: "*", role: "logs" }] }, ["prod"])).toBe(true);
    // A logs grant beside an operator grant elsewhere: operator only where that grant applies.
    const mixed = { role: "viewer" as const, grants: [{ group: "staging", role: "logs" as const }, { group: "eu", role: "operator" as const }] };
    expect(roleOnHost(mixed, ["staging"])).toBe("viewer");
    expect(roleOnHost(mixed, ["eu"])).toBe("operator");
    expect(highestRole(mixed)).toBe("operator");
  });

  it("operators and admins read logs; viewers only by grant; a token only if its own role is operator or above", () => {
    expect(mayReadLogs({ role: "viewer", grants: [] }, ["staging"])).toBe(false);
    expect(mayReadLogs({ role: "operator", grants: [] }, [])).toBe(true);
    expect(mayReadLogs({ role: "admin", grants: [] }, [])).toBe(true);
    expect(mayReadLogs({ role: "viewer", grants: [{ group: "staging", role: "operator" }] }, ["staging"])).toBe(true);
    expect(mayReadLogs({ role: "viewer", grants: [{ group: "staging", role: "terminal" }] }, ["staging"])).toBe(true);
    expect(mayReadLogs({ role: "admin", grants: [], ceiling: "viewer" }, [])).toBe(false);
    expect(mayReadLogs({ role: "operator", grants: [], ceiling: "operator" }, [])).toBe(true);
    // A token's own role is operator, its owner a viewer with a logs grant: the grant counts.
    expect(mayReadLogs({ role: "viewer", grants: [{ group: "staging", role: "logs" }], ceiling: "operator" }, ["staging"])).toBe(true);
    expect(mayReadLogs({ role: "viewer", grants: [{ group: "staging", role: "logs" }], ceiling: "viewer" }, ["staging"])).toBe(false);
  });
});

describe("host groups and per-group grants", () => {
  let h: StackWithHost;
  let carol: ReturnType<typeof apiClient>;
  let carolId: string;
  let prodId: string;
  const spec = { image: TEST_IMAGE, cmd: ["sleep", "1000"], labels: { "stevedore.test": "1" } };

  beforeAll(async () => {
    await removeTestContainers();
    h = await startStackWithHost("grants-staging");
    // A second host in the fleet ("prod"); it needs no agent: refusals happen before any agent is asked.
    const res = await fetch(`${h.stack.url}${AGENT_ENROLL_PATH}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ token: await h.stack.joinToken(), hostname: "grants-prod" }),
    });
    expect(res.status).toBe(201);
    prodId = (await h.api.hosts.list.query()).find((x) => x.name === "grants-prod")!.id;
    const created = await h.api.users.create.mutate({ email: "carol@stevedore.test", name: "Carol", role: "viewer", password: "carol-password-1" });
    carolId = created.user.id;
    carol = apiClient(h.stack.url, await signIn(h.stack.url, "carol@stevedore.test", "carol-password-1"));
  });
  afterAll(async () => {
    await h.agent.stop();
    await h.stack.close();
    await removeTestContainers();
  });

  it("an admin labels hosts and grants a viewer operator on staging; groups are validated and audited", async () => {
    await expect(h.api.hosts.setGroups.mutate({ hostId: h.hostId, groups: ["Not valid!"] })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    expect(await h.api.hosts.setGroups.mutate({ hostId: h.hostId, groups: ["Staging", "eu", "staging"] })).toEqual({ groups: ["eu", "staging"] });
    await h.api.hosts.setGroups.mutate({ hostId: prodId, groups: ["prod"] });
    await h.api.users.setGrants.mutate({ userId: carolId, grants: [{ group: "staging", role: "operator" }] });
    await expect(h.api.users.setGrants.mutate({ userId: carolId, grants: [{ group: "prod", role: "admin" as never }] })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });

    expect(await h.api.hosts.groups.query()).toEqual([
      { name: "eu", hosts: 1, grants: 0 },
      { name: "prod", hosts: 1, grants: 0 },
      { name: "staging", hosts: 1, grants: 1 },
    ]);
    const users = await h.api.users.list.query();
    expect(users.find((u) => u.id === carolId)?.grants).toEqual([{ group: "staging", role: "operator" }]);
    const audit = await h.stack.cp.services.audit.list({ action: "host.set-groups" });
    expect(audit.items.map((e) => e.targetName)).toEqual(["grants-prod", "grants-staging"]);
    expect((await h.stack.cp.services.audit.list({ action: "user.set-grants" })).items[0]).toMatchObject({ targetName: "carol@stevedore.test" });

    // Held in memory for checks, and persisted for the next start.
    expect(h.stack.cp.services.fleet.hostGroups(h.hostId)).toEqual(["eu", "staging"]);
    const row = await h.stack.cp.services.db.host.findUniqueOrThrow({ where: { id: h.hostId }, include: { groups: true } });
    expect(row.groups.map((g) => g.group).sort()).toEqual(["eu", "staging"]);
  });

  it("the grantee sees their role per host and may run and act on staging, not on prod", async () => {
    const me = await carol.me.get.query();
    expect(me).toMatchObject({ role: "viewer", highestRole: "operator", grants: [{ group: "staging", role: "operator" }] });
    const access = Object.fromEntries((await carol.hosts.list.query()).map((x) => [x.name, x.access]));
    expect(access).toEqual({ "grants-staging": "operator", "grants-prod": "viewer" });

    const [started] = await carol.containers.run.mutate({ hostIds: [h.hostId], spec: { ...spec, name: "carol-on-staging" } });
    expect(started).toMatchObject({ ok: true });
    const id = started!.ok ? started!.result.id : "";
    expect(await docker(["inspect", "-f", "{{.State.Running}}", id])).toBe("true");

    // Both hosts at once: refused as a whole, naming prod, and nothing started on staging.
    await expect(carol.containers.run.mutate({ hostIds: [h.hostId, prodId], spec: { ...spec, name: "carol-both" } })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
      message: expect.stringContaining("grants-prod"),
    });
    expect(await docker(["ps", "-aq", "--filter", "name=carol-both"])).toBe("");
    await expect(carol.containers.operate.mutate({ targets: [{ hostId: prodId, id: "a".repeat(64) }], operation: { action: "kill" } })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

    const [stopped] = await carol.containers.operate.mutate({ targets: [{ hostId: h.hostId, id }], operation: { action: "kill", signal: "SIGKILL" } });
    expect(stopped).toMatchObject({ ok: true });
    const rows = await carol.containers.list.query({ group: "staging", q: "carol-on-staging" });
    expect(rows.items.map((c) => [c.name, c.access])).toEqual([["carol-on-staging", "operator"]]);
    expect((await carol.containers.list.query({ group: "prod" })).total).toBe(0);
    // Admin operations stay out of reach.
    await expect(carol.hosts.setGroups.mutate({ hostId: prodId, groups: ["staging"] })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });

  it("a token made by the grantee is operator on staging at most; moving the host or dropping the grant takes effect at once", async () => {
    const { token } = await carol.tokens.create.mutate({ name: "staging deploy", role: "operator" });
    await expect(carol.tokens.create.mutate({ name: "too much", role: "admin" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    const api = tokenClient(h.stack.url, token);
    const [ok] = await api.containers.run.mutate({ hostIds: [h.hostId], spec: { ...spec, name: "carol-token" } });
    expect(ok).toMatchObject({ ok: true });
    await expect(api.containers.run.mutate({ hostIds: [prodId], spec })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

    // Staging host moved to prod: the grant no longer covers it.
    await h.api.hosts.setGroups.mutate({ hostId: h.hostId, groups: ["prod"] });
    await expect(carol.containers.run.mutate({ hostIds: [h.hostId], spec })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await h.api.hosts.setGroups.mutate({ hostId: h.hostId, groups: ["staging"] });
    expect((await carol.hosts.get.query({ hostId: h.hostId })).access).toBe("operator");

    // Grant dropped: the user and their token are back to viewer everywhere.
    await h.api.users.setGrants.mutate({ userId: carolId, grants: [] });
    await expect(carol.containers.run.mutate({ hostIds: [h.hostId], spec })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(api.containers.operate.mutate({ targets: [{ hostId: h.hostId, id: "a".repeat(64) }], operation: { action: "kill" } })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    expect(await docker(["ps", "-aq", "--filter", `label=${TEST_LABEL}`, "--filter", "name=carol"])).not.toBe("");
  });
});
