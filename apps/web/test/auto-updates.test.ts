import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RolloutState } from "../server/containers/rollouts";
import { TEST_LABEL, docker, waitFor } from "./support/engine";
import { TestRegistry, pushMarkedImage } from "./support/registry";
import { type StackWithHost, startStackWithHost } from "./support/stack";

/** A healthcheck that passes at once: the health gate takes a second, not the 30 s of watching. */
const HEALTHY = { healthcheck: "--interval=1s --timeout=1s --retries=1 CMD true" };
/** Sunday 02:00–03:00 UTC; 2026-12-06 is a Sunday. */
const WINDOW = { days: [0], start: "02:00", durationMinutes: 60, timeZone: "UTC" };
const IN_WINDOW = new Date("2026-12-06T02:30:00Z");
const OUT_OF_WINDOW = new Date("2026-12-09T12:00:00Z");

describe("automatic updates: what the admins' update policy allows, in its window, audited as Stevedore's", () => {
  let h: StackWithHost;
  let registry: TestRegistry;
  const containers: string[] = [];
  const images: string[] = [];

  beforeAll(async () => {
    registry = await TestRegistry.start();
    h = await startStackWithHost("auto-updates-host");
    // The test says when Stevedore looks, not the minute timer.
    h.stack.cp.services.autoUpdates.stop();
  });
  afterAll(async () => {
    const left = (await docker(["ps", "-aq", "--filter", "name=auto-"]).catch(() => "")).split("\n").filter(Boolean);
    if (left.length) await docker(["rm", "-f", ...left]).catch(() => "");
    await h.agent.stop();
    await h.stack.close();
    await registry.stop();
    await docker(["rmi", "-f", ...images]).catch(() => "");
  });

  async function run(name: string, image: string, labels: Record<string, string> = {}): Promise<string> {
    const flags = Object.entries(labels).flatMap(([k, v]) => ["--label", `${k}=${v}`]);
    // sleep as PID 1 ignores SIGTERM: a short stop timeout keeps the recreate's stop short.
    const id = (await docker(["run", "-d", "--name", name, "--label", TEST_LABEL, "--stop-timeout", "1", ...flags, `${registry.host}/${image}`])).trim();
    containers.push(id);
    await waitFor(async () => (await h.api.containers.list.query({ q: name })).items.some((c) => c.name === name && c.state === "running"), { what: `${name} in the fleet view` });
    return id;
  }
  async function finished(rollout: RolloutState): Promise<RolloutState> {
    return waitFor(() => {
      const state = h.stack.cp.services.rollouts.get(rollout.id);
      return state?.done ? structuredClone(state) : null;
    }, { timeoutMs: 90_000, what: "the automatic rollout to finish" });
  }
  const imageOf = async (name: string) => (await docker(["inspect", "-f", "{{.Config.Image}} {{.Image}}", name])).trim();

  it("moves digest- and minor-policy containers in the window only, never a notify one nor a major version, and does not retry a failed one", async () => {
    images.push(await pushMarkedImage(registry, ["stevedore-test/auto-app:1.0.0"], "app-v1", HEALTHY));
    images.push(await pushMarkedImage(registry, ["stevedore-test/auto-crash:1.0.0"], "crash-v1", HEALTHY));
    images.push(await pushMarkedImage(registry, ["stevedore-test/auto-ver:1.0.0"], "ver-1.0.0", HEALTHY));
    await run("auto-digest", "stevedore-test/auto-app:1.0.0");
    await run("auto-notify", "stevedore-test/auto-app:1.0.0", { "io.stevedore.update": "notify" });
    await run("auto-crash", "stevedore-test/auto-crash:1.0.0");
    await run("auto-minor", "stevedore-test/auto-ver:1.0.0", { "io.stevedore.update": "minor" });
    const before = { notify: await imageOf("auto-notify"), crash: await imageOf("auto-crash") };

    // The registry moves on: a new image under auto-app:1.0.0, a crashing one under auto-crash:1.0.0, newer versions of auto-ver.
    const appV2 = await pushMarkedImage(registry, ["stevedore-test/auto-app:1.0.0"], "app-v2", HEALTHY);
    images.push(appV2);
    images.push(await pushMarkedImage(registry, ["stevedore-test/auto-crash:1.0.0"], "crash-v2", { ...HEALTHY, cmd: ["sh", "-c", "exit 1"] }));
    images.push(await pushMarkedImage(registry, ["stevedore-test/auto-ver:1.0.1"], "ver-1.0.1", HEALTHY));
    const ver110 = await pushMarkedImage(registry, ["stevedore-test/auto-ver:1.1.0"], "ver-1.1.0", HEALTHY);
    images.push(ver110);
    images.push(await pushMarkedImage(registry, ["stevedore-test/auto-ver:2.0.0"], "ver-2.0.0", HEALTHY));
    await h.api.updates.check.mutate({ hostIds: [h.hostId] });

    // The fleet default (notify) moves nothing by itself; the container whose label says minor moves.
    const labelled = await Promise.all((await h.stack.cp.services.autoUpdates.run(IN_WINDOW)).map(finished));
    expect(labelled.flatMap((r) => r.targets.map((t) => [t.name, t.phase, t.toImageId]))).toEqual([["auto-minor", "replaced", ver110]]);

    await h.api.settings.setUpdatePolicy.mutate({ fleet: { policy: "digest", window: WINDOW }, groups: [] });
    // The Updates page says which containers will move by themselves, and when.
    const row = (await h.api.updates.list.query()).find((r) => r.reference === `${registry.host}/stevedore-test/auto-app:1.0.0`)!;
    expect(Object.fromEntries(row.containers.map((c) => [c.name, c.automatic]))).toEqual({ "auto-digest": "to its tag's new image, Sun from 02:00 for 60 min UTC (the fleet default)", "auto-notify": null });
    expect(await h.stack.cp.services.autoUpdates.run(OUT_OF_WINDOW)).toEqual([]);

    const rollouts = await Promise.all((await h.stack.cp.services.autoUpdates.run(IN_WINDOW)).map(finished));
    const byName = Object.fromEntries(rollouts.flatMap((r) => r.targets.map((t) => [t.name, t])));
    expect(Object.keys(byName).sort()).toEqual(["auto-crash", "auto-digest"]);
    expect(byName["auto-digest"]).toMatchObject({ phase: "replaced", toImageId: appV2 });
    expect(byName["auto-crash"]!.phase).toBe("rolled-back");

    expect(await imageOf("auto-digest")).toBe(`${registry.host}/stevedore-test/auto-app:1.0.0 ${appV2}`);
    // The newest minor, not 2.0.0: a major version is a person's decision.
    expect(await imageOf("auto-minor")).toBe(`${registry.host}/stevedore-test/auto-ver:1.1.0 ${ver110}`);
    expect(await imageOf("auto-notify")).toBe(before.notify);
    expect(await imageOf("auto-crash")).toBe(before.crash);

    const entries = await h.stack.cp.services.db.auditEntry.findMany({ where: { action: "container.update", phase: { not: "requested" } } });
    const entry = (name: string) => {
      const e = entries.find((x) => x.targetName === name)!;
      return { phase: e.phase, actorType: e.actorType, actorName: e.actorName, params: JSON.parse(e.params!) as Record<string, unknown> };
    };
    expect(entry("auto-digest")).toMatchObject({
      phase: "succeeded",
      actorType: "system",
      actorName: "Stevedore (update policy)",
      params: { automatic: true, policy: "digest (the fleet default)", reason: `${registry.host}/stevedore-test/auto-app:1.0.0 names a newer image`, toImageId: appV2 },
    });
    expect(entry("auto-minor")).toMatchObject({
      phase: "succeeded",
      actorType: "system",
      params: { automatic: true, policy: "minor (the container's io.stevedore.update label)", reason: "1.1.0 is a newer minor version of 1.0.0", reference: `${registry.host}/stevedore-test/auto-ver:1.1.0`, fromReference: `${registry.host}/stevedore-test/auto-ver:1.0.0` },
    });
    expect(entry("auto-crash")).toMatchObject({ phase: "failed", actorType: "system", params: { automatic: true } });

    // Looked at again before another check: the crashing image is not tried again, the rest is current.
    expect(await h.stack.cp.services.autoUpdates.run(IN_WINDOW)).toEqual([]);
    // The next check gives the failed one another try.
    await h.api.updates.check.mutate({ hostIds: [h.hostId] });
    const retried = await h.stack.cp.services.autoUpdates.plan(IN_WINDOW);
    expect(retried.flatMap((p) => p.targets.map((t) => t.id))).toEqual([(await docker(["inspect", "-f", "{{.Id}}", "auto-crash"])).trim()]);
  }, 180_000);
});
