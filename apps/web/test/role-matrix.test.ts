import { afterAll, beforeAll, describe, expect, it } from "vitest";
import superjson from "superjson";
import { AGENT_ENROLL_PATH } from "@stevedore/protocol";
import type { AccessRule } from "../server/trpc/init";
import { appRouter } from "../server/trpc/root";
import { TEST_IMAGE, docker, runContainer } from "./support/engine";
import { AgentProcess, type TestStack, apiClient, signIn, startStack } from "./support/stack";

/**
 * Who may call each procedure. Every procedure of the router must be listed, with the rule its
 * builder declares: a new one fails here until someone decides, and a changed rule must change here.
 * `ownerOnly`: besides the rule, only the thing's owner (or an admin) may (the fixtures are the admin's).
 * `refusedFor`: callers the handler refuses by its own rule, named there.
 */
const ABSENT = "f".repeat(64);

const RULES: Record<string, AccessRule & { ownerOnly?: true; refusedFor?: readonly string[] }> = {
  "me.get": { kind: "signed-in" },
  "me.preferences": { kind: "signed-in" },
  "me.setPreferences": { kind: "signed-in" },
  "me.changePassword": { kind: "signed-in", browserOnly: true },
  "terminals.open": { kind: "hosts", permission: "terminal" },
  "terminals.join": { kind: "hosts", permission: "terminal" },
  "terminals.list": { kind: "hosts", permission: "view" },
  "terminals.close": { kind: "hosts", permission: "view", ownerOnly: true },
  "logs.ticket": { kind: "hosts", permission: "logs" },
  "logs.targets": { kind: "hosts", permission: "view" },
  "settings.terminal": { kind: "fleet", min: "admin" },
  "settings.setTerminal": { kind: "fleet", min: "admin" },
  "settings.images": { kind: "signed-in" },
  "settings.setImages": { kind: "fleet", min: "admin" },
  "settings.runPolicy": { kind: "fleet", min: "admin" },
  "settings.setRunPolicy": { kind: "fleet", min: "admin" },
  "settings.updatePolicy": { kind: "fleet", min: "admin" },
  "settings.setUpdatePolicy": { kind: "fleet", min: "admin" },
  "hosts.list": { kind: "signed-in" },
  "hosts.search": { kind: "signed-in" },
  "hosts.get": { kind: "hosts", permission: "view" },
  "hosts.networks": { kind: "hosts", permission: "view" },
  "hosts.createJoinToken": { kind: "fleet", min: "admin" },
  "hosts.joinTokens": { kind: "fleet", min: "admin" },
  "hosts.revokeJoinToken": { kind: "fleet", min: "admin" },
  "hosts.revoke": { kind: "fleet", min: "admin" },
  "hosts.revoked": { kind: "fleet", min: "admin" },
  "hosts.groups": { kind: "signed-in" },
  "hosts.setGroups": { kind: "fleet", min: "admin" },
  "containers.list": { kind: "signed-in" },
  "containers.get": { kind: "hosts", permission: "view" },
  "containers.top": { kind: "hosts", permission: "view" },
  "containers.diff": { kind: "hosts", permission: "view" },
  "containers.spec": { kind: "hosts", permission: "operate" },
  "containers.run": { kind: "hosts", permission: "operate" },
  "containers.operate": { kind: "hosts", permission: "operate" },
  "containers.runPolicy": { kind: "hosts", permission: "view" },
  "containers.recreate": { kind: "hosts", permission: "operate" },
  "containers.update": { kind: "hosts", permission: "operate" },
  "containers.rollback": { kind: "hosts", permission: "operate" },
  "containers.rollout": { kind: "hosts", permission: "view" },
  "stats.container": { kind: "hosts", permission: "view" },
  "stats.hosts": { kind: "signed-in" },
  "stats.host": { kind: "hosts", permission: "view" },
  "stats.top": { kind: "signed-in" },
  "overview.get": { kind: "signed-in" },
  "updates.list": { kind: "signed-in" },
  "updates.schedule": { kind: "signed-in" },
  "updates.check": { kind: "hosts", permission: "operate" },
  "fleet.changes": { kind: "signed-in" },
  "images.list": { kind: "signed-in" },
  "images.missing": { kind: "hosts", permission: "view" },
  "images.inspect": { kind: "hosts", permission: "view" },
  "images.holders": { kind: "signed-in" },
  "images.layerTree": { kind: "hosts", permission: "view" },
  "images.usage": { kind: "hosts", permission: "view" },
  "images.prunePreview": { kind: "hosts", permission: "view" },
  "images.pull": { kind: "hosts", permission: "operate" },
  "images.pullProgress": { kind: "hosts", permission: "view" },
  "images.cancelPull": { kind: "hosts", permission: "operate", ownerOnly: true },
  "images.remove": { kind: "hosts", permission: "operate" },
  "images.tag": { kind: "hosts", permission: "operate" },
  "images.prune": { kind: "hosts", permission: "operate" },
  "volumes.list": { kind: "signed-in" },
  "volumes.inspect": { kind: "hosts", permission: "view" },
  "volumes.create": { kind: "hosts", permission: "operate" },
  "volumes.remove": { kind: "hosts", permission: "operate" },
  "volumes.prunePreview": { kind: "hosts", permission: "view" },
  "volumes.prune": { kind: "hosts", permission: "operate" },
  "networks.list": { kind: "signed-in" },
  "networks.inspect": { kind: "hosts", permission: "view" },
  "networks.create": { kind: "hosts", permission: "operate" },
  "networks.remove": { kind: "hosts", permission: "operate" },
  "networks.prunePreview": { kind: "hosts", permission: "view" },
  "networks.prune": { kind: "hosts", permission: "operate" },
  "registries.list": { kind: "signed-in" },
  "registries.add": { kind: "fleet", min: "admin" },
  "registries.update": { kind: "fleet", min: "admin" },
  "registries.remove": { kind: "fleet", min: "admin" },
  "registries.test": { kind: "fleet", min: "admin" },
  "registries.repositories": { kind: "signed-in" },
  "registries.tags": { kind: "signed-in" },
  "registries.tagDetails": { kind: "signed-in" },
  "audit.list": { kind: "signed-in" },
  "audit.groups": { kind: "signed-in" },
  "recordings.list": { kind: "signed-in", browserOnly: true },
  "audit.verify": { kind: "fleet", min: "admin" },
  "audit.checkpoint": { kind: "fleet", min: "admin" },
  "tokens.list": { kind: "signed-in" },
  // A token carries at most its maker's highest role: "nobody" has none to give.
  "tokens.create": { kind: "signed-in", browserOnly: true, refusedFor: ["nobody"] },
  "tokens.revoke": { kind: "signed-in", browserOnly: true },
  "users.list": { kind: "fleet", min: "admin" },
  "users.create": { kind: "fleet", min: "admin" },
  "users.setRole": { kind: "fleet", min: "admin" },
  "users.setGrants": { kind: "fleet", min: "admin" },
  "users.disable": { kind: "fleet", min: "admin" },
  "users.enable": { kind: "fleet", min: "admin" },
  "users.resetPassword": { kind: "fleet", min: "admin" },
  "twoFactor.status": { kind: "signed-in" },
  "twoFactor.policy": { kind: "fleet", min: "admin" },
  "twoFactor.setPolicy": { kind: "fleet", min: "admin" },
  "twoFactor.enrolled": { kind: "fleet", min: "admin" },
  "twoFactor.reset": { kind: "fleet", min: "admin" },
  "alerts.list": { kind: "signed-in" },
  "alerts.firingCount": { kind: "signed-in" },
  "alerts.get": { kind: "hosts", permission: "view" },
  "alerts.deliveries": { kind: "hosts", permission: "view" },
  "alerts.acknowledge": { kind: "hosts", permission: "operate" },
  "alerts.silence": { kind: "hosts", permission: "operate" },
  "alerts.rules": { kind: "fleet", min: "admin" },
  "alerts.addRule": { kind: "fleet", min: "admin" },
  "alerts.updateRule": { kind: "fleet", min: "admin" },
  "alerts.removeRule": { kind: "fleet", min: "admin" },
  "alerts.channels": { kind: "fleet", min: "admin" },
  "alerts.addChannel": { kind: "fleet", min: "admin" },
  "alerts.updateChannel": { kind: "fleet", min: "admin" },
  "alerts.removeChannel": { kind: "fleet", min: "admin" },
  "alerts.testChannel": { kind: "fleet", min: "admin" },
  "sso.get": { kind: "fleet", min: "admin" },
  "sso.setPolicy": { kind: "fleet", min: "admin" },
  "sso.saveProvider": { kind: "fleet", min: "admin" },
  "sso.removeProvider": { kind: "fleet", min: "admin" },
};

