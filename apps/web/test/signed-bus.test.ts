// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
import crypto from "node:crypto";
import path from "node:path";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisBus } from "../server/cluster/bus";
import type { BusRejectionCounts } from "../server/cluster/bus-rejections";
import { BusSeal } from "../server/cluster/bus-seal";
import type { PullState } from "../server/images/image-pulls";
import { TEST_IMAGE, docker, ensureTestImage, removeTestContainers, waitFor } from "./support/engine";
import { startRedis, type TestRedis } from "./support/redis";
import { TestRegistry, pushLayeredImage } from "./support/registry";
import { createPostgresDatabase, type TestDatabase } from "./support/shared-database";
import { subscription } from "./support/sse";
import { AgentProcess, apiClient, signIn, startStack, type TestStack } from "./support/stack";
import { TerminalClient } from "./support/terminal-client";

const BUS_KEY = "signed-bus-test-key-".repeat(2);
const REGISTRY_PASSWORD = "relayed-registry-pass-7f3a";
const PREFIX = "stevedore:";

interface Captured {
  channel: string;
  raw: string;
}

/**
 * Two replicas (in this process, so their bus counters can be read) on one Redis and one PostgreSQL,
 * the agent on A. Whoever else reaches Redis — here a raw ioredis client, even logged in as the
 * replicas' own ACL user — can neither make A act nor forge what A reads from Redis.
 */
