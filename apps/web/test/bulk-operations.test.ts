// Once per run: the engine, the agent and the protocol are what this tests; the database work on its way (hosts, audit entries) is proven on PostgreSQL by the files that test it (scripts/test.sh).
import Docker from "dockerode";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureTestImage, removeTestContainers, startMany, waitFor } from "./support/engine";
import { type StackWithHost, startStackWithHost } from "./support/stack";

/** bench/bulk-operate.ts runs the same at 500 and beyond; the suite keeps to a size its time allows. */
const N = 200;
const docker = new Docker();

describe("a bulk operation on hundreds of running containers", () => {
  let s: StackWithHost;

  beforeAll(async () => {
    await ensureTestImage();
    await removeTestContainers();
    s = await startStackWithHost("bulk-host");
  });
  afterAll(async () => {
    await s?.agent.stop();
    await s?.stack.close();
    await removeTestContainers();
  });

  it(`removes ${N} in one request: the agent stays connected, every result and every audit entry matches the engine`, { timeout: 240_000 }, async () => {
    const ids = await startMany(N, "stv-bulk");
    await waitFor(async () => (await s.api.containers.list.query({ hostId: s.hostId, q: "stv-bulk", limit: 1 })).total === N, { timeoutMs: 60_000, what: `${N} containers listed` });

    const results = await s.api.containers.operate.mutate({ targets: ids.map((id) => ({ hostId: s.hostId, id })), operation: { action: "remove", force: true } });

    const left = new Set((await docker.listContainers({ all: true, filters: { label: ["stevedore.test=1"] } })).map((c) => c.Id));
    expect(left.size).toBe(0);
    expect(results.map((r) => (r.ok ? "removed" : r.error.message))).toEqual(ids.map(() => "removed"));
    expect(s.agent.output).not.toMatch(/disconnected from the control plane/);
    // One requested and one succeeded entry per container, nothing unknown or failed.
    const phases = new Map<string, string[]>();
    for (let cursor: number | undefined; ; ) {
      const page = await s.api.audit.list.query({ action: "container.remove", limit: 500, cursor });
      for (const e of page.items) phases.set(e.requestId, [...(phases.get(e.requestId) ?? []), e.phase]);
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(phases.size).toBe(N);
    for (const r of results) expect(phases.get(r.requestId)?.sort(), r.id).toEqual(["requested", "succeeded"]);
  });
});