/** Callers: fleet-wide roles, and users with no fleet-wide access granted on group "alpha" only. */
// The admin last: its calls may use up a fixture (close a session, revoke the spare host).
const CALLERS = ["operator", "viewer", "nobody", "alphaOperator", "alphaViewer", "admin"] as const;
type Caller = (typeof CALLERS)[number];

/** What each caller may do on a host of group alpha ("A") and of group beta ("B"). */
const PERMITS: Record<Caller, Record<"A" | "B", readonly string[]>> = {
  admin: { A: ["view", "operate", "logs", "terminal"], B: ["view", "operate", "logs", "terminal"] },
  operator: { A: ["view", "operate", "logs"], B: ["view", "operate", "logs"] },
  viewer: { A: ["view"], B: ["view"] },
  nobody: { A: [], B: [] },
  alphaOperator: { A: ["view", "operate", "logs"], B: [] },
  alphaViewer: { A: ["view"], B: [] },
};

interface Fixture {
  hostIds: Record<"A" | "B", string>;
  spareHostId: string;
  containerId: string;
  imageId: string;
  pullIds: Record<"A" | "B", string>;
  rolloutIds: Record<"A" | "B", string>;
  sessionIds: Record<"A" | "B", string>;
  registryId: string;
  dummyUserId: string;
  adminTokenId: string;
  alertIds: Record<"A" | "B", string>;
  alertRuleId: string;
  alertChannelId: string;
}

