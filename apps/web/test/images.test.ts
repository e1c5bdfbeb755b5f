// Once per run: the engine, the agent and the protocol are what this tests; the database work on its way (hosts, audit entries) is proven on PostgreSQL by the files that test it (scripts/test.sh).
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_IMAGE, docker, removeTestContainers, waitFor } from "./support/engine";
import { subscription } from "./support/sse";
import { type StackWithHost, apiClient, signIn, startStackWithHost } from "./support/stack";

const run = promisify(execFile);

/** Builds an image offline (the legacy builder, as the engine's own history shows it) and returns its id. */
async function build(tag: string, dockerfile: string): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-img-"));
  fs.writeFileSync(path.join(dir, "Dockerfile"), `${dockerfile}\nLABEL stevedore.test=1\n`);
  await run("docker", ["build", "-q", "-t", tag, dir], { env: { ...process.env, DOCKER_BUILDKIT: "0" } });
  fs.rmSync(dir, { recursive: true, force: true });
  return docker(["image", "inspect", "-f", "{{.Id}}", tag]);
}

const rootfs = async (ref: string): Promise<string[]> => JSON.parse(await docker(["image", "inspect", "-f", "{{json .RootFS.Layers}}", ref])) as string[];

describe("images, layers and image housekeeping", () => {
  let h: StackWithHost;
  let viewer: ReturnType<typeof apiClient>;
  let viewerCookie: string;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    await removeTestContainers();
    await docker(["image", "rm", "-f", "stevedore-test/tree-a:1", "stevedore-test/tree-b:1", "stevedore-test/tree-c:1", "stevedore-test/retagged:v2"]).catch(() => "");
    ids.a = await build("stevedore-test/tree-a:1", `FROM ${TEST_IMAGE}\nRUN dd if=/dev/urandom of=/a bs=1024 count=1024 2>/dev/null`);
    ids.b = await build("stevedore-test/tree-b:1", `FROM stevedore-test/tree-a:1\nRUN dd if=/dev/urandom of=/b bs=1024 count=512 2>/dev/null\nENV B=1`);
    ids.c = await build("stevedore-test/tree-c:1", `FROM ${TEST_IMAGE}\nRUN echo c > /c`);
    h = await startStackWithHost("images-host");
    await h.api.users.create.mutate({ email: "looker@img.test", name: "Looker", role: "viewer", password: "looker-password-1" });
    viewerCookie = await signIn(h.stack.url, "looker@img.test", "looker-password-1");
    viewer = apiClient(h.stack.url, viewerCookie);
    await waitFor(async () => (await h.api.images.list.query({ q: "tree-" })).total === 3, { what: "the built images in the fleet view" });
  });
  afterAll(async () => {
    await h.agent.stop();
    await h.stack.close();
    await removeTestContainers();
    await docker(["image", "prune", "-af", "--filter", "label=stevedore.test=1"]).catch(() => "");
  });

  it("lists images per host with the containers using them, filtered on the server", async () => {
    await docker(["run", "-d", "--name", "img-user", "--label", "stevedore.test=1", "stevedore-test/tree-a:1", "sleep", "100000"]);
    await waitFor(async () => (await h.api.images.list.query({ q: "tree-a" })).items[0]?.containers === 1, { what: "tree-a used by one container" });
    const { items } = await h.api.images.list.query({ q: "TREE-" });
    expect(items.map((i) => i.repoTags[0]).sort()).toEqual(["stevedore-test/tree-a:1", "stevedore-test/tree-b:1", "stevedore-test/tree-c:1"]);
    expect(items.find((i) => i.id === ids.b)).toMatchObject({ hostName: "images-host", containers: 0, dangling: false, live: true });
    // b is built on a: what is unique to it is its own 512 KiB layer; a's 1 MiB layer is shared.
    const usage = await viewer.images.usage.query({ hostId: h.hostId });
    const unique = (id: string) => usage.images.find((i) => i.id === id)!.uniqueSizeBytes;
    expect(unique(ids.b!)).toBeGreaterThanOrEqual(512 * 1024);
    expect(unique(ids.b!)).toBeLessThan(1024 * 1024);
    expect(usage.images.find((i) => i.id === ids.a)!.sharedSizeBytes).toBeGreaterThanOrEqual(1024 * 1024);
    const unused = await h.api.images.list.query({ q: "tree-", unused: true });
    expect(unused.items.map((i) => i.id).sort()).toEqual([ids.b, ids.c].sort());
    expect((await h.api.images.list.query({ q: ids.c!.slice(7, 19) })).items.map((i) => i.id)).toEqual([ids.c]);
    // The image page: the host holding it, with the container using it there; none for b.
    const holders = await viewer.images.holders.query({ id: ids.a!.replace("sha256:", "") });
    expect(holders).toEqual([expect.objectContaining({ hostId: h.hostId, hostName: "images-host", repoTags: ["stevedore-test/tree-a:1"], containerCount: 1, access: "viewer" })]);
    expect(holders[0]!.containers).toEqual([expect.objectContaining({ name: "img-user", state: "running" })]);
    expect((await viewer.images.holders.query({ id: ids.b! }))[0]).toMatchObject({ containerCount: 0, containers: [] });
  });

  it("shows an image's history with each layer matched to the step that made it, as the engine stores them", async () => {
    const detail = await viewer.images.inspect.query({ hostId: h.hostId, id: ids.b! });
    expect(detail.layers.map((l) => l.diffId)).toEqual(await rootfs("stevedore-test/tree-b:1"));
    const own = detail.layers.at(-1)!;
    expect(own.createdBy).toContain("of=/b");
    expect(own.sizeBytes).toBeGreaterThanOrEqual(512 * 1024);
    expect(detail.layers.at(-2)!.createdBy).toContain("of=/a");
    // ENV makes no layer; it is in the history all the same.
    expect(detail.history.find((s) => s.createdBy.includes("ENV B=1"))).toMatchObject({ makesLayer: false, sizeBytes: 0 });
    expect(detail.history.filter((s) => s.makesLayer)).toHaveLength(detail.layers.length);
  });

  it("draws the host's layer tree: shared base layers appear once, used by every image built on them", async () => {
    const tree = await viewer.images.layerTree.query({ hostId: h.hostId });
    const layersOf = { base: await rootfs(TEST_IMAGE), a: await rootfs("stevedore-test/tree-a:1"), b: await rootfs("stevedore-test/tree-b:1"), c: await rootfs("stevedore-test/tree-c:1") };
    // Walk the tree along tree-b's layers: every step exists, and images end where their last layer is.
    let level = tree.roots;
    const path: { diffId: string; usedBy: number; images: { id: string }[] }[] = [];
    for (const diffId of layersOf.b) {
      const node = level.find((n) => n.diffId === diffId);
      expect(node, `layer ${diffId} in the tree`).toBeDefined();
      path.push(node!);
      level = node!.children;
    }
    const base = layersOf.base.length;
    expect(path[base - 1]!.images.map((i) => i.id)).toContain((await docker(["image", "inspect", "-f", "{{.Id}}", TEST_IMAGE])));
    expect(path[base]!.images.map((i) => i.id)).toEqual([ids.a]);
    expect(path.at(-1)!.images.map((i) => i.id)).toEqual([ids.b]);
    // The base is shared by at least the test image, a, b and c; a's layer by a and b.
    expect(path[0]!.usedBy).toBeGreaterThanOrEqual(4);
    expect(path[base]!.usedBy).toBe(2);
    expect(layersOf.c.slice(0, base)).toEqual(layersOf.base);
    expect(tree.savedBytes).toBeGreaterThan(0);
    expect(tree.images.find((i) => i.id === ids.b)!.uniqueSizeBytes).toBeGreaterThanOrEqual(512 * 1024);
  });

  it("refuses to remove an image a container uses unless forced, tags, and audits each", async () => {
    await expect(h.api.images.remove.mutate({ hostId: h.hostId, ref: ids.a! })).rejects.toThrow(/conflict|being used|cannot delete/i);
    await h.api.images.tag.mutate({ hostId: h.hostId, id: ids.c!, target: { repository: "stevedore-test/retagged", tag: "v2" } });
    expect(await docker(["image", "inspect", "-f", "{{.Id}}", "stevedore-test/retagged:v2"])).toBe(ids.c);
    await expect(h.api.images.tag.mutate({ hostId: h.hostId, id: ids.c!, target: { repository: "Bad Repo", tag: "v2" } })).rejects.toThrow(/repository/);
    // By tag: the image has one tag, so untagging it removes it.
    const removed = await h.api.images.remove.mutate({ hostId: h.hostId, ref: "stevedore-test/tree-b:1" });
    expect(removed).toMatchObject({ untagged: ["stevedore-test/tree-b:1"] });
    expect(removed.deleted).toContain(ids.b);
    // A second tag: removing by id is refused, by tag only untags.
    await expect(h.api.images.remove.mutate({ hostId: h.hostId, ref: ids.c! })).rejects.toThrow(/must be forced|multiple repositories/);
    expect(await h.api.images.remove.mutate({ hostId: h.hostId, ref: "stevedore-test/retagged:v2" })).toEqual({ untagged: ["stevedore-test/retagged:v2"], deleted: [] });
    expect(await docker(["image", "inspect", "-f", "{{.Id}}", "stevedore-test/tree-c:1"])).toBe(ids.c);
    await expect(docker(["image", "inspect", ids.b!])).rejects.toThrow();
    // Forced, the image in use loses its tag; the container keeps running on it.
    expect((await h.api.images.remove.mutate({ hostId: h.hostId, ref: "stevedore-test/tree-a:1", force: true })).untagged).toEqual(["stevedore-test/tree-a:1"]);
    expect(await docker(["inspect", "-f", "{{.Image}} {{.State.Running}}", "img-user"])).toBe(`${ids.a} true`);
    const entries = await Promise.all(["image.remove", "image.tag"].map((action) => h.api.audit.list.query({ action }))).then((pages) =>
      pages.flatMap((p) => p.items.map((e) => `${e.action} ${e.phase}`)),
    );
    expect(entries).toEqual(expect.arrayContaining(["image.remove failed", "image.tag succeeded", "image.remove succeeded"]));
  });

  it("previews a prune (what goes, the space it frees) and the prune removes exactly the dangling image", async () => {
    // Rebuilding a tag with other content leaves the old image dangling.
    const old = await build("stevedore-test/dangle:1", `FROM ${TEST_IMAGE}\nRUN dd if=/dev/urandom of=/d bs=1024 count=768 2>/dev/null`);
    await build("stevedore-test/dangle:1", `FROM ${TEST_IMAGE}\nRUN echo new > /d`);
    const preview = await viewer.images.prunePreview.query({ hostId: h.hostId, all: false });
    expect(preview.images.map((i) => i.id)).toContain(old);
    expect(preview.images.every((i) => i.repoTags.length === 0)).toBe(true);
    expect(preview.freedBytes).toBeGreaterThanOrEqual(768 * 1024);
    const all = await viewer.images.prunePreview.query({ hostId: h.hostId, all: true });
    expect(all.images.map((i) => i.id)).toEqual(expect.arrayContaining([old, ids.c]));
    expect(all.images.map((i) => i.id)).not.toContain(ids.a); // a container uses it

    const result = await h.api.images.prune.mutate({ hostId: h.hostId, all: false });
    expect(result.deleted).toContain(old);
    expect(result.reclaimedBytes).toBeGreaterThanOrEqual(768 * 1024);
    await expect(docker(["image", "inspect", old])).rejects.toThrow();
    expect(await docker(["image", "inspect", "-f", "{{.Id}}", "stevedore-test/tree-c:1"])).toBe(ids.c);
  });

  it("pushes a tag and an untag made on the engine by hand to a watching browser within a second, no polling", async () => {
    const controller = new AbortController();
    const events = subscription(h.stack.url, viewerCookie, "fleet.changes", undefined, controller.signal);
    await events.next(); // the stream is open
    const taggedByHand = async () => (await viewer.images.list.query({ q: "by-hand" })).items.some((i) => i.repoTags.includes("stevedore-test/by-hand:1"));
    /** Time from `act` until an "images" change for the host arrives after which the list shows `want` (earlier changes, an earlier test's echoes, are read past). */
    const pushed = async (act: () => Promise<unknown>, want: boolean) => {
      const started = performance.now();
      await act();
      // next(), not for-await: leaving a for-await loop would close the stream for the second change.
      for (let r = await events.next(); !r.done; r = await events.next()) {
        const e = r.value;
        const batch = (e as { json?: { kind: string; hostId: string }[] }).json ?? (e as { kind: string; hostId: string }[]);
        if (Array.isArray(batch) && batch.some((c) => c.kind === "images" && c.hostId === h.hostId) && (await taggedByHand()) === want) return performance.now() - started;
      }
      throw new Error("the stream ended");
    };
    try {
      const tagMs = await pushed(() => docker(["tag", "stevedore-test/tree-c:1", "stevedore-test/by-hand:1"]), true);
      const untagMs = await pushed(() => docker(["rmi", "stevedore-test/by-hand:1"]), false);
      // The docker CLI's own start-up is in these; the agent's debounce is 150 ms and the stream's 100 ms.
      console.log(`engine tag → change pushed: ${tagMs.toFixed(0)} ms; untag: ${untagMs.toFixed(0)} ms`);
      expect(tagMs).toBeLessThan(1_000);
      expect(untagMs).toBeLessThan(1_000);
    } finally {
      controller.abort();
    }
  });

  it("refuses image changes to a viewer, on the server", async () => {
    await expect(viewer.images.remove.mutate({ hostId: h.hostId, ref: ids.c!, force: true })).rejects.toThrow(/operator/);
    await expect(viewer.images.tag.mutate({ hostId: h.hostId, id: ids.c!, target: { repository: "x", tag: "y" } })).rejects.toThrow(/operator/);
    await expect(viewer.images.prune.mutate({ hostId: h.hostId, all: true })).rejects.toThrow(/operator/);
    expect(await docker(["image", "inspect", "-f", "{{.Id}}", "stevedore-test/tree-c:1"])).toBe(ids.c);
  });
});
