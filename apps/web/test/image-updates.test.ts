// Once per run: the engine, the agent and the protocol are what this tests; the database work on its way (hosts, audit entries) is proven on PostgreSQL by the files that test it (scripts/test.sh).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ReferenceCheck, checkRegistryReferences } from "../server/updates/registry-check";
import { TEST_LABEL, docker, waitFor } from "./support/engine";
import { TestRegistry, manifestDescriptor, pushMarkedImage, putIndex } from "./support/registry";
import { type StackWithHost, apiClient, signIn, startStackWithHost } from "./support/stack";

const REPO = "stevedore-test/upd-app";
const AMD64 = { os: "linux", architecture: "amd64" };
const ARM64 = { os: "linux", architecture: "arm64", variant: "v8" };

describe("image updates: what each tag names in the registry now, against what the hosts run", () => {
  let h: StackWithHost;
  let registry: TestRegistry;
  let viewer: ReturnType<typeof apiClient>;
  let operator: ReturnType<typeof apiClient>;
  const containers: string[] = [];
  const images: string[] = [];

  beforeAll(async () => {
    registry = await TestRegistry.start();
    h = await startStackWithHost("updates-host");
    await h.api.users.create.mutate({ email: "op@upd.test", name: "Op", role: "operator", password: "op-password-123" });
    await h.api.users.create.mutate({ email: "view@upd.test", name: "View", role: "viewer", password: "view-password-123" });
    operator = apiClient(h.stack.url, await signIn(h.stack.url, "op@upd.test", "op-password-123"));
    viewer = apiClient(h.stack.url, await signIn(h.stack.url, "view@upd.test", "view-password-123"));
  });
  afterAll(async () => {
    if (containers.length) await docker(["rm", "-f", ...containers]).catch(() => "");
    await h.agent.stop();
    await h.stack.close();
    await registry.stop();
    await docker(["rmi", "-f", ...images]).catch(() => "");
  });

  async function run(name: string, tag: string): Promise<string> {
    const id = (await docker(["run", "-d", "--name", name, "--label", TEST_LABEL, `${registry.host}/${REPO}:${tag}`])).trim();
    containers.push(id);
    await waitFor(async () => (await h.api.containers.list.query({ q: name })).items.some((c) => c.state === "running"), { what: `${name} in the fleet view` });
    return id;
  }
  async function row(name: string) {
    return (await h.api.containers.list.query({ q: name })).items.find((c) => c.name === name)!;
  }
  /** What one reference costs, asked directly (the fleet's other images are not this test's). */
  async function cost(tag: string, previous?: ReferenceCheck) {
    const reference = `${registry.host}/${REPO}:${tag}`;
    const use = h.stack.cp.services.updates.inUse([h.hostId]).find((u) => u.reference === reference)!;
    const target = await h.stack.cp.services.registries.targetForRegistry(registry.host);
    // With a previous check, as the schedule runs: tag lists only once a day.
    return checkRegistryReferences(target, [use], new Map(previous ? [[reference, previous]] : []), !previous);
  }

  it("finds a tag pushed again and newer version tags; a host that has what the tag names costs one HEAD and the tag list", async () => {
    images.push(await pushMarkedImage(registry, [`${REPO}:1.0.0`], "v1"));
    await run("upd-app", "1.0.0");
    await operator.updates.check.mutate({ hostIds: [h.hostId] });
    expect((await row("upd-app")).update).toMatchObject({ state: "current", newer: { patch: null, minor: null, major: null }, error: null });
    const cold = await cost("1.0.0");
    expect(cold.requests).toBe(2);
    expect((await cost("1.0.0", cold.checks[0])).requests).toBe(1);

    // The same tag moves to a new image, and newer versions appear.
    images.push(await pushMarkedImage(registry, [`${REPO}:1.0.0`, `${REPO}:1.0.1`, `${REPO}:1.1.0`], "v2"));
    await run("upd-newest", "1.1.0");
    const summary = await operator.updates.check.mutate({ hostIds: [h.hostId] });
    expect(summary.outdated).toBeGreaterThanOrEqual(1);
    expect((await row("upd-app")).update).toMatchObject({ state: "outdated", newer: { patch: "1.0.1", minor: "1.1.0", major: null } });
    expect((await row("upd-newest")).update).toMatchObject({ state: "current", newer: { patch: null, minor: null, major: null } });

    // The filter and the fleet view name the outdated one only.
    const outdated = await viewer.containers.list.query({ outdated: true, q: "upd-" });
    expect(outdated.items.map((c) => c.name)).toEqual(["upd-app"]);
    expect(outdated.total).toBe(1);
    const report = (await viewer.updates.list.query()).find((r) => r.reference === `${registry.host}/${REPO}:1.0.0`)!;
    expect(report).toMatchObject({ outdated: 1, total: 1, newer: { patch: "1.0.1", minor: "1.1.0" } });
    expect(report.containers).toEqual([expect.objectContaining({ name: "upd-app", hostName: "updates-host", update: "outdated" })]);
    // Read elsewhere (a restart, another replica): the stored check gives the same answer.
    expect((await viewer.updates.schedule.query()).last).toMatchObject({ references: expect.any(Number), requests: expect.any(Number) });
  });

  it("resolves an OCI index to the host's platform: a new index whose amd64 entry is unchanged is no update, one that changes it is", async () => {
    const v2 = await manifestDescriptor(registry, REPO, "1.1.0");
    images.push(await pushMarkedImage(registry, [`${REPO}:other`], "v3"));
    const v3 = await manifestDescriptor(registry, REPO, "other");

    await putIndex(registry, REPO, "multi", [{ platform: AMD64, manifest: v2 }, { platform: ARM64, manifest: v3 }]);
    await run("upd-multi", "multi");
    // The engine pulled by the index: its digest is the host's, so one HEAD settles it.
    const first = await cost("multi");
    expect(first).toMatchObject({ requests: 1, checks: [{ digest: expect.stringMatching(/^sha256:/), manifests: [], error: null }] });

    // Only the arm64 entry moves: the index digest changes, this host's image does not.
    const moved = await putIndex(registry, REPO, "multi", [{ platform: AMD64, manifest: v2 }, { platform: ARM64, manifest: v2 }]);
    await operator.updates.check.mutate({ hostIds: [h.hostId] });
    expect((await row("upd-multi")).update).toMatchObject({ state: "current" });
    expect(await cost("multi")).toMatchObject({ requests: 2, checks: [{ digest: moved, manifests: [{ platform: "linux/amd64", digest: v2.digest }] }] });

    // The amd64 entry moves: outdated.
    await putIndex(registry, REPO, "multi", [{ platform: AMD64, manifest: v3 }, { platform: ARM64, manifest: v2 }]);
    await operator.updates.check.mutate({ hostIds: [h.hostId] });
    expect((await row("upd-multi")).update).toMatchObject({ state: "outdated" });
  });

  it("only operators of the hosts ask the registries; viewers see the results", async () => {
    await expect(viewer.updates.check.mutate({ hostIds: [h.hostId] })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(operator.updates.check.mutate({ hostIds: ["host_unknown"] })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });

  it("stops asking a registry that rate-limits: the rest keep their last result, marked with when to retry", async () => {
    // A 429 cannot be had from the real registry: a server that only says it.
    let hits = 0;
    const limiter = http.createServer((_req, res) => {
      hits++;
      res.writeHead(429, { "retry-after": "120" }).end("slow down");
    });
    await new Promise<void>((resolve) => limiter.listen(0, "127.0.0.1", resolve));
    const address = `127.0.0.1:${(limiter.address() as AddressInfo).port}`;
    const uses = ["a", "b", "c"].map((n) => ({ reference: `${address}/team/${n}:1.0.0`, platforms: new Set(["linux/amd64"]), localDigests: new Set<string>() }));
    const before = Date.now();
    const previous = new Map([[uses[1]!.reference, { reference: uses[1]!.reference, checkedAt: 1, digest: "sha256:known", manifests: [], newer: null, newerCheckedAt: null, error: null }]]);
    const result = await checkRegistryReferences({ address, insecure: true }, uses, previous);
    limiter.close();
    expect(hits).toBe(1);
    expect(result.requests).toBe(1);
    expect(result.checks).toHaveLength(3);
    for (const c of result.checks) expect(c.error).toMatch(new RegExp(`${address} (is rate-limiting requests \\(HTTP 429\\)|asked to wait) until`));
    const retryAt = Date.parse(/until (\S+)$/.exec(result.checks[0]!.error!)![1]!);
    expect(retryAt).toBeGreaterThanOrEqual(before + 119_000);
    expect(result.checks.find((c) => c.reference === uses[1]!.reference)).toMatchObject({ digest: "sha256:known" });
  });
});