let unique = 0;
/** A valid input for each procedure, aimed at host A or B: valid, so the per-host check is what refuses. */
function validInput(path: string, f: Fixture, on: "A" | "B"): unknown {
  const hostId = f.hostIds[on];
  const n = ++unique;
  const container = { hostId, id: f.containerId };
  const inputs: Record<string, unknown> = {
    "me.setPreferences": { detachKeys: "ctrl-p,ctrl-q" },
    "me.changePassword": { currentPassword: "not-the-current-password", newPassword: `a-new-password-${n}` },
    "terminals.open": { hostId, containerId: f.containerId, mode: "exec", command: ["sh"], size: { cols: 80, rows: 24 } },
    "terminals.join": { sessionId: f.sessionIds[on] },
    "terminals.list": { hostId },
    "terminals.close": { sessionId: f.sessionIds[on] },
    "logs.ticket": { containers: [{ hostId, containerId: f.containerId }] },
    "logs.targets": { containers: [{ hostId, containerId: f.containerId }] },
    "settings.setTerminal": {},
    "settings.setImages": {},
    "settings.setRunPolicy": { fleet: { mode: "none" }, groups: [] },
    "settings.setUpdatePolicy": { fleet: { policy: "notify", window: null }, groups: [] },
    "hosts.get": { hostId },
    "hosts.networks": { hostId },
    "hosts.revoke": { hostId: f.spareHostId },
    // One that is not there: who may revoke is what is tested.
    "hosts.revokeJoinToken": { tokenId: ABSENT },
    "hosts.setGroups": { hostId: f.spareHostId, groups: ["spare"] },
    "containers.list": {},
    "hosts.search": {},
    "containers.get": container,
    "containers.top": container,
    "containers.diff": container,
    "containers.spec": container,
    "containers.run": { hostIds: [hostId], spec: { image: TEST_IMAGE, cmd: ["true"], labels: { "stevedore.test": "1", "stevedore.matrix": "1" } } },
    "containers.operate": { targets: [container], operation: { action: "start" } },
    "containers.runPolicy": { hostIds: [hostId] },
    // A container that is not there: the access check is what is tested, not a recreate of the fixture.
    "containers.recreate": { hostId, id: ABSENT, spec: { image: TEST_IMAGE, labels: { "stevedore.test": "1", "stevedore.matrix": "1" } } },
    "containers.update": { targets: [{ hostId, id: ABSENT }] },
    "containers.rollback": { hostId, id: ABSENT },
    "containers.rollout": { rolloutId: f.rolloutIds[on] },
    "stats.container": container,
    "stats.host": { hostId },
    "stats.top": {},
    "updates.check": { hostIds: [hostId] },
    "images.list": {},
    "images.missing": { hostIds: [hostId], reference: "stevedore-test/absent:1" },
    "images.inspect": { hostId, id: f.imageId },
    "images.holders": { id: f.imageId },
    "images.layerTree": { hostId },
    "images.usage": { hostId },
    "images.prunePreview": { hostId, all: false },
    "images.pull": { hostIds: [hostId], reference: "127.0.0.1:1/matrix/absent:1" },
    "images.pullProgress": { pullId: f.pullIds[on] },
    "images.cancelPull": { pullId: f.pullIds[on] },
    "images.remove": { hostId, ref: "stevedore-test/absent:1" },
    "images.tag": { hostId, id: f.imageId, target: { repository: "stevedore-test/matrix", tag: `t${n}` } },
    "images.prune": { hostId, all: false },
    "volumes.list": {},
    // Ones that are not there: who may remove or prune is what is tested, not the engine's other volumes.
    "volumes.inspect": { hostId, name: "stv-matrix-absent" },
    "volumes.create": { hostId, volume: { name: `stv-matrix-vol-${process.pid}-${n}`, labels: { "stevedore.matrix": "1" } } },
    "volumes.remove": { hostId, name: "stv-matrix-absent" },
    "volumes.prunePreview": { hostId },
    "volumes.prune": { hostId, names: ["stv-matrix-absent"] },
    "networks.list": {},
    "networks.inspect": { hostId, id: "stv-matrix-absent" },
    "networks.create": { hostId, network: { name: `stv-matrix-net-${process.pid}-${n}`, labels: { "stevedore.matrix": "1" } } },
    "networks.remove": { hostId, id: "stv-matrix-absent" },
    "networks.prunePreview": { hostId },
    "networks.prune": { hostId, ids: ["stv-matrix-absent"] },
    "registries.add": { name: `matrix-${n}`, address: `127.0.0.1:${10_000 + n}`, insecure: true },
    "registries.update": { id: f.registryId, registry: { name: "matrix", address: "127.0.0.1:1", insecure: true } },
    "registries.remove": { id: f.registryId },
    "registries.test": { registry: { name: "draft", address: "127.0.0.1:1", insecure: true } },
    "registries.repositories": { id: f.registryId },
    "registries.tags": { id: f.registryId, repository: "team/app" },
    "registries.tagDetails": { id: f.registryId, repository: "team/app", tags: ["1"] },
    "audit.list": {},
    "audit.groups": {},
    "recordings.list": {},
    "tokens.create": { name: `matrix ${n}`, role: "viewer" },
    "tokens.revoke": { id: f.adminTokenId },
    "users.create": { email: `matrix-${n}@stevedore.test`, name: "Matrix", role: "viewer" },
    "users.setRole": { userId: f.dummyUserId, role: "viewer" },
    "users.setGrants": { userId: f.dummyUserId, grants: [] },
    "users.disable": { userId: f.dummyUserId },
    "users.enable": { userId: f.dummyUserId },
    "users.resetPassword": { userId: f.dummyUserId },
    "twoFactor.setPolicy": {},
    // The dummy has no factor: who may reset is what is tested (the handler then says there is none).
    "twoFactor.reset": { userId: f.dummyUserId },
    "alerts.list": {},
    "alerts.get": { alertId: f.alertIds[on] },
    "alerts.deliveries": { alertId: f.alertIds[on] },
    "alerts.acknowledge": { alertId: f.alertIds[on] },
    "alerts.silence": { alertId: f.alertIds[on], minutes: 5 },
    "alerts.addRule": { name: `matrix rule ${n}`, kind: "container.exit" },
    "alerts.updateRule": { id: f.alertRuleId, rule: { name: "matrix rule", kind: "container.exit", enabled: false } },
    "alerts.removeRule": { id: f.alertRuleId },
    "alerts.addChannel": { name: `matrix channel ${n}`, kind: "webhook", secrets: { url: "http://127.0.0.1:1/hook" } },
    "alerts.updateChannel": { id: f.alertChannelId, channel: { name: "matrix channel", kind: "webhook" } },
    "alerts.removeChannel": { id: f.alertChannelId },
    "alerts.testChannel": { channel: { name: "draft", kind: "webhook", secrets: { url: "http://127.0.0.1:1/hook" } } },
    "sso.setPolicy": {},
    "sso.saveProvider": { id: `matrix-${n}`, name: "Matrix", issuer: "https://idp.stevedore.test", clientId: "matrix", clientSecret: "matrix-secret" },
    // One that is not there: who may remove is what is tested.
    "sso.removeProvider": { id: "absent" },
  };
  return inputs[path];
}

