import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AgentRequestError } from "../server/agents/agent-session";
import { EMPTY_FORM, parseRunForm } from "../src/lib/run-form";
import { TEST_IMAGE, docker, waitFor } from "./support/engine";
import { AgentProcess, type TestStack, apiClient, signIn, startStackWithHost } from "./support/stack";

/**
 * "Run" is not a way to root: a real control plane, real agents (one with --bind-mounts none) and the
 * real engine. Containers carry their own label and are the only ones this file removes.
 */
const OWN_LABEL = "stevedore.test.run-policy";
const NETWORK = "stv-rp-net";
const LABELS = { "stevedore.test": "1", [OWN_LABEL]: "1" };

async function removeOwnContainers(): Promise<void> {
  const ids = (await docker(["ps", "-aq", "--filter", `label=${OWN_LABEL}`]).catch(() => "")).split("\n").filter(Boolean);
  if (ids.length) await docker(["rm", "-f", ...ids]);
}

describe("the run policy", () => {
  let stack: TestStack;
  let admin: ReturnType<typeof apiClient>;
  let operator: ReturnType<typeof apiClient>;
  let viewer: ReturnType<typeof apiClient>;
  const agents: AgentProcess[] = [];
  /** In group staging (binds under `allowed`), prod (none) and a host whose owner set --bind-mounts none. */
  let staging: string;
  let prod: string;
  let locked: string;
  let dir: string;
  let allowed: string;

  const inspect = async (id: string) => JSON.parse(await docker(["inspect", id]))[0];
  const bind = (source: string, target = "/mnt", readOnly = true) => ({ type: "bind" as "bind" | "volume", source, target, readOnly });
  const spec = (mounts: ReturnType<typeof bind>[], extra: Record<string, unknown> = {}) => ({ image: TEST_IMAGE, cmd: ["sleep", "100000"], labels: LABELS, mounts, ...extra });
  const refusedEntries = async (hostId: string) => (await admin.audit.list.query({ phase: "refused", action: "container.run", hostId })).items;

  async function startAgent(hostname: string, args: string[] = []): Promise<string> {
    const credentials = path.join(stack.dataDir, hostname, "credentials.json");
    const agent = new AgentProcess(["--credentials", credentials, "--url", stack.url, "--join", await stack.joinToken(), "--hostname", hostname, ...args]);
    agents.push(agent);
    const host = await waitFor(async () => (await admin.hosts.list.query()).find((h) => h.name === hostname && h.status === "online"), { timeoutMs: 20_000, what: `${hostname} online` });
    return host.id;
  }

  beforeAll(async () => {
    await removeOwnContainers();
    dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-run-policy-")));
    allowed = path.join(dir, "allowed");
    fs.mkdirSync(path.join(allowed, "app"), { recursive: true });
    fs.writeFileSync(path.join(allowed, "app", "hello.txt"), "from the host\n");
    fs.mkdirSync(path.join(dir, "outside"));
    fs.symlinkSync("/", path.join(allowed, "to-root"));

    const started = await startStackWithHost("rp-staging");
    ({ stack, hostId: staging } = started);
    admin = started.api;
    agents.push(started.agent);
    prod = await startAgent("rp-prod");
    locked = await startAgent("rp-locked", ["--bind-mounts", "none"]);
    await admin.hosts.setGroups.mutate({ hostId: staging, groups: ["staging"] });
    await admin.hosts.setGroups.mutate({ hostId: prod, groups: ["prod"] });
    for (const role of ["operator", "viewer"] as const) {
      await stack.cp.services.auth.api.createUser({ body: { email: `${role}@stevedore.test`, password: `${role}-password-1`, name: role, role } });
    }
    operator = apiClient(stack.url, await signIn(stack.url, "operator@stevedore.test", "operator-password-1"));
    viewer = apiClient(stack.url, await signIn(stack.url, "viewer@stevedore.test", "viewer-password-1"));
    await admin.settings.setRunPolicy.mutate({
      fleet: { mode: "none" },
      groups: [
        { group: "staging", bindMounts: { mode: "prefixes", prefixes: [`${allowed}/`] } },
        { group: "prod", bindMounts: { mode: "none" } },
      ],
    });
  });

  afterAll(async () => {
    await removeOwnContainers();
    await docker(["network", "rm", NETWORK]).catch(() => undefined);
    for (const a of agents) await a.stop();
    await stack?.close();
    await removeOwnContainers();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  it("defaults to no bind mounts for non-admins, and an admin's change is stored normalized and audited from → to", async () => {
    const saved = await admin.settings.runPolicy.query();
    expect(saved.groups[0]).toEqual({ group: "staging", bindMounts: { mode: "prefixes", prefixes: [allowed] } });
    const [entry] = (await admin.audit.list.query({ action: "settings.run-policy" })).items;
    expect(entry).toMatchObject({ phase: "succeeded", actorName: "admin@stevedore.test", targetName: "run-policy" });
    const params = JSON.parse(entry!.params!);
    expect(params.from).toEqual({ fleet: { mode: "none" }, groups: [] });
    expect(params.to.groups).toHaveLength(2);
  });

  it("refuses to save a prefix that is, is inside or holds a root-giving path, or is not a clean absolute path", async () => {
    await expect(admin.settings.setRunPolicy.mutate({ fleet: { mode: "prefixes", prefixes: ["/var"] }, groups: [] })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
      message: "fleet.prefixes.0: /var holds /var/run/docker.sock (the engine socket), which gives root on the host: it cannot be allowed to non-admins",
    });
    await expect(admin.settings.setRunPolicy.mutate({ fleet: { mode: "prefixes", prefixes: ["/etc/app"] }, groups: [] })).rejects.toMatchObject({ message: expect.stringMatching(/^fleet.prefixes.0: \/etc\/app is inside \/etc/) });
    await expect(admin.settings.setRunPolicy.mutate({ fleet: { mode: "prefixes", prefixes: ["/srv/../etc"] }, groups: [] })).rejects.toMatchObject({ message: expect.stringMatching(/^fleet.prefixes.0: .*"\.\." segment/) });
    await expect(admin.settings.setRunPolicy.mutate({ fleet: { mode: "prefixes", prefixes: ["/"] }, groups: [] })).rejects.toMatchObject({ message: expect.stringMatching(/^fleet.prefixes.0: \/ is \//) });
    await expect(operator.settings.setRunPolicy.mutate({ fleet: { mode: "none" }, groups: [] })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    expect((await admin.settings.runPolicy.query()).groups).toHaveLength(2);
  });

  it("shows every caller the policy on the hosts they ask about", async () => {
    await expect(viewer.containers.runPolicy.query({ hostIds: [staging, "no-such-host"] })).rejects.toThrow("you have no access to host no-such-host");
    const view = await viewer.containers.runPolicy.query({ hostIds: [staging, prod] });
    expect(view.map((v) => [v.hostName, v.summary])).toEqual([
      ["rp-staging", `only under ${allowed} (group staging)`],
      ["rp-prod", "off for non-admins (group prod); named volumes are fine"],
    ]);
    const mine = await admin.containers.runPolicy.query({ hostIds: [prod] });
    expect(mine[0]).toMatchObject({ rule: "any", admin: true });
    expect(mine[0]!.dataRoot).toBe(JSON.parse(await docker(["info", "--format", "{{json .DockerRootDir}}"])));
  });

  it.each([
    ["/", "FORBIDDEN", "run policy on rp-staging: bind mount of / refused: it is / (the host's whole filesystem), which gives root on the host; only admins may mount it"],
    ["/var/run/docker.sock", "FORBIDDEN", "run policy on rp-staging: bind mount of /var/run/docker.sock refused: it is /var/run/docker.sock (the engine socket), which gives root on the host; only admins may mount it"],
    ["/etc/", "FORBIDDEN", "run policy on rp-staging: bind mount of /etc refused: it is /etc (the host's configuration), which gives root on the host; only admins may mount it"],
    ["/run", "FORBIDDEN", "run policy on rp-staging: bind mount of /run refused: it holds /run/docker.sock (the engine socket), which gives root on the host; only admins may mount it"],
  ])("refuses an operator's bind of %s, audits it as refused and sends nothing to the agent", async (source, code, message) => {
    const before = (await refusedEntries(staging)).length;
    await expect(operator.containers.run.mutate({ hostIds: [staging], spec: spec([bind(source)], { name: "stv-rp-refused" }) })).rejects.toMatchObject({ data: { code }, message });
    const entries = await refusedEntries(staging);
    expect(entries).toHaveLength(before + 1);
    expect(entries[0]).toMatchObject({ phase: "refused", action: "container.run", actorName: "operator@stevedore.test", hostId: staging, hostName: "rp-staging", error: message });
    // Only the refusal: no "requested" entry, so nothing went to the agent.
    expect((await admin.audit.list.query({ requestId: entries[0]!.requestId })).items.map((e) => e.phase)).toEqual(["refused"]);
    await expect(docker(["inspect", "stv-rp-refused"])).rejects.toThrow(/No such/);
  });

  it("refuses a .. path as a bad request and a path outside the prefixes as forbidden, naming the rule", async () => {
    const dotdot = `${allowed}/../../../etc`;
    await expect(operator.containers.run.mutate({ hostIds: [staging], spec: spec([bind(dotdot)]) })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
      message: `run policy on rp-staging: bind mount source refused: "${dotdot}" has a ".." segment; give the path without it`,
    });
    const outside = `${dir}/outside`;
    await expect(operator.containers.run.mutate({ hostIds: [staging], spec: spec([bind(outside)]) })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
      message: `run policy on rp-staging: bind mount of ${outside} refused by the rule for group staging: only under ${allowed}`,
    });
    // /data does not allow /database: a sibling whose name starts with the prefix is outside it.
    await expect(operator.containers.run.mutate({ hostIds: [staging], spec: spec([bind(`${allowed}2`)]) })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    const errors = (await refusedEntries(staging)).map((e) => e.error);
    expect(errors).toContain(`run policy on rp-staging: bind mount source refused: "${dotdot}" has a ".." segment; give the path without it`);
    expect(errors).toContain(`run policy on rp-staging: bind mount of ${outside} refused by the rule for group staging: only under ${allowed}`);
  });

  it("runs an operator's container with a bind under an allowed prefix, and named volumes anywhere", async () => {
    const [r] = await operator.containers.run.mutate({
      hostIds: [staging],
      spec: spec([bind(`${allowed}//app/`, "/data"), { type: "volume", source: "stv-rp-volume", target: "/vol", readOnly: false }]),
    });
    expect(r?.ok).toBe(true);
    const id = r!.ok ? r!.result.id : "";
    const info = await inspect(id);
    expect(info.State.Running).toBe(true);
    expect(info.Mounts).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Type: "bind", Source: path.join(allowed, "app"), Destination: "/data", RW: false }),
        expect.objectContaining({ Type: "volume", Name: "stv-rp-volume", Destination: "/vol" }),
      ]),
    );
    expect(await docker(["exec", id, "cat", "/data/hello.txt"])).toBe("from the host");
    await docker(["rm", "-f", id]);
    await docker(["volume", "rm", "stv-rp-volume"]);
  });

  it("lets an admin bind-mount / (read-only) and the container sees the host", async () => {
    const [r] = await admin.containers.run.mutate({ hostIds: [staging], spec: spec([bind("/", "/host")]) });
    expect(r?.ok).toBe(true);
    const id = r!.ok ? r!.result.id : "";
    const info = await inspect(id);
    expect(info.State.Running).toBe(true);
    expect(info.Mounts).toEqual([expect.objectContaining({ Type: "bind", Source: "/", Destination: "/host", RW: false })]);
    expect(await docker(["exec", id, "cat", `/host${path.join(allowed, "app", "hello.txt")}`])).toBe("from the host");
    await expect(docker(["exec", id, "touch", "/host/tmp/stv-rp-write"])).rejects.toThrow(/Read-only file system/);
  });

  it("a run on several hosts: the refused host is audited as refused, the others run", async () => {
    const results = await operator.containers.run.mutate({ hostIds: [staging, prod], spec: spec([bind(path.join(allowed, "app"))]) });
    const byHost = new Map(results.map((r) => [r.hostName, r]));
    expect(byHost.get("rp-staging")?.ok).toBe(true);
    expect(byHost.get("rp-prod")).toMatchObject({
      ok: false,
      error: { code: "forbidden", message: `run policy on rp-prod: bind mount of ${path.join(allowed, "app")} refused by the rule for group prod: no bind mounts (named volumes are allowed)` },
    });
    const [entry] = await refusedEntries(prod);
    expect(entry).toMatchObject({ actorName: "operator@stevedore.test", requestId: byHost.get("rp-prod")!.requestId });
    const ok = byHost.get("rp-staging")!;
    expect((await inspect(ok.ok ? ok.result.id : "")).State.Running).toBe(true);
  });

  it("says which field a run spec does not know, at any depth, instead of dropping it", async () => {
    const run = (s: Record<string, unknown>, extra: Record<string, unknown> = {}) => operator.containers.run.mutate({ hostIds: [staging], spec: { image: TEST_IMAGE, labels: LABELS, ...s } as never, ...extra } as never);
    await expect(run({ privileged: true })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" }, message: "spec.privileged: unknown field" });
    await expect(run({ mounts: [{ ...bind(`${allowed}/app`), propagation: "rshared" }] })).rejects.toMatchObject({ message: "spec.mounts.0.propagation: unknown field" });
    await expect(run({}, { capAdd: ["SYS_ADMIN"] })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" }, message: "capAdd: unknown field" });
    await expect(admin.containers.run.mutate({ hostIds: [staging], spec: { image: TEST_IMAGE, labels: LABELS, restartPolicy: { name: "no", privileged: true } } as never })).rejects.toMatchObject({ message: "spec.restartPolicy.privileged: unknown field" });
  });

  it("the agent refuses a symlink under an allowed prefix that leads to /", async () => {
    const link = path.join(allowed, "to-root");
    await expect(operator.containers.run.mutate({ hostIds: [staging], spec: spec([bind(link)]) })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
      message: `bind mount of ${link} (which leads to / on the host) refused: it is / (the host's whole filesystem), which gives root on the host; only admins may mount it`,
    });
    // The control plane saw a path under the prefix and sent it; the agent's refusal is the failure on record.
    const [failed] = (await admin.audit.list.query({ phase: "failed", action: "container.run", hostId: staging })).items;
    expect(failed?.error).toMatch(/which leads to \/ on the host\) refused/);
  });

  it("the agent refuses what a control plane that skipped its own check sends: root for non-admins, unknown fields", async () => {
    const agents = stack.cp.services.agents;
    const refused = (p: Promise<unknown>) => p.then(() => null, (err: unknown) => (err instanceof AgentRequestError ? err.body : Promise.reject(err)));
    expect(await refused(agents.request(staging, "container.run", { spec: spec([bind("/var/run/docker.sock", "/sock")]) as never, policy: { bindMounts: "any", admin: false } }))).toEqual({
      code: "forbidden",
      message: "bind mount of /var/run/docker.sock refused: it is /var/run/docker.sock (the engine socket), which gives root on the host; only admins may mount it",
    });
    // An older control plane sends no policy: no bind mounts at all.
    expect(await refused(agents.request(staging, "container.run", { spec: spec([bind(path.join(allowed, "app"))]) } as never))).toMatchObject({
      code: "forbidden",
      message: expect.stringMatching(/refused by the control plane's run policy \(no bind mounts\)/),
    });
    expect(await refused(agents.request(staging, "container.run", { spec: { ...spec([]), privileged: true }, policy: { bindMounts: "any", admin: true } } as never))).toEqual({ code: "bad_request", message: "spec.privileged: unknown field" });
  });

  it("a host whose owner set --bind-mounts none refuses even an admin's bind, at the control plane and at the agent itself", async () => {
    // The agent reports its own rule in hello: the control plane shows it and refuses sooner, audited.
    const [view] = await admin.containers.runPolicy.query({ hostIds: [locked] });
    expect(view).toMatchObject({ hostRule: "none", rule: "none", summary: "off (the host's own --bind-mounts none); named volumes are fine" });
    const source = path.join(allowed, "app");
    const message = `run policy on rp-locked: bind mount of ${source} refused by the host's own policy (--bind-mounts none): no bind mounts (named volumes are allowed)`;
    await expect(admin.containers.run.mutate({ hostIds: [locked], spec: spec([bind(source)]) })).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message });
    expect((await refusedEntries(locked))[0]).toMatchObject({ actorName: "admin@stevedore.test", error: message });

    // Straight at the agent, as an admin's run the control plane let through: the agent refuses it itself.
    const refused = await stack.cp.services.agents.request(locked, "container.run", { spec: spec([bind("/", "/host")]) as never, policy: { bindMounts: "any", admin: true } }).then(
      () => null,
      (err: unknown) => (err instanceof AgentRequestError ? err.body : Promise.reject(err)),
    );
    expect(refused).toEqual({ code: "forbidden", message: "bind mount of / refused by this host's own policy (--bind-mounts none): no bind mounts (named volumes are allowed)" });
    const [r] = await admin.containers.run.mutate({ hostIds: [locked], spec: spec([{ type: "volume", source: "stv-rp-locked", target: "/vol", readOnly: false }]) });
    expect(r?.ok).toBe(true);
    await docker(["rm", "-f", r!.ok ? r!.result.id : ""]);
    await docker(["volume", "rm", "stv-rp-locked"]);
  });
  it("every field of the run form reaches the engine, and comes back for edit, recreate and duplicate", async () => {
    await docker(["network", "rm", NETWORK]).catch(() => undefined);
    await docker(["network", "create", "--label", "stevedore.test=1", NETWORK]);
    // The picker's list: the host's own networks, for a viewer too.
    expect(await viewer.hosts.networks.query({ hostId: staging })).toEqual(expect.arrayContaining([expect.objectContaining({ name: NETWORK, driver: "bridge", internal: false })]));
    const form = parseRunForm({
      ...EMPTY_FORM,
      image: TEST_IMAGE,
      name: "stv-rp-fields",
      entrypoint: "/bin/sh -c",
      command: "'echo started; sleep 100000'",
      workingDir: "/tmp",
      user: "1000:1000",
      hostname: "rp-fields",
      healthCmd: "test -d /tmp",
      healthInterval: "2",
      healthRetries: "3",
      readOnly: true,
      capDrop: "net_raw, MKNOD",
      logDriver: "json-file",
      logOptions: "max-size=1m\nmax-file=2",
      networks: [{ name: NETWORK, aliases: "api, api.internal" }],
      labels: Object.entries(LABELS).map(([k, v]) => `${k}=${v}`).join("\n"),
    });
    if (!form.ok) throw new Error(JSON.stringify(form.errors));
    const [r] = await operator.containers.run.mutate({ hostIds: [staging], spec: form.spec });
    expect(r?.ok).toBe(true);
    const id = r!.ok ? r!.result.id : "";
    const info = await inspect(id);
    expect(info.Config).toMatchObject({ Entrypoint: ["/bin/sh", "-c"], Cmd: ["echo started; sleep 100000"], WorkingDir: "/tmp", User: "1000:1000", Hostname: "rp-fields" });
    expect(info.Config.Healthcheck).toEqual({ Test: ["CMD-SHELL", "test -d /tmp"], Interval: 2e9, Retries: 3 });
    expect(info.HostConfig).toMatchObject({ ReadonlyRootfs: true, CapDrop: ["NET_RAW", "MKNOD"], LogConfig: { Type: "json-file", Config: { "max-size": "1m", "max-file": "2" } }, NetworkMode: NETWORK });
    expect(info.NetworkSettings.Networks[NETWORK].Aliases).toEqual(expect.arrayContaining(["api", "api.internal"]));
    // They work, not only read back: the root is read-only, and another container on the network reaches it by its alias.
    await expect(docker(["exec", id, "touch", "/stv-write"])).rejects.toThrow(/Read-only file system/);
    expect(await docker(["run", "--rm", "--network", NETWORK, "--label", `${OWN_LABEL}=1`, TEST_IMAGE, "ping", "-c", "1", "-W", "5", "api.internal"])).toMatch(/1 packets received/);
    // What edit, recreate and duplicate start from.
    const { spec: back, unsupported } = await operator.containers.spec.query({ hostId: staging, id });
    expect(unsupported).toEqual([]);
    expect(back).toMatchObject({
      entrypoint: ["/bin/sh", "-c"],
      workingDir: "/tmp",
      user: "1000:1000",
      hostname: "rp-fields",
      readOnlyRootfs: true,
      capDrop: ["NET_RAW", "MKNOD"],
      logConfig: { driver: "json-file", options: { "max-size": "1m", "max-file": "2" } },
      networks: [{ name: NETWORK, aliases: expect.arrayContaining(["api", "api.internal"]) }],
      healthcheck: { test: ["CMD-SHELL", "test -d /tmp"], intervalSeconds: 2, retries: 3 },
    });
  });

  it("refuses what the policy governs in the new fields: host sockets in log options, host networking, added capabilities", async () => {
    const socket = { driver: "syslog" as const, options: { "syslog-address": "unix:///var/run/docker.sock" } };
    const message = "run policy on rp-staging: log option syslog-address=unix:///var/run/docker.sock refused: it names a socket or file on the host, which the engine would open as root; only admins may";
    await expect(operator.containers.run.mutate({ hostIds: [staging], spec: spec([], { logConfig: socket }) })).rejects.toMatchObject({ data: { code: "FORBIDDEN" }, message });
    expect((await refusedEntries(staging)).map((e) => e.error)).toContain(message);
    // The agent refuses it itself, whatever a control plane sends.
    const refused = await stack.cp.services.agents.request(staging, "container.run", { spec: spec([], { logConfig: socket }) as never, policy: { bindMounts: "any", admin: false } }).then(
      () => null,
      (err: unknown) => (err instanceof AgentRequestError ? err.body : Promise.reject(err)),
    );
    expect(refused).toEqual({ code: "forbidden", message: message.replace("run policy on rp-staging: ", "") });
    // Host networking is no network a spec names, at the API and at the agent.
    await expect(admin.containers.run.mutate({ hostIds: [staging], spec: spec([], { networks: [{ name: "host", aliases: [] }] }) })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", problems: [{ path: ["spec", "networks", "0", "name"], message: "Network 1: host networking is not offered: it reaches the host's own loopback services" }] },
    });
    const hostNet = await stack.cp.services.agents.request(staging, "container.run", { spec: spec([], { networks: [{ name: "host", aliases: [] }] }) as never, policy: { bindMounts: "any", admin: true } }).then(
      () => null,
      (err: unknown) => (err instanceof AgentRequestError ? err.body : Promise.reject(err)),
    );
    expect(hostNet).toMatchObject({ code: "bad_request", message: expect.stringMatching(/host networking is not offered/) });
    // Capabilities can be dropped, never added.
    await expect(admin.containers.run.mutate({ hostIds: [staging], spec: spec([], { capAdd: ["SYS_ADMIN"] }) as never })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" }, message: "spec.capAdd: unknown field" });
    // Input errors come with their field, in the form's words.
    await expect(operator.containers.run.mutate({ hostIds: [staging], spec: spec([], { cpuShares: 1 }) })).rejects.toMatchObject({ data: { problems: [{ path: ["spec", "cpuShares"], message: "CPU shares must be at least 2" }] } });
  });
});