describe("the signed bus", () => {
  let redis: TestRedis;
  let database: TestDatabase;
  let a: TestStack;
  let b: TestStack;
  let agent: AgentProcess;
  let intruder: Redis;
  let cookieA: string;
  let cookieB: string;
  let hostId: string;
  let channelA: string;
  const seal = new BusSeal(BUS_KEY);

  const apiA = () => apiClient(a.url, cookieA);
  const apiB = () => apiClient(b.url, cookieB);
  const rejectedByA = (): BusRejectionCounts => a.cp.services.bus.rejections();

  /** Publishes as the intruder and waits until A has dropped it for `reason`: the positive signal that A decided. */
  async function publishDropped(channel: string, raw: string, reason: keyof BusRejectionCounts): Promise<void> {
    const before = rejectedByA()[reason];
    await intruder.publish(PREFIX + channel, raw);
    await waitFor(() => rejectedByA()[reason] > before, { what: `A to drop the message (${reason})` });
  }

  /** What a replica sends the one holding a host's agent to run a container there. */
  const runCall = (name: string) => ({
    t: "call",
    id: crypto.randomUUID(),
    from: "intruder",
    method: "agent.request",
    params: { hostId, method: "container.run", args: { spec: { image: TEST_IMAGE, cmd: ["sleep", "1000"], name, labels: { "stevedore.test": "1" } } }, timeoutMs: 30_000 },
    timeoutMs: 30_000,
  });
  const containerNamed = (name: string) => docker(["ps", "-aq", "--filter", `name=^${name}$`]);

  /** Every message on the bus while `fn` runs, as Redis carries it. */
  async function capture(fn: () => Promise<void>): Promise<Captured[]> {
    const spy = new Redis(redis.url);
    const seen: Captured[] = [];
    spy.on("pmessageBuffer", (_pattern: Buffer, channel: Buffer, raw: Buffer) => seen.push({ channel: channel.toString().slice(PREFIX.length), raw: raw.toString() }));
    await spy.psubscribe(`${PREFIX}*`);
    try {
      await fn();
    } finally {
      await spy.quit();
    }
    return seen;
  }

  beforeAll(async () => {
    await ensureTestImage();
    redis = await startRedis({ user: { name: "stevedore", password: "replicas-acl-pass-123" } });
    database = await createPostgresDatabase();
    const env = { REDIS_URL: redis.url, DATABASE_URL: database.url, AUTH_SECRET: "signed-bus-auth-secret-".repeat(2), SECRETS_KEY: "signed-bus-secrets-key-".repeat(2), AUDIT_KEY: "signed-bus-audit-key-".repeat(2), BUS_KEY };
    a = await startStack(env);
    b = await startStack(env);
    [cookieA, cookieB] = [await signIn(a.url), await signIn(b.url)];
    channelA = `replica:${(a.cp.services.bus as RedisBus).replicaId}`;
    intruder = new Redis(redis.url);
    agent = AgentProcess.start({ url: a.url, token: await a.joinToken(), credentials: path.join(a.dataDir, "agent.json"), hostname: "signed-bus" });
    hostId = await waitFor(async () => (await apiB().hosts.list.query()).find((h) => h.name === "signed-bus" && h.status === "online")?.id, { timeoutMs: 20_000, what: "the host online as B sees it" });
  }, 120_000);

  afterAll(async () => {
    await agent?.stop();
    intruder?.disconnect();
    await Promise.allSettled([a?.close(), b?.close()]);
    await redis?.stop();
    await database?.drop();
    await removeTestContainers();
  });

  it("obeys an agent.request sealed with the bus key (the control for what follows)", async () => {
    await intruder.publish(PREFIX + channelA, seal.seal(channelA, "intruder", runCall("bus-control")));
    await waitFor(async () => (await containerNamed("bus-control")) || null, { timeoutMs: 20_000, what: "the container the sealed call runs" });
  });

  it("drops a forged agent.request, unsigned or signed with another key: nothing runs, the drop is counted", async () => {
    await publishDropped(channelA, JSON.stringify({ from: "intruder", m: runCall("forged-unsigned") }), "unsigned");
    await publishDropped(channelA, new BusSeal("not-the-bus-key-not-the-bus-key!").seal(channelA, "intruder", runCall("forged-wrong-key")), "bad_signature");
    // A genuine envelope for another channel, moved to A's.
    await publishDropped(channelA, seal.seal("replica:elsewhere", "intruder", runCall("forged-moved")), "bad_signature");
    for (const name of ["forged-unsigned", "forged-wrong-key", "forged-moved"]) expect(await containerNamed(name), name).toBe("");
    // Nor can it change the fleet view: a forged removal of the host leaves it listed and online.
    await publishDropped("fleet", JSON.stringify({ from: "intruder", m: { op: "host.remove", hostId } }), "unsigned");
    expect((await apiA().hosts.list.query()).find((h) => h.id === hostId)).toMatchObject({ status: "online" });
  });

  it("drops a stale message, and a genuine one replayed", async () => {
    await publishDropped(channelA, seal.seal(channelA, "intruder", runCall("forged-stale"), Date.now() - 60_000), "stale");
    expect(await containerNamed("forged-stale")).toBe("");

    // B runs a container on A's host; the call it sent is captured off the wire and sent again.
    const label = `stevedore.test.replay=${crypto.randomUUID()}`;
    const seen = await capture(async () => {
      const [ran] = await apiB().containers.run.mutate({ hostIds: [hostId], spec: { image: TEST_IMAGE, cmd: ["sleep", "1000"], labels: { "stevedore.test": "1", [label.split("=")[0]!]: label.split("=")[1]! } } });
      expect(ran).toMatchObject({ ok: true });
    });
    const call = seen.find((m) => m.channel === channelA && (seal.open(m.channel, m.raw) as { payload?: { t?: string } }).payload?.t === "call");
    expect(call).toBeDefined();
    await publishDropped(channelA, call!.raw, "replayed");
    expect((await docker(["ps", "-aq", "--filter", `label=${label}`])).split("\n").filter(Boolean)).toHaveLength(1);
  });

  it("refuses a ticket written into Redis by hand: a signed grant moved to another ticket, or an unsigned one", async () => {
    const [started] = await apiA().containers.run.mutate({ hostIds: [hostId], spec: { image: TEST_IMAGE, cmd: ["sleep", "1000"], name: "bus-shell", labels: { "stevedore.test": "1" } } });
    const containerId = started!.ok ? started!.result.id : "";
    const { ticket } = await apiA().terminals.open.mutate({ hostId, containerId, mode: "exec", command: ["sh"], size: { cols: 80, rows: 24 } });
    const keyOf = (t: string) => `${PREFIX}ticket:terminal:${crypto.createHash("sha256").update(t).digest("base64url")}`;
    const stored = await intruder.get(keyOf(ticket));
    expect(stored).not.toBeNull();
    const grant = stored!.slice(stored!.indexOf(".", 44) + 1);
    expect(JSON.parse(grant)).toMatchObject({ containerId, hostId });

    for (const value of [stored!, grant]) {
      const forged = crypto.randomBytes(32).toString("base64url");
      await intruder.set(keyOf(forged), value, "PX", 30_000);
      const before = rejectedByA().bad_value;
      await expect(new TerminalClient(a.url, forged, { cookie: cookieA }).opened()).rejects.toThrow(/401/);
      expect(rejectedByA().bad_value).toBeGreaterThan(before);
    }
    // The genuine ticket, untouched, still opens.
    const viewer = new TerminalClient(a.url, ticket, { cookie: cookieA });
    await viewer.opened();
    viewer.ws.close();
  });

  it("a pull from a private registry relayed to A works, and its password never crosses the bus", async () => {
    const registry = await TestRegistry.start({ users: { pusher: REGISTRY_PASSWORD } });
    try {
      const image = await pushLayeredImage(registry, "stevedore-test/relayed-private:1", 1);
      await docker(["rmi", "-f", image]);
      await apiB().registries.add.mutate({ name: "Relayed", address: registry.host, insecure: true, username: "pusher", password: REGISTRY_PASSWORD });
      let final: PullState | null = null;
      const seen = await capture(async () => {
        const { pullId } = await apiB().images.pull.mutate({ hostIds: [hostId], reference: image });
        for await (const data of subscription(b.url, cookieB, "images.pullProgress", { pullId })) {
          const state = (data as { json?: PullState }).json;
          if (state?.done) {
            final = state;
            break;
          }
        }
      });
      expect(final!.hosts[0]).toMatchObject({ phase: "succeeded", error: null });
      expect(await docker(["image", "inspect", "-f", "{{.Id}}", image])).toBe(final!.hosts[0]!.imageId);

      // The pull went over the bus as a reference only; nothing on it, sealed or opened, holds the password.
      const opened = seen.map((m) => JSON.stringify(seal.open(m.channel, m.raw)));
      expect(opened.some((m) => m.includes('"method":"image.pull"') && m.includes(`"reference":"${image}"`))).toBe(true);
      expect(opened.filter((m) => m.includes('"auth"') || m.includes("pusher"))).toEqual([]);
      const forms = [REGISTRY_PASSWORD, Buffer.from(REGISTRY_PASSWORD).toString("base64"), Buffer.from(`pusher:${REGISTRY_PASSWORD}`).toString("base64")];
      for (const form of forms) {
        expect(seen.filter((m) => m.raw.includes(form))).toEqual([]);
        expect(opened.filter((m) => m.includes(form))).toEqual([]);
      }
    } finally {
      await registry.stop();
    }
  });
});