describe("authorization matrix: every procedure × every caller, with valid inputs", () => {
  let stack: TestStack;
  const agents: AgentProcess[] = [];
  const cookies: Partial<Record<Caller | "anonymous", string>> = { anonymous: "" };
  let f: Fixture;
  const procedures = appRouter._def.procedures as unknown as Record<string, { _def: { type: "query" | "mutation" | "subscription"; meta?: { access?: AccessRule } } }>;

  async function hostOnline(api: ReturnType<typeof apiClient>, name: string): Promise<string> {
    for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
      const host = (await api.hosts.list.query()).find((h) => h.name === name && h.status === "online");
      if (host) return host.id;
    }
    throw new Error(`${name} did not come online`);
  }

  beforeAll(async () => {
    stack = await startStack();
    cookies.admin = await signIn(stack.url);
    const admin = apiClient(stack.url, cookies.admin);
    const ids: Record<string, string> = {};
    for (const [on, group] of [["A", "alpha"], ["B", "beta"]] as const) {
      const name = `matrix-${on.toLowerCase()}`;
      agents.push(AgentProcess.start({ url: stack.url, token: await stack.joinToken(), credentials: `${stack.dataDir}/agent-${on}.json`, hostname: name }));
      ids[on] = await hostOnline(admin, name);
      await admin.hosts.setGroups.mutate({ hostId: ids[on]!, groups: [group] });
    }
    const enrolled = await fetch(`${stack.url}${AGENT_ENROLL_PATH}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: await stack.joinToken(), hostname: "matrix-spare" }) });
    const spareHostId = ((await enrolled.json()) as { hostId: string }).hostId;
    const containerId = await runContainer(`stv-matrix-${Date.now()}`);
    for (const on of ["A", "B"] as const) {
      for (const deadline = Date.now() + 10_000; !(await admin.containers.list.query({ hostId: ids[on] })).items.some((c) => c.id === containerId); ) {
        if (Date.now() > deadline) throw new Error("the container did not show up");
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    const users: Record<string, { role: string; grants: { group: string; role: "operator" | "viewer" }[] }> = {
      operator: { role: "operator", grants: [] },
      viewer: { role: "viewer", grants: [] },
      nobody: { role: "none", grants: [] },
      alphaOperator: { role: "none", grants: [{ group: "alpha", role: "operator" }] },
      alphaViewer: { role: "none", grants: [{ group: "alpha", role: "viewer" }] },
    };
    for (const [caller, u] of Object.entries(users)) {
      const email = `${caller.toLowerCase()}@stevedore.test`;
      const { user } = await admin.users.create.mutate({ email, name: caller, role: u.role as "viewer", password: `${caller}-password-1` });
      if (u.grants.length) await admin.users.setGrants.mutate({ userId: user.id, grants: u.grants });
      cookies[caller as Caller] = await signIn(stack.url, email, `${caller}-password-1`);
    }
    const dummy = await admin.users.create.mutate({ email: "dummy@stevedore.test", name: "Dummy", role: "viewer" });
    const pull = async (hostId: string) => (await admin.images.pull.mutate({ hostIds: [hostId], reference: "127.0.0.1:1/matrix/absent:1" })).pullId;
    const rollout = async (hostId: string) => (await admin.containers.rollback.mutate({ hostId, id: ABSENT })).rolloutId;
    const session = async (hostId: string) => (await admin.terminals.open.mutate({ hostId, containerId, mode: "exec", command: ["sh"], size: { cols: 80, rows: 24 } })).sessionId;
    const matrixRule = await admin.alerts.addRule.mutate({ name: "matrix rule", kind: "container.exit" });
    const alertOn = async (hostId: string) =>
      (await stack.cp.services.alerts.store.raise({ rule: { ...matrixRule, channelIds: [] }, hostId, hostName: hostId, subject: "matrix", summary: "matrix alert", recurring: false })).alert.id;
    f = {
      hostIds: { A: ids.A!, B: ids.B! },
      spareHostId,
      containerId,
      imageId: await docker(["image", "inspect", "--format", "{{.Id}}", TEST_IMAGE]),
      pullIds: { A: await pull(ids.A!), B: await pull(ids.B!) },
      rolloutIds: { A: await rollout(ids.A!), B: await rollout(ids.B!) },
      sessionIds: { A: await session(ids.A!), B: await session(ids.B!) },
      registryId: (await admin.registries.add.mutate({ name: "matrix", address: "127.0.0.1:1", insecure: true })).id,
      dummyUserId: dummy.user.id,
      adminTokenId: (await admin.tokens.create.mutate({ name: "matrix", role: "viewer" })).id,
      alertIds: { A: await alertOn(ids.A!), B: await alertOn(ids.B!) },
      alertRuleId: matrixRule.id,
      alertChannelId: (await admin.alerts.addChannel.mutate({ name: "matrix channel", kind: "webhook", secrets: { url: "http://127.0.0.1:1/hook" } })).id,
    };
  });

  afterAll(async () => {
    await stack.close();
    await Promise.all(agents.map((a) => a.stop()));
    const created = (await docker(["ps", "-aq", "--filter", "label=stevedore.matrix=1"])).split("\n").filter(Boolean);
    if (created.length) await docker(["rm", "-f", ...created]);
    const volumes = (await docker(["volume", "ls", "-q", "--filter", "label=stevedore.matrix=1"])).split("\n").filter(Boolean);
    if (volumes.length) await docker(["volume", "rm", ...volumes]);
    const networks = (await docker(["network", "ls", "-q", "--filter", "label=stevedore.matrix=1"])).split("\n").filter(Boolean);
    if (networks.length) await docker(["network", "rm", ...networks]);
  });

  /** Calls a procedure over real HTTP and returns its error code, or "ok". */
  async function call(path: string, cookie: string, input: unknown): Promise<string> {
    const type = procedures[path]!._def.type;
    const encoded = input === undefined ? "" : `?input=${encodeURIComponent(JSON.stringify(superjson.serialize(input)))}`;
    const headers = { cookie, origin: stack.url };
    if (type === "subscription") {
      const controller = new AbortController();
      const res = await fetch(`${stack.url}/api/trpc/${path}${encoded}`, { headers: { ...headers, accept: "text/event-stream" }, signal: controller.signal });
      const reader = res.body!.getReader();
      // The first event is either the refusal or the stream's start ("connected" or its first data).
      let text = "";
      while (!/\n\n/.test(text)) text += new TextDecoder().decode((await reader.read()).value);
      controller.abort();
      return /"code":"([A-Z_]+)"/.exec(text)?.[1] ?? /\b(UNAUTHORIZED|FORBIDDEN|NOT_FOUND)\b/.exec(text)?.[1] ?? "ok";
    }
    const res =
      type === "query"
        ? await fetch(`${stack.url}/api/trpc/${path}${encoded}`, { headers })
        : await fetch(`${stack.url}/api/trpc/${path}`, { method: "POST", headers: { ...headers, "content-type": "application/json" }, body: JSON.stringify(superjson.serialize(input ?? null)) });
    const body = (await res.json()) as { error?: { json?: { data?: { code?: string } } } };
    return body.error?.json?.data?.code ?? "ok";
  }

  /** Allowed means the access check let it through: what the handler then answers is its own business. */
  const refused = (code: string) => code === "UNAUTHORIZED" || code === "FORBIDDEN";

  it("lists every procedure with the rule its builder declares", () => {
    expect(Object.keys(procedures).sort()).toEqual(Object.keys(RULES).sort());
    for (const [path, rule] of Object.entries(RULES)) {
      const { ownerOnly: _ownerOnly, refusedFor: _refusedFor, ...declared } = rule;
      expect(procedures[path]!._def.meta?.access, path).toEqual(declared);
    }
  });

  for (const [path, rule] of Object.entries(RULES)) {
    it(`${path}: ${rule.kind === "hosts" ? `${rule.permission} on every host named` : rule.kind === "fleet" ? `fleet-wide ${rule.min}` : "any signed-in caller"}`, async () => {
      expect(await call(path, cookies.anonymous!, validInput(path, f, "A")), "anonymous").toBe("UNAUTHORIZED");
      for (const caller of CALLERS) {
        for (const on of ["A", "B"] as const) {
          const allowed = rule.kind === "signed-in" || (rule.kind === "fleet" ? caller === "admin" : PERMITS[caller][on].includes(rule.permission));
          const expected = allowed && (!rule.ownerOnly || caller === "admin") && !rule.refusedFor?.includes(caller);
          const code = await call(path, cookies[caller]!, validInput(path, f, on));
          expect(refused(code) ? "refused" : "allowed", `${caller} on host ${on}: ${code}`).toBe(expected ? "allowed" : "refused");
          if (rule.kind !== "hosts") break; // the host does not matter
        }
      }
    });
  }

  it("lists and counts only the alerts of the hosts a caller sees", async () => {
    const alpha = apiClient(stack.url, cookies.alphaViewer!);
    const seen = (await alpha.alerts.list.query({ state: "all" })).map((a) => a.id);
    expect(seen).toContain(f.alertIds.A);
    expect(seen).not.toContain(f.alertIds.B);
    const admin = apiClient(stack.url, cookies.admin);
    expect((await admin.alerts.list.query({ state: "all" })).map((a) => a.id)).toEqual(expect.arrayContaining([f.alertIds.A, f.alertIds.B]));
    expect(await alpha.alerts.list.query({ state: "all", hostId: f.hostIds.B })).toEqual([]);
  });

  it("audits every refusal with the procedure and the host refused (without naming a host the caller cannot see)", async () => {
    const alpha = apiClient(stack.url, cookies.alphaOperator!);
    await expect(alpha.containers.operate.mutate({ targets: [{ hostId: f.hostIds.B, id: f.containerId }], operation: { action: "stop" } })).rejects.toThrow(`you have no access to host ${f.hostIds.B}`);
    const admin = apiClient(stack.url, cookies.admin);
    const [entry] = (await admin.audit.list.query({ action: "access.refused", phase: "refused", limit: 1 })).items;
    expect(entry).toMatchObject({ actorName: "alphaoperator@stevedore.test", hostId: f.hostIds.B, targetName: "containers.operate" });
    expect(JSON.parse(entry!.params!)).toEqual({ procedure: "containers.operate", hosts: [f.hostIds.B] });
  });
});
