// Once per run: the engine, the agent and the protocol are what this tests; the database work on its way (hosts, audit entries) is proven on PostgreSQL by the files that test it (scripts/test.sh).
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_LIMITS } from "../server/agents/agent-limits";
import { MAX_EVENT_CLOCK_SKEW_MS } from "../server/audit/observed-events";
import { removeTestContainers, runContainer, waitFor } from "./support/engine";
import { RAW_ENGINE, RawAgent, enrollRawHost, rawContainer } from "./support/raw-agent";
import { subscription } from "./support/sse";
import { AgentProcess, type TestStack, apiClient, signIn, startStack } from "./support/stack";

const EVENT_BACKLOG = 1_000;

/**
 * A hostile (or broken) agent against a real control plane that also holds a real agent on the local
 * engine: what the hostile one sends is bounded, and the real host's changes and users' audited
 * actions go on as if it were not there.
 */
describe("what one agent can cost the control plane", () => {
  let stack: TestStack;
  let api: ReturnType<typeof apiClient>;
  let cookie: string;
  let agent: AgentProcess;
  let realHost: string;

  const db = () => stack.cp.services.db;
  const host = async (name: string) => (await api.hosts.list.query()).find((h) => h.name === name)!;
  const hostile = async (name: string) => {
    const raw = new RawAgent(stack.url, await enrollRawHost(stack, name));
    await raw.opened();
    raw.hello();
    await raw.next("welcome");
    raw.send({ type: "snapshot", engine: RAW_ENGINE, containers: [], images: [] });
    await waitFor(async () => (await host(name))?.status === "online", { what: `${name} online` });
    return { raw, hostId: (await host(name)).id };
  };

  beforeAll(async () => {
    await removeTestContainers();
    stack = await startStack({ AGENT_EVENT_BACKLOG: String(EVENT_BACKLOG) });
    cookie = await signIn(stack.url);
    api = apiClient(stack.url, cookie);
    agent = AgentProcess.start({ url: stack.url, token: await stack.joinToken(), credentials: path.join(stack.dataDir, "agent", "credentials.json"), hostname: "real" });
    realHost = (await waitFor(async () => (await host("real"))?.status === "online" && (await host("real")), { timeoutMs: 15_000, what: "the real agent online" })).id;
  });
  afterAll(async () => {
    await agent.stop();
    await stack.close();
    await removeTestContainers();
  });

  it("a flood of upserts is slowed to the agent's budget, its host flagged, while another host's change reaches a browser in under 1 s", async () => {
    const { raw } = await hostile("flooder");
    const controller = new AbortController();
    const changes = subscription(stack.url, cookie, "fleet.changes", undefined, controller.signal);
    await changes.next(); // connected
    // Far more than its burst, as fast as the socket takes them (distinct containers, so each is a change).
    const flood = 4 * AGENT_LIMITS.messageBurst;
    for (let n = 0; n < flood; n++) raw.send({ type: "container.upsert", container: rawContainer(n) });
    await waitFor(async () => /messages a second; slowed down/.test((await host("flooder")).limited?.reason ?? ""), { what: "the flooder flagged" });

    // Meanwhile the real host's change reaches the browser's stream promptly.
    const started = Date.now();
    await runContainer("stv-test-limits");
    let seenAfter = 0;
    for (;;) {
      const { value } = await changes.next();
      const batch = (value as { json?: unknown }).json;
      if (Array.isArray(batch) && (batch as { hostId: string; kind: string }[]).some((c) => c.hostId === realHost && c.kind === "containers")) {
        seenAfter = Date.now() - started;
        break;
      }
    }
    controller.abort();
    console.log(`a real host's change reached the browser's stream ${seenAfter} ms after docker run, while another agent flooded ${flood} upserts`);
    expect(seenAfter).toBeLessThan(1_000);
    expect((await api.containers.list.query({ q: "stv-test-limits" })).items[0]?.state).toBe("running");

    // Paused, not dropped, and not taken in faster than its budget: well short of the flood so far.
    const taken = (await host("flooder")).containersTotal;
    expect(taken).toBeLessThan(flood);
    expect(raw.closed).toBeNull();
    // And it gets through, in the end, at its budget.
    await waitFor(async () => (await host("flooder")).containersTotal > taken, { what: "the flood to go on at the budget" });
    raw.ws.terminate();
  });

  it("a host reporting more containers or images than its limit shows the first ones and says so", async () => {
    const { raw, hostId } = await hostile("crowded");
    const containers = Array.from({ length: AGENT_LIMITS.maxContainers + 1 }, (_, n) => rawContainer(n));
    const images = Array.from({ length: AGENT_LIMITS.maxImages + 5 }, (_, n) => ({ id: `sha256:${n.toString(16).padStart(64, "0")}`, repoTags: [], repoDigests: [], createdAt: 1, sizeBytes: 1 }));
    raw.send({ type: "snapshot", engine: RAW_ENGINE, containers, images });
    const flagged = await waitFor(async () => {
      const h = await host("crowded");
      return h.limited && h;
    }, { what: "the crowded host flagged" });
    expect(flagged.containersTotal).toBe(AGENT_LIMITS.maxContainers);
    expect(flagged.images).toBe(AGENT_LIMITS.maxImages);
    expect(flagged.limited!.reason).toMatch(new RegExp(`reports ${AGENT_LIMITS.maxContainers + 1} containers; only the first ${AGENT_LIMITS.maxContainers} are shown|reports ${AGENT_LIMITS.maxImages + 5} images`));
    // One more new container is refused; an update to a shown one is applied.
    raw.send({ type: "container.upsert", container: rawContainer(AGENT_LIMITS.maxContainers + 7) });
    raw.send({ type: "container.upsert", container: { ...rawContainer(0), state: "exited" } });
    await waitFor(async () => (await api.containers.list.query({ hostId, q: "raw-0", limit: 5 })).items.find((c) => c.name === "raw-0")?.state === "exited", { what: "the update applied" });
    expect((await host("crowded")).containersTotal).toBe(AGENT_LIMITS.maxContainers);
    expect((await host("crowded")).limited!.reason).toMatch(/more than 10000 containers/);
    raw.ws.terminate();
  });

  it("a flood of engine events waits in its own bounded queue: users' audited actions are not delayed, the surplus is summarized in one entry", async () => {
    const { raw, hostId } = await hostile("chatty");
    const base = BigInt(Date.now() - 60_000) * 1_000_000n;
    const count = 3_000;
    const events = Array.from({ length: count }, (_, n) => ({ id: rawContainer(n).id, action: "start", timeNano: String(base + BigInt(n) * 1_000n), name: `raw-${n}`, ours: false }));
    const { audit, observed } = stack.cp.services;
    raw.send({ type: "engine.events", events });
    // The moment the message is in, its first EVENT_BACKLOG events are queued (the rest summarized).
    await waitFor(() => observed.backlog > 1, { intervalMs: 1, what: "the events queued" });
    // An audited action now is not queued behind them: it lands while they are still being written,
    // so every one still queued at this moment comes after it. Behind one shared queue, none would.
    const queued = observed.backlog;
    const mine = await audit.append({ requestId: "req_limits", phase: "succeeded", action: "host.set-groups", actor: { type: "user", id: null, name: "tester" }, targetType: "host" });
    const after = () => db().auditEntry.count({ where: { hostId, phase: "observed", action: "container.start", seq: { gt: mine.seq } } });
    await waitFor(async () => (await after()) >= queued, { timeoutMs: 30_000, what: `the ${queued} events queued then to be written after the user's entry` });

    const summary = await waitFor(() => db().auditEntry.findFirst({ where: { hostId, action: "engine.events-summarized" } }), { timeoutMs: 30_000, what: "the summary entry" });
    const params = JSON.parse(summary.params!) as { count: number; actions: Record<string, number>; from: string; to: string };
    expect(params.count).toBe(count - EVENT_BACKLOG);
    expect(params.actions).toEqual({ start: count - EVENT_BACKLOG });
    expect(await db().auditEntry.count({ where: { hostId, phase: "observed", action: "container.start" } })).toBe(EVENT_BACKLOG);
    // The cursor covers what was summarized: a replay of the same events records nothing twice.
    await waitFor(async () => (await db().host.findUniqueOrThrow({ where: { id: hostId } })).lastEventNanos === events.at(-1)!.timeNano, { what: "the cursor persisted" });
    raw.send({ type: "engine.events", events: events.slice(0, 10) });
    raw.send({ type: "engine.events", events: [{ id: rawContainer(1).id, action: "stop", timeNano: String(base + 10_000_000n), ours: false }] });
    await waitFor(() => db().auditEntry.findFirst({ where: { hostId, action: "container.stop" } }), { what: "the next event" });
    expect(await db().auditEntry.count({ where: { hostId, phase: "observed", action: "container.start" } })).toBe(EVENT_BACKLOG);
    raw.ws.terminate();
  });

  it("an engine clock far ahead is not believed: the event is recorded at the control plane's time and does not move the host's cursor", async () => {
    const { raw, hostId } = await hostile("future");
    const now = BigInt(Date.now()) * 1_000_000n;
    const future = String(BigInt(Date.UTC(2100, 0, 1)) * 1_000_000n);
    raw.send({ type: "engine.events", events: [{ id: rawContainer(1).id, action: "die", timeNano: future, exitCode: 1, ours: false }] });
    const entry = await waitFor(() => db().auditEntry.findFirst({ where: { hostId, action: "container.die" } }), { what: "the future event" });
    expect(Math.abs(entry.at.getTime() - Date.now())).toBeLessThan(MAX_EVENT_CLOCK_SKEW_MS);
    expect(JSON.parse(entry.params!)).toMatchObject({ engineTimeNano: future, exitCode: 1 });
    // An event at the real time after it is still recorded: the cursor was not poisoned.
    raw.send({ type: "engine.events", events: [{ id: rawContainer(1).id, action: "start", timeNano: String(now), ours: false }] });
    await waitFor(() => db().auditEntry.findFirst({ where: { hostId, action: "container.start" } }), { what: "the event after it" });
    await waitFor(async () => (await db().host.findUniqueOrThrow({ where: { id: hostId } })).lastEventNanos === String(now), { what: "the cursor at the real event" });
    raw.ws.terminate();
  });
});
