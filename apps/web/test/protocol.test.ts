// Once per run: the engine, the agent and the protocol are what this tests; the database work on its way (hosts, audit entries) is proven on PostgreSQL by the files that test it (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CloseCode, HARD_MAX_MESSAGE_BYTES, MAX_MESSAGE_BYTES, METHOD_SINCE, PING_AFTER_SILENCE_MS, PROTOCOL_VERSION, SUPPORTED_PROTOCOL_VERSIONS } from "@stevedore/protocol";
import { waitFor } from "./support/engine";
import { RawAgent, enrollRawHost } from "./support/raw-agent";
import { type TestStack, apiClient, signIn, startStack } from "./support/stack";

describe("agent protocol robustness", () => {
  let stack: TestStack;
  const credentials: string[] = [];

  const enroll = (hostname: string) => enrollRawHost(stack, hostname);

  beforeAll(async () => {
    stack = await startStack();
    credentials.push(await enroll("raw-1"), await enroll("raw-2"));
  });
  afterAll(() => stack.close());

  it("refuses an upgrade without a valid credential", async () => {
    await expect(new RawAgent(stack.url, "").opened()).rejects.toThrow("HTTP 401");
    const credential = credentials[0]!;
    const tampered = credential.slice(0, -1) + (credential.endsWith("A") ? "B" : "A");
    await expect(new RawAgent(stack.url, tampered).opened()).rejects.toThrow("HTTP 401");
  });

  it("answers malformed, unknown, out-of-order and oversized messages with protocol errors and keeps the connection, and other hosts, up", async () => {
    const other = new RawAgent(stack.url, credentials[1]!);
    await other.opened();
    other.hello();
    await other.next("welcome");

    const a = new RawAgent(stack.url, credentials[0]!);
    await a.opened();
    a.send({ type: "snapshot", engine: {}, containers: [], images: [] });
    expect((await a.next("error")).message).toMatch(/expected hello first|invalid message/);
    a.hello();
    await a.next("welcome");

    a.send("{this is not json");
    expect((await a.next("error")).code).toBe("bad_message");
    a.send({ type: "container.explode" });
    expect((await a.next("error")).code).toBe("unknown_type");
    a.send({ type: "container.upsert", container: { id: "nope" } });
    const invalid = await a.next("error");
    expect(invalid.code).toBe("bad_message");
    expect(invalid.message).toMatch(/container/);
    a.send(Buffer.from([1, 2, 3]));
    expect((await a.next("error")).message).toMatch(/binary/);
    a.send({ type: "heartbeat", sentAt: Date.now(), padding: "x".repeat(MAX_MESSAGE_BYTES) });
    expect((await a.next("error")).code).toBe("too_large");
    a.hello();
    expect((await a.next("error")).message).toMatch(/already received/);

    // Still connected and still useful: a valid message is applied.
    a.send({ type: "engine.down", error: "still here" });
    const hostId = (await stack.cp.services.db.host.findFirstOrThrow({ where: { name: "raw-1" } })).id;
    await waitFor(() => stack.cp.services.fleet.getHost(hostId)?.engineError === "still here", { what: "message applied" });
    expect(a.closed).toBeNull();
    expect(other.closed).toBeNull();
    expect(stack.cp.services.fleet.getHost(hostId)?.status).toBe("engine_down");

    // Past the hard limit the socket library closes the connection before buffering the frame.
    a.send(Buffer.alloc(HARD_MAX_MESSAGE_BYTES + 1, 0x20).toString());
    await waitFor(() => a.closed, { what: "close" });
    expect(a.closed!.code).toBe(1009);
    expect(other.closed).toBeNull();
    other.ws.close();
  });

  it("tells an agent that speaks another protocol version to upgrade, and closes", async () => {
    const a = new RawAgent(stack.url, credentials[0]!);
    await a.opened();
    a.hello(PROTOCOL_VERSION + 1);
    const err = await a.next("error");
    expect(err.code).toBe("upgrade_required");
    expect(err.message).toMatch(/upgrade/);
    await waitFor(() => a.closed, { what: "close" });
    expect(a.closed!.code).toBe(CloseCode.upgradeRequired);
  });

  it("refuses a method newer than the connected agent's protocol with 'upgrade the agent', sending it nothing", async () => {
    const a = new RawAgent(stack.url, credentials[0]!);
    await a.opened();
    a.hello(METHOD_SINCE["container.spec"] - 1);
    await a.next("welcome");
    const hostId = (await stack.cp.services.db.host.findFirstOrThrow({ where: { name: "raw-1" } })).id;
    const admin = apiClient(stack.url, await signIn(stack.url));
    await expect(admin.containers.spec.query({ hostId, id: "a".repeat(64) })).rejects.toMatchObject({
      data: { code: "PRECONDITION_FAILED" },
      message: expect.stringMatching(/too old for container.spec .*upgrade the agent/),
    });
    expect(a.received.some((m) => m.type === "request")).toBe(false);
    a.ws.close();
    await waitFor(() => a.closed, { what: "close" });
  });

  it("refuses volume and network methods to a protocol 5 agent with 'upgrade the agent', and lists it as unread; a protocol 6 agent's engine.changed reaches the fleet's changes", async () => {
    const a = new RawAgent(stack.url, credentials[0]!);
    await a.opened();
    a.hello(METHOD_SINCE["volume.list"] - 1);
    await a.next("welcome");
    const hostId = (await stack.cp.services.db.host.findFirstOrThrow({ where: { name: "raw-1" } })).id;
    const admin = apiClient(stack.url, await signIn(stack.url));
    await expect(admin.volumes.inspect.query({ hostId, name: "data" })).rejects.toMatchObject({ message: expect.stringMatching(/too old for volume.inspect .*upgrade the agent/) });
    const list = await admin.volumes.list.query({ hostId });
    expect(list.items).toEqual([]);
    expect(list.unread).toEqual([{ hostId, hostName: "raw-1", reason: expect.stringMatching(/protocol 5; this needs 6: upgrade the agent/) }]);
    expect(a.received.some((m) => m.type === "request")).toBe(false);
    a.ws.close();
    await waitFor(() => a.closed, { what: "close" });

    const b = new RawAgent(stack.url, credentials[0]!);
    await b.opened();
    b.hello();
    await b.next("welcome");
    const seen: string[] = [];
    const listener = (c: { kind: string; hostId: string }) => c.hostId === hostId && seen.push(c.kind);
    stack.cp.services.fleet.changes.on("change", listener);
    b.send({ type: "engine.changed", kinds: ["networks"] });
    await waitFor(() => seen.includes("networks"), { what: "a networks change" });
    stack.cp.services.fleet.changes.off("change", listener);
    expect(seen).not.toContain("volumes");
    b.ws.close();
    await waitFor(() => b.closed, { what: "close" });
  });

  it("refuses a run with spec fields a protocol 4 agent does not know with 'upgrade the agent', sending it nothing; without them the run goes", async () => {
    const a = new RawAgent(stack.url, credentials[0]!);
    await a.opened();
    a.hello(4);
    await a.next("welcome");
    const hostId = (await stack.cp.services.db.host.findFirstOrThrow({ where: { name: "raw-1" } })).id;
    const admin = apiClient(stack.url, await signIn(stack.url));
    await expect(admin.containers.run.mutate({ hostIds: [hostId], spec: { image: "busybox:1.36", readOnlyRootfs: true, capDrop: ["NET_RAW"] } })).rejects.toMatchObject({
      data: { code: "PRECONDITION_FAILED" },
      message: "this host's agent is too old for readOnlyRootfs, capDrop (it speaks protocol 4): upgrade the agent, or run without them",
    });
    expect(a.received.some((m) => m.type === "request")).toBe(false);
    // The same run without them reaches the agent, without the new fields' keys.
    const run = admin.containers.run.mutate({ hostIds: [hostId], spec: { image: "busybox:1.36" } });
    const request = await waitFor(() => a.received.find((m) => m.type === "request"), { what: "the run request" });
    expect(request).toMatchObject({ method: "container.run" });
    expect(Object.keys((request as unknown as { params: { spec: object } }).params.spec)).not.toContain("readOnlyRootfs");
    a.ws.close();
    await run.catch(() => undefined);
    await waitFor(() => a.closed, { what: "close" });
  });

  it("records a refused protocol version on the host for the hosts page, and clears it when a supported agent connects", async () => {
    const admin = apiClient(stack.url, await signIn(stack.url));
    const raw1 = async () => (await admin.hosts.list.query()).find((h) => h.name === "raw-1")!;
    const refusedWith = async (version: number) => {
      const a = new RawAgent(stack.url, credentials[0]!);
      await a.opened();
      a.hello(version);
      await waitFor(() => a.closed, { what: "close" });
      return waitFor(async () => {
        const h = await raw1();
        return h.refusedProtocol?.agent === version && h;
      }, { what: `protocol ${version} recorded as refused` });
    };

    const tooNew = await refusedWith(PROTOCOL_VERSION + 1);
    expect(tooNew).toMatchObject({ status: "offline", refusedProtocol: { agent: PROTOCOL_VERSION + 1, supported: [...SUPPORTED_PROTOCOL_VERSIONS] } });
    expect(tooNew.refusedProtocol!.at).toBeGreaterThan(Date.now() - 60_000);
    const tooOld = await refusedWith(0);
    expect(tooOld.refusedProtocol).toMatchObject({ agent: 0, supported: [...SUPPORTED_PROTOCOL_VERSIONS] });

    const good = new RawAgent(stack.url, credentials[0]!);
    await good.opened();
    good.hello();
    await good.next("welcome");
    const cleared = await waitFor(async () => {
      const h = await raw1();
      return h.refusedProtocol === null && h;
    }, { what: "the refusal cleared" });
    expect(cleared.status).toBe("engine_down");
    good.ws.close();
    await waitFor(async () => (await raw1()).status === "offline", { what: "raw-1 offline again" });
  });

  it("keeps a quiet protocol-2 agent alive with WebSocket pings, and a protocol-1 agent with heartbeat messages", async () => {
    const [v2, v1] = [new RawAgent(stack.url, credentials[0]!), new RawAgent(stack.url, credentials[1]!)];
    await Promise.all([v2.opened(), v1.opened()]);
    v2.hello(2);
    v1.hello(1);
    await Promise.all([v2.next("welcome"), v1.next("welcome")]);
    // Neither sends anything; the control plane must show it is there within the interval.
    await waitFor(() => v2.pings > 0 && v1.received.some((m) => m.type === "heartbeat"), { timeoutMs: PING_AFTER_SILENCE_MS + 3_000, what: "a ping and a heartbeat" });
    expect(v2.received.filter((m) => m.type === "heartbeat")).toEqual([]);
    expect(v1.pings).toBe(0);
    expect(v2.closed ?? v1.closed).toBeNull();
    v2.ws.close();
    v1.ws.close();
  });

  it("a newer connection for the same host replaces the older one", async () => {
    const first = new RawAgent(stack.url, credentials[1]!);
    await first.opened();
    first.hello();
    await first.next("welcome");
    const second = new RawAgent(stack.url, credentials[1]!);
    await second.opened();
    second.hello();
    await second.next("welcome");
    await waitFor(() => first.closed, { what: "first closed" });
    expect(first.closed!.code).toBe(CloseCode.replaced);
    const hostId = (await stack.cp.services.db.host.findFirstOrThrow({ where: { name: "raw-2" } })).id;
    expect(stack.cp.services.fleet.getHost(hostId)?.status).toBe("engine_down");
    second.ws.close();
  });
});
