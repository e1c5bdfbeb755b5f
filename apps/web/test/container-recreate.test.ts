// Once per run: the engine, the agent and the protocol are what this tests; the database work on its way (hosts, audit entries) is proven on PostgreSQL by the files that test it (scripts/test.sh).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PREVIOUS_IMAGE_LABEL, REQUEST_ID_LABEL, STARTED_BY_LABEL } from "@stevedore/protocol";
import type { RolloutState } from "../server/containers/rollouts";
import { SecondEngine, TEST_LABEL, docker, removeTestContainers, runContainer, waitFor } from "./support/engine";
import { TestRegistry, pushMarkedImage } from "./support/registry";
import { AgentProcess, type StackWithHost, apiClient, signIn, startStackWithHost } from "./support/stack";

const REPO = "stevedore-test/recreate-app";
/** Short gates: the default 30 s is the product's, not the suite's. */
const OPTIONS = { gate: { stableSeconds: 2, healthTimeoutSeconds: 20 }, batchSize: 1 };

type Inspect = {
  Id: string;
  Name: string;
  Image: string;
  State: { Running: boolean; Health?: { Status: string } };
  Config: { Env: string[]; Labels: Record<string, string>; Hostname: string; User: string; WorkingDir: string; Cmd: string[] | null; StopSignal?: string };
  HostConfig: { PortBindings: unknown; RestartPolicy: unknown; Memory: number; NanoCpus: number; Mounts?: unknown };
  NetworkSettings: { Networks: Record<string, { Aliases: string[] | null }> };
};

async function inspect(id: string, socket?: string): Promise<Inspect> {
  return (JSON.parse(await docker(["inspect", id], socket)) as Inspect[])[0]!;
}

/** What a recreate must keep, field by field (the labels without those each run sets anew). */
function kept(c: Inspect) {
  const labels = Object.fromEntries(Object.entries(c.Config.Labels).filter(([k]) => ![REQUEST_ID_LABEL, STARTED_BY_LABEL, PREVIOUS_IMAGE_LABEL, "stevedore.test.marker"].includes(k)));
  const networks = Object.fromEntries(Object.entries(c.NetworkSettings.Networks).map(([n, e]) => [n, (e.Aliases ?? []).filter((a) => !c.Id.startsWith(a))]));
  return {
    name: c.Name,
    env: c.Config.Env.filter((e) => !e.startsWith("PATH=")),
    labels,
    hostname: c.Config.Hostname,
    user: c.Config.User,
    workingDir: c.Config.WorkingDir,
    cmd: c.Config.Cmd,
    stopSignal: c.Config.StopSignal,
    ports: c.HostConfig.PortBindings,
    restart: c.HostConfig.RestartPolicy,
    memory: c.HostConfig.Memory,
    cpus: c.HostConfig.NanoCpus,
    mounts: c.HostConfig.Mounts,
    networks,
  };
}

