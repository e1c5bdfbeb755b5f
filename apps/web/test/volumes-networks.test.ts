// Once per run: the engine, the agent and the protocol are what this tests; the database work on its way (hosts, audit entries) is proven on PostgreSQL by the files that test it (scripts/test.sh).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_IMAGE, docker, waitFor } from "./support/engine";
import { subscription } from "./support/sse";
import { type StackWithHost, apiClient, signIn, startStackWithHost } from "./support/stack";

/** Unique per run, so a parallel or an aborted earlier run never collides with these. */
const tag = `vn${process.pid}${Date.now().toString(36)}`;
const name = (what: string) => `stv-${tag}-${what}`;

describe("volumes and networks on a real engine", () => {
  let h: StackWithHost;
  let operator: ReturnType<typeof apiClient>;
  let viewer: ReturnType<typeof apiClient>;
  let viewerCookie: string;

  beforeAll(async () => {
    h = await startStackWithHost("volumes-host");
    for (const role of ["operator", "viewer"] as const) await h.api.users.create.mutate({ email: `${role}@vn.test`, name: role, role, password: `${role}-password-1` });
    operator = apiClient(h.stack.url, await signIn(h.stack.url, "operator@vn.test", "operator-password-1"));
    viewerCookie = await signIn(h.stack.url, "viewer@vn.test", "viewer-password-1");
    viewer = apiClient(h.stack.url, viewerCookie);
  });
  afterAll(async () => {
    await h.agent.stop();
    await h.stack.close();
    const containers = (await docker(["ps", "-aq", "--filter", `label=stv.vn=${tag}`])).split("\n").filter(Boolean);
    if (containers.length) await docker(["rm", "-f", ...containers]);
    const volumes = (await docker(["volume", "ls", "-q", "--filter", `name=stv-${tag}-`])).split("\n").filter(Boolean);
    if (volumes.length) await docker(["volume", "rm", "-f", ...volumes]);
    const networks = (await docker(["network", "ls", "-q", "--filter", `name=stv-${tag}-`])).split("\n").filter(Boolean);
    if (networks.length) await docker(["network", "rm", ...networks]);
  });

  const audited = async (action: string) => (await h.api.audit.list.query({ action })).items.map((e) => `${e.phase} ${e.targetName}`);

  it("creates a volume, lists and inspects it with the container using it and its size, and removes it once unused", async () => {
    const vol = name("data");
    const created = await operator.volumes.create.mutate({ hostId: h.hostId, volume: { name: vol, labels: { team: "web" } } });
    expect(created).toMatchObject({ name: vol, driver: "local", labels: { team: "web" }, containers: [] });
    await expect(operator.volumes.create.mutate({ hostId: h.hostId, volume: { name: vol } })).rejects.toThrow(/already exists/);
    await docker(["run", "-d", "--name", name("user"), "--label", `stv.vn=${tag}`, "-v", `${vol}:/data`, TEST_IMAGE, "sh", "-c", "dd if=/dev/zero of=/data/f bs=1024 count=256 2>/dev/null; sleep 100000"]);
    const userId = await docker(["inspect", "-f", "{{.Id}}", name("user")]);

    const used = await viewer.volumes.list.query({ name: vol, use: "used" });
    expect(used.items).toHaveLength(1);
    expect(used.items[0]).toMatchObject({ name: vol, hostName: "volumes-host", access: "viewer", containers: [{ id: userId }] });
    expect((await viewer.volumes.list.query({ name: vol, use: "unused" })).items).toEqual([]);
    expect(used.unread).toEqual([]);
    const detail = await waitFor(async () => {
      const d = await viewer.volumes.inspect.query({ hostId: h.hostId, name: vol });
      return (d.sizeBytes ?? 0) >= 256 * 1024 && d;
    }, { what: "the volume's size from system df" });
    expect(detail).toMatchObject({ name: vol, labels: { team: "web" }, containers: [{ id: userId, name: name("user") }] });

    await expect(operator.volumes.remove.mutate({ hostId: h.hostId, name: vol })).rejects.toThrow(/in use/);
    await docker(["rm", "-f", name("user")]);
    expect(await operator.volumes.remove.mutate({ hostId: h.hostId, name: vol })).toEqual({ removed: vol });
    await expect(docker(["volume", "inspect", vol])).rejects.toThrow();
    expect(await audited("volume.create")).toEqual(expect.arrayContaining([`succeeded ${vol}`, `failed ${vol}`]));
    expect(await audited("volume.remove")).toEqual(expect.arrayContaining([`failed ${vol}`, `succeeded ${vol}`]));
  });

  it("tells a watching browser when a volume or network is made on the host by hand, and the list then shows it", async () => {
    const controller = new AbortController();
    const events = subscription(h.stack.url, viewerCookie, "fleet.changes", undefined, controller.signal);
    await events.next();
    const pushed = async (kind: string, act: () => Promise<unknown>, shows: () => Promise<boolean>) => {
      await act();
      for (let r = await events.next(); !r.done; r = await events.next()) {
        const e = r.value as { json?: { kind: string; hostId: string }[] };
        const batch = e.json ?? (e as unknown as { kind: string; hostId: string }[]);
        if (Array.isArray(batch) && batch.some((c) => c.kind === kind && c.hostId === h.hostId) && (await shows())) return;
      }
      throw new Error("the stream ended");
    };
    try {
      await pushed("volumes", () => docker(["volume", "create", name("by-hand")]), async () => (await viewer.volumes.list.query({ name: name("by-hand") })).items.length === 1);
      await pushed("networks", () => docker(["network", "create", name("by-hand-net")]), async () => (await viewer.networks.list.query({ name: name("by-hand-net") })).items.length === 1);
      await pushed("volumes", () => docker(["volume", "rm", name("by-hand")]), async () => (await viewer.volumes.list.query({ name: name("by-hand") })).items.length === 0);
      await pushed("networks", () => docker(["network", "rm", name("by-hand-net")]), async () => (await viewer.networks.list.query({ name: name("by-hand-net") })).items.length === 0);
    } finally {
      controller.abort();
    }
  });

  it("previews a prune with sizes, and the prune removes exactly what it showed, never a volume in use", async () => {
    const [full, empty, kept] = [name("prune-full"), name("prune-empty"), name("prune-kept")];
    for (const v of [full, empty, kept]) await docker(["volume", "create", v]);
    await docker(["run", "--rm", "-v", `${full}:/d`, TEST_IMAGE, "dd", "if=/dev/zero", "of=/d/f", "bs=1024", "count=512"]);
    await docker(["run", "-d", "--name", name("keeper"), "--label", `stv.vn=${tag}`, "-v", `${kept}:/d`, TEST_IMAGE, "sleep", "100000"]);
    const preview = await viewer.volumes.prunePreview.query({ hostId: h.hostId });
    const ours = preview.volumes.filter((v) => v.name.startsWith(`stv-${tag}-`));
    expect(ours.map((v) => v.name).sort()).toEqual([empty, full].sort());
    const fullSize = ours.find((v) => v.name === full)!.sizeBytes!;
    expect(fullSize).toBeGreaterThanOrEqual(512 * 1024);
    await expect(viewer.volumes.prune.mutate({ hostId: h.hostId, names: [full, empty] })).rejects.toThrow(/operator/);
    // Asked for the one in use too, as a stale preview might: it is kept and said so.
    const result = await operator.volumes.prune.mutate({ hostId: h.hostId, names: [full, empty, kept] });
    expect(result.removed.sort()).toEqual([empty, full].sort());
    expect(result.failed).toEqual([{ name: kept, error: expect.stringMatching(/no longer unused/) }]);
    expect(result.reclaimedBytes).toBe(ours.reduce((sum, v) => sum + (v.sizeBytes ?? 0), 0));
    expect(await docker(["volume", "inspect", "-f", "{{.Name}}", kept])).toBe(kept);
    await expect(docker(["volume", "inspect", full])).rejects.toThrow();
    expect(await audited("volume.prune")).toContain("succeeded 3 unused volumes");
  });

  it("refuses an operator a volume whose options bind a host path (audited as refused), and lets an admin", async () => {
    const options = { type: "none", o: "bind", device: "/etc" };
    await expect(operator.volumes.create.mutate({ hostId: h.hostId, volume: { name: name("escape"), options } })).rejects.toThrow(/device=\/etc refused|o=bind refused/);
    await expect(operator.volumes.create.mutate({ hostId: h.hostId, volume: { name: name("escape"), options: { type: "none", o: "bind", device: "relative" } } })).rejects.toThrow(/o=bind refused.*only admins/);
    await expect(docker(["volume", "inspect", name("escape")])).rejects.toThrow();
    expect(await audited("volume.create")).toContain(`refused ${name("escape")}`);
    const created = await h.api.volumes.create.mutate({ hostId: h.hostId, volume: { name: name("admin-bind"), options: { type: "none", o: "bind", device: "/tmp" } } });
    expect(created.options).toMatchObject({ o: "bind", device: "/tmp" });
    await h.api.volumes.remove.mutate({ hostId: h.hostId, name: name("admin-bind") });
  });

  it("creates a network with subnet, gateway, internal, attachable and labels, shows who joins it, and prunes only unused ones", async () => {
    await expect(operator.networks.create.mutate({ hostId: h.hostId, network: { name: name("bad"), subnet: "10.231.0.0/24", gateway: "10.232.0.1" } })).rejects.toThrow(/10.232.0.1 is not inside 10.231.0.0\/24/);
    const net = await operator.networks.create.mutate({ hostId: h.hostId, network: { name: name("net"), subnet: "10.231.7.0/24", gateway: "10.231.7.1", internal: true, attachable: true, labels: { team: "web" } } });
    expect(net).toMatchObject({ name: name("net"), driver: "bridge", internal: true, attachable: true, labels: { team: "web" }, ipam: [{ subnet: "10.231.7.0/24", gateway: "10.231.7.1" }], builtIn: false });
    await docker(["run", "-d", "--name", name("joiner"), "--label", `stv.vn=${tag}`, "--network", name("net"), TEST_IMAGE, "sleep", "100000"]);
    const detail = await viewer.networks.inspect.query({ hostId: h.hostId, id: name("net") });
    expect(detail.containers.map((c) => c.name)).toEqual([name("joiner")]);
    expect((await viewer.networks.list.query({ name: name("net"), use: "used" })).items.map((n) => n.id)).toEqual([net.id]);
    await expect(operator.networks.remove.mutate({ hostId: h.hostId, id: "bridge" })).rejects.toThrow(/engine's own/);
    await expect(viewer.networks.create.mutate({ hostId: h.hostId, network: { name: name("viewer") } })).rejects.toThrow(/operator/);

    const spare = await operator.networks.create.mutate({ hostId: h.hostId, network: { name: name("spare") } });
    // A stopped container still counts as using its network: `docker network prune` would take it.
    await docker(["stop", "-t", "0", name("joiner")]);
    const preview = (await viewer.networks.prunePreview.query({ hostId: h.hostId })).networks.filter((n) => n.name.startsWith(`stv-${tag}-`));
    expect(preview.map((n) => n.name)).toEqual([name("spare")]);
    const result = await operator.networks.prune.mutate({ hostId: h.hostId, ids: preview.map((n) => n.id) });
    expect(result).toMatchObject({ removed: [name("spare")], failed: [] });
    await expect(docker(["network", "inspect", spare.id])).rejects.toThrow();
    await docker(["rm", "-f", name("joiner")]);
    expect(await operator.networks.remove.mutate({ hostId: h.hostId, id: net.id })).toEqual({ removed: name("net") });
    expect(await audited("network.create")).toEqual(expect.arrayContaining([`succeeded ${name("net")}`, `succeeded ${name("spare")}`]));
    expect(await audited("network.prune")).toContain("succeeded 1 unused network");
  });
});
