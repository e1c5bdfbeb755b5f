// Once per run: the engine, the agent and the protocol are what this tests; the database work on its way (hosts, audit entries) is proven on PostgreSQL by the files that test it (scripts/test.sh).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PullState } from "../server/images/image-pulls";
import { docker, waitFor } from "./support/engine";
import { TestRegistry, pushLayeredImage, startSlowProxy } from "./support/registry";
import { type StackWithHost, apiClient, signIn, startStackWithHost } from "./support/stack";

describe("image pull with per-layer progress", () => {
  let h: StackWithHost;
  let registry: TestRegistry;
  let image: string;
  let operator: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    registry = await TestRegistry.start();
    image = await pushLayeredImage(registry);
    h = await startStackWithHost("pull-host");
    await h.api.users.create.mutate({ email: "puller@stevedore.test", name: "Puller", role: "operator", password: "puller-password-1" });
    operator = apiClient(h.stack.url, await signIn(h.stack.url, "puller@stevedore.test", "puller-password-1"));
  });
  afterAll(async () => {
    await h.agent.stop();
    await h.stack.close();
    await registry.stop();
    await docker(["image", "prune", "-af", "--filter", "label=stevedore.test=1"]).catch(() => "");
  });

  /** Every state the pull went through, as the service reported it, until done. */
  async function follow(pullId: string): Promise<PullState[]> {
    const pulls = h.stack.cp.services.pulls;
    const seen: PullState[] = [];
    await new Promise<void>((resolve) => {
      const record = () => {
        const state = structuredClone(pulls.get(pullId)!);
        seen.push(state);
        if (state.done) {
          stop();
          resolve();
        }
      };
      const stop = pulls.watch(pullId, record);
      record();
    });
    return seen;
  }

  it("pulls through a slow network with layer progress, records the digest, and the image shows on the host", async () => {
    const proxy = await startSlowProxy(registry.host, 4 * 1024 * 1024);
    const ref = image.replace(registry.host, proxy.host);
    try {
      const { pullId } = await operator.images.pull.mutate({ hostIds: [h.hostId], reference: ref });
      const states = await follow(pullId);
      const final = states.at(-1)!.hosts[0]!;
      expect(final).toMatchObject({ phase: "succeeded", error: null });
      expect(final.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
      const repoDigests = await docker(["image", "inspect", "-f", "{{json .RepoDigests}}", ref]);
      expect(repoDigests).toContain(final.digest!);
      expect(final.imageId).toBe(await docker(["image", "inspect", "-f", "{{.Id}}", ref]));

      // The busybox base was already on the host; the two data layers were downloaded, with byte counts.
      const phases = new Set(states.flatMap((s) => s.hosts[0]!.layers.map((l) => l.phase)));
      expect(phases).toContain("exists");
      expect(phases).toContain("downloading");
      const downloading = states.flatMap((s) => s.hosts[0]!.layers).find((l) => l.phase === "downloading" && l.total);
      expect(downloading!.current).toBeLessThanOrEqual(downloading!.total!);
      expect(final.layers.filter((l) => l.phase === "complete")).toHaveLength(2);

      const audit = await h.stack.cp.services.audit.list({ action: "image.pull" });
      const entries = audit.items.filter((e) => e.requestId === final.requestId);
      expect(entries.map((e) => e.phase).sort()).toEqual(["requested", "succeeded"]);
      expect(entries.find((e) => e.phase === "succeeded")).toMatchObject({ actorName: "puller@stevedore.test", targetName: ref });
      expect(JSON.parse(entries.find((e) => e.phase === "succeeded")!.params!)).toMatchObject({ digest: final.digest });

      // The agent refreshes the host's images after the engine's pull event.
      await waitFor(() => h.stack.cp.services.fleet.hostImages(h.hostId).some((i) => i.repoTags.includes(ref)), { what: "the pulled image in the fleet view" });
    } finally {
      await proxy.close();
      await docker(["rmi", "-f", ref]).catch(() => "");
    }
  });

  it("cancel stops the pull at the engine, and the image is not there", async () => {
    const proxy = await startSlowProxy(registry.host, 256 * 1024);
    const ref = image.replace(registry.host, proxy.host);
    try {
      const { pullId } = await operator.images.pull.mutate({ hostIds: [h.hostId], reference: ref });
      await waitFor(() => h.stack.cp.services.pulls.get(pullId)!.hosts[0]!.layers.some((l) => l.phase === "downloading"), { what: "a layer downloading" });
      expect(await operator.images.cancelPull.mutate({ pullId })).toEqual({ cancelled: true });
      const final = (await follow(pullId)).at(-1)!.hosts[0]!;
      expect(final).toMatchObject({ phase: "cancelled", error: { code: "cancelled" } });
      expect(await docker(["images", "-q", ref])).toBe("");
      const failed = (await h.stack.cp.services.audit.list({ action: "image.pull", phase: "failed" })).items.find((e) => e.requestId === final.requestId);
      expect(failed?.error).toMatch(/cancel/);
    } finally {
      await proxy.close();
    }
  });

  it("reports a missing tag and an unreachable registry in the engine's words, per host", async () => {
    const { pullId } = await operator.images.pull.mutate({ hostIds: [h.hostId], reference: `${registry.host}/stevedore-test/layered:nope` });
    const missing = (await follow(pullId)).at(-1)!.hosts[0]!;
    expect(missing).toMatchObject({ phase: "failed", error: { code: "not_found" } });
    expect(missing.error!.message).toMatch(/manifest unknown|not found/i);

    // A host the caller cannot see (or that does not exist) refuses the whole request, naming nothing of it.
    await expect(operator.images.pull.mutate({ hostIds: [h.hostId, "host_gone"], reference: "127.0.0.1:1/nothing:1" })).rejects.toThrow("you have no access to host host_gone");
    const { pullId: second } = await operator.images.pull.mutate({ hostIds: [h.hostId], reference: "127.0.0.1:1/nothing:1" });
    const [onHost] = (await follow(second)).at(-1)!.hosts;
    expect(onHost).toMatchObject({ phase: "failed" });
    expect(onHost!.error!.message).toMatch(/connection refused|dial tcp/i);
  });

  it("refuses a viewer, a bad reference, and a cancel by someone else", async () => {
    await h.api.users.create.mutate({ email: "watcher@stevedore.test", name: "Watcher", role: "viewer", password: "watcher-password-1" });
    const viewer = apiClient(h.stack.url, await signIn(h.stack.url, "watcher@stevedore.test", "watcher-password-1"));
    await expect(viewer.images.pull.mutate({ hostIds: [h.hostId], reference: image })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(operator.images.pull.mutate({ hostIds: [h.hostId], reference: "Not A Reference!" })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });

    const proxy = await startSlowProxy(registry.host, 64 * 1024);
    try {
      const { pullId } = await h.api.images.pull.mutate({ hostIds: [h.hostId], reference: image.replace(registry.host, proxy.host) });
      await expect(operator.images.cancelPull.mutate({ pullId })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
      expect(await h.api.images.cancelPull.mutate({ pullId })).toEqual({ cancelled: true });
      await follow(pullId);
    } finally {
      await proxy.close();
    }
  });
});