describe("recreate, update and rollback: a new container under the name only once it has proved itself", () => {
  let h: StackWithHost;
  let registry: TestRegistry;
  let viewer: ReturnType<typeof apiClient>;
  const images: string[] = [];

  beforeAll(async () => {
    registry = await TestRegistry.start();
    h = await startStackWithHost("recreate-host");
    await h.api.users.create.mutate({ email: "view@rec.test", name: "View", role: "viewer", password: "view-password-123" });
    viewer = apiClient(h.stack.url, await signIn(h.stack.url, "view@rec.test", "view-password-123"));
    await docker(["network", "create", "--label", TEST_LABEL, "stv-rec-net"]).catch(() => "");
  });
  afterAll(async () => {
    await removeTestContainers();
    await docker(["network", "rm", "stv-rec-net"]).catch(() => "");
    await docker(["volume", "rm", "stv-rec-data"]).catch(() => "");
    await h.agent.stop();
    await h.stack.close();
    await registry.stop();
    await docker(["rmi", "-f", ...images]).catch(() => "");
  });

  async function finished(rolloutId: string): Promise<RolloutState> {
    return waitFor(() => {
      const state = h.stack.cp.services.rollouts.get(rolloutId);
      return state?.done ? structuredClone(state) : null;
    }, { timeoutMs: 60_000, what: "the rollout to finish" });
  }
  async function inFleet(name: string, imageId?: string) {
    return waitFor(async () => (await h.api.containers.list.query({ q: name })).items.find((c) => c.name === name && c.state === "running" && (!imageId || c.imageId === imageId)), { what: `${name} running in the fleet view` });
  }
  async function runApp(name: string, tag: string) {
    const [result] = await h.api.containers.run.mutate({
      hostIds: [h.hostId],
      spec: {
        image: `${registry.host}/${REPO}:${tag}`,
        name,
        env: ["MODE=prod", "GREETING=hello world", "DB_PASSWORD=hunter2-secret"],
        labels: { "stevedore.test": "1", team: "payments" },
        ports: [{ containerPort: 8080, hostPort: 0, protocol: "tcp" }],
        mounts: [{ type: "volume", source: "stv-rec-data", target: "/data", readOnly: false }],
        restartPolicy: { name: "unless-stopped" },
        memoryBytes: 64 * 1024 * 1024,
        cpus: 0.5,
        hostname: "app-host",
        user: "65534:65534",
        workingDir: "/tmp",
        stopSignal: "SIGINT",
        // sleep as PID 1 ignores signals: the stop would wait the whole timeout.
        stopTimeoutSeconds: 1,
        networks: [{ name: "stv-rec-net", aliases: ["app"] }],
      },
    });
    if (!result?.ok) throw new Error(`run failed: ${JSON.stringify(result)}`);
    await inFleet(name);
    return result.result.id;
  }

  it("updates to the image the tag names now keeping every setting, audits both digests, and rolls back by hand to the previous image", async () => {
    const v1 = await pushMarkedImage(registry, [`${REPO}:1`], "v1");
    images.push(v1);
    const oldId = await runApp("rec-app", "1");
    const before = await inspect(oldId);
    const v2 = await pushMarkedImage(registry, [`${REPO}:1`], "v2");
    images.push(v2);

    const { rolloutId } = await h.api.containers.update.mutate({ targets: [{ hostId: h.hostId, id: oldId }], options: OPTIONS });
    const state = await finished(rolloutId);
    expect(state.targets[0]).toMatchObject({ phase: "replaced", fromImageId: v1, toImageId: v2, message: "ran 2 s without a restart" });
    expect(state.targets[0]!.pullId).toMatch(/^pull_/);
    const newId = state.targets[0]!.currentId!;
    expect(newId).not.toBe(oldId);
    const after = await inspect(newId);
    expect(after.Image).toBe(v2);
    expect(kept(after)).toEqual(kept(before));
    expect(after.Config.Labels[PREVIOUS_IMAGE_LABEL]).toBe(v1);
    await expect(docker(["inspect", oldId])).rejects.toThrow(/No such object/);

    const entries = await h.stack.cp.services.db.auditEntry.findMany({ where: { action: "container.update" }, orderBy: { seq: "asc" } });
    expect(entries.map((e) => e.phase)).toEqual(["requested", "succeeded"]);
    expect(JSON.parse(entries[1]!.params!)).toMatchObject({ fromImageId: v1, toImageId: v2, outcome: "replaced", gatedBy: "stable", reference: `${registry.host}/${REPO}:1` });
    // Redacted as a run's command line is: a secret's value never reaches the trail.
    expect(entries[1]!.params).toContain("-e 'DB_PASSWORD=[redacted]'");
    expect(entries.map((e) => e.params).join()).not.toContain("hunter2");

    // Updating again: the pull brings the same image, so nothing is recreated.
    const again = await finished((await h.api.containers.update.mutate({ targets: [{ hostId: h.hostId, id: newId }], options: OPTIONS })).rolloutId);
    expect(again.targets[0]).toMatchObject({ phase: "up-to-date", currentId: null });

    await inFleet("rec-app", v2);
    const back = await finished((await h.api.containers.rollback.mutate({ hostId: h.hostId, id: newId, options: OPTIONS })).rolloutId);
    expect(back.targets[0]).toMatchObject({ phase: "replaced", fromImageId: v2, toImageId: v1 });
    expect(kept(await inspect(back.targets[0]!.currentId!))).toEqual(kept(before));
  });

  it("rolls back automatically when the new image exits 1: the old container serves again under its name", async () => {
    images.push(await pushMarkedImage(registry, [`${REPO}:crash`], "ok"));
    const oldId = await runApp("rec-crash", "crash");
    images.push(await pushMarkedImage(registry, [`${REPO}:crash`], "crash", { cmd: ["sh", "-c", "echo starting; sleep 0.5; exit 1"] }));
    const state = await finished((await h.api.containers.update.mutate({ targets: [{ hostId: h.hostId, id: oldId }], options: OPTIONS })).rolloutId);
    expect(state.targets[0]).toMatchObject({ phase: "rolled-back", currentId: oldId, message: expect.stringMatching(/^the new container (exited with code 1|restarted) after [\d.]+ s/) });
    const restored = await inspect(oldId);
    expect(restored).toMatchObject({ Name: "/rec-crash", State: { Running: true } });
    expect((await docker(["ps", "-aq", "--filter", "name=rec-crash"])).trim().split("\n")).toEqual([oldId.slice(0, 12)]);
    const failed = await h.stack.cp.services.db.auditEntry.findFirstOrThrow({ where: { action: "container.update", targetId: oldId, phase: "failed" } });
    expect(failed.error).toMatch(/^rolled back automatically: the new container/);
  });

  it("rolls back when the new image's healthcheck fails, and waits for healthy when it passes", async () => {
    images.push(await pushMarkedImage(registry, [`${REPO}:health`], "healthy", { healthcheck: "--interval=1s --timeout=1s --retries=1 CMD true" }));
    const oldId = await runApp("rec-health", "health");
    images.push(await pushMarkedImage(registry, [`${REPO}:health`], "sick", { healthcheck: "--interval=1s --timeout=1s --retries=1 CMD false" }));
    const sick = await finished((await h.api.containers.update.mutate({ targets: [{ hostId: h.hostId, id: oldId }], options: OPTIONS })).rolloutId);
    expect(sick.targets[0]).toMatchObject({ phase: "rolled-back", message: expect.stringMatching(/^the new container is unhealthy: the last check exited 1/) });
    expect((await inspect(oldId)).State.Running).toBe(true);

    images.push(await pushMarkedImage(registry, [`${REPO}:health`], "healthy-again", { healthcheck: "--interval=1s --timeout=1s --retries=1 CMD true" }));
    const healthy = await finished((await h.api.containers.update.mutate({ targets: [{ hostId: h.hostId, id: oldId }], options: OPTIONS })).rolloutId);
    expect(healthy.targets[0]).toMatchObject({ phase: "replaced", message: "healthy" });
    expect((await inspect(healthy.targets[0]!.currentId!)).State.Health?.Status).toBe("healthy");
  });

  it("edit and recreate takes the changed spec; a privileged container is refused, a viewer too", async () => {
    const id = await runContainer("rec-edit", ["sleep", "100000"], undefined, ["--stop-timeout", "1"]);
    await inFleet("rec-edit");
    const { spec } = await h.api.containers.spec.query({ hostId: h.hostId, id });
    const state = await finished((await h.api.containers.recreate.mutate({ hostId: h.hostId, id, spec: { ...spec!, env: [...spec!.env, "ADDED=1"] }, options: OPTIONS })).rolloutId);
    expect(state.targets[0]).toMatchObject({ phase: "replaced" });
    expect((await inspect(state.targets[0]!.currentId!)).Config.Env).toContain("ADDED=1");

    // Created, not started: this sandbox's engine cannot start privileged containers; the spec is the same.
    const privileged = (await docker(["create", "--name", "rec-privileged", "--label", TEST_LABEL, "--privileged", "stevedore-test/busybox:latest", "sleep", "100000"])).trim();
    await waitFor(async () => (await h.api.containers.list.query({ q: "rec-privileged" })).items.length === 1, { what: "the privileged container in the fleet view" });
    const refused = await finished((await h.api.containers.update.mutate({ targets: [{ hostId: h.hostId, id: privileged }], options: OPTIONS })).rolloutId);
    expect(refused.targets[0]).toMatchObject({ phase: "failed", message: expect.stringMatching(/^this container cannot be recreated from Stevedore: it uses --privileged, .*which a run spec does not carry$/) });
    expect((await inspect(privileged)).Name).toBe("/rec-privileged");
    await expect(viewer.containers.update.mutate({ targets: [{ hostId: h.hostId, id }] })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });

  it("a rolling update over two engines stops at the first failure: the second host is not touched", async () => {
    const engine2 = new SecondEngine(fs.mkdtempSync(path.join(os.tmpdir(), "stv-rec-h2-")));
    let agent2: AgentProcess | null = null;
    try {
      await engine2.start();
      await engine2.loadTestImage();
      agent2 = AgentProcess.start({ url: h.stack.url, token: await h.stack.joinToken(), credentials: path.join(h.stack.dataDir, "rec-a2.json"), hostname: "recreate-host-2", socket: engine2.socket });
      const host2 = await waitFor(async () => (await h.api.hosts.list.query()).find((x) => x.name === "recreate-host-2" && x.status === "online")?.id, { what: "the second host online" });
      images.push(await pushMarkedImage(registry, [`${REPO}:roll`], "roll-ok"));
      const first = await runApp("rec-roll", "roll");
      const second = await runContainer("rec-roll", ["sleep", "100000"], engine2.socket);
      await waitFor(async () => (await h.api.containers.list.query({ q: "rec-roll" })).items.filter((c) => c.state === "running").length === 2, { what: "both hosts' containers" });
      images.push(await pushMarkedImage(registry, [`${REPO}:roll`], "roll-crash", { cmd: ["sh", "-c", "exit 1"] }));

      const state = await finished((await h.api.containers.update.mutate({ targets: [{ hostId: h.hostId, id: first }, { hostId: host2, id: second }], options: OPTIONS })).rolloutId);
      expect(state.targets.map((t) => [t.hostName, t.phase])).toEqual([
        ["recreate-host", "rolled-back"],
        ["recreate-host-2", "skipped"],
      ]);
      expect(state.stopped).toMatch(/^rec-roll on recreate-host: the new container/);
      expect(state.targets[1]!.message).toBe("not reached: the rollout stopped at the first failure");
      expect((await inspect(second, engine2.socket)).State.Running).toBe(true);
    } finally {
      await agent2?.stop();
      await removeTestContainers(engine2.socket).catch(() => {});
      await engine2.stop();
      fs.rmSync(engine2.dir, { recursive: true, force: true });
    }
  });
});
