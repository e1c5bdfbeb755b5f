/**
 * A bulk operation on many containers in one request, against a real control plane (its own process),
 * a real agent and the local engine: N running containers are started straight on the engine, then
 * removed with force in one containers.operate request. Prints how long the request took, what it
 * reported per container next to what the engine shows, and the engine's own figure for the same
 * work: as many fresh containers removed with force straight through the Engine API, 8 at a time.
 * Usage: npm run bench:bulk -- [N=500]
 */
import Docker from "dockerode";
import { ensureTestImage, removeTestContainers, startMany } from "../apps/web/test/support/engine";
import { startWithLocalAgent } from "./support/control-plane-process";

const N = Number(process.argv[2] ?? 500);
const docker = new Docker();

async function main(): Promise<void> {
  await ensureTestImage();
  await removeTestContainers();
  const stack = await startWithLocalAgent();
  try {
    let t = performance.now();
    const ids = await startMany(N, "stv-bulk");
    console.log(`started ${N} containers on the engine in ${Math.round(performance.now() - t)} ms`);
    while ((await stack.api.containers.list.query({ q: "stv-bulk", limit: 1 })).total < N) await new Promise((r) => setTimeout(r, 200));

    t = performance.now();
    const results = await stack.api.containers.operate.mutate({ targets: ids.map((id) => ({ hostId: stack.hostId, id })), operation: { action: "remove", force: true } });
    const elapsed = performance.now() - t;
    const left = new Set((await docker.listContainers({ all: true, filters: { label: ["stevedore.test=1"] } })).map((c) => c.Id));
    const count = { ok: 0, failed: 0, unknown: 0 };
    let untrue = 0;
    for (const r of results) {
      count[r.ok ? "ok" : r.unknown ? "unknown" : "failed"]++;
      if ((r.ok && left.has(r.id)) || (!r.ok && !r.unknown && !left.has(r.id))) untrue++;
    }
    console.log(`stevedore: removed ${N} in one request in ${Math.round(elapsed)} ms: ${count.ok} ok, ${count.failed} failed, ${count.unknown} unknown; ${untrue} reported untruly; ${left.size} still on the engine`);
    if (/disconnected from the control plane/.test(stack.agent.output)) console.log("the agent was dropped during the request");

    const again = await startMany(N, "stv-bulk-engine");
    t = performance.now();
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < again.length) await docker.getContainer(again[next++]!).remove({ force: true });
    }));
    console.log(`engine:    removed ${N} with force, 8 at a time straight on the engine, in ${Math.round(performance.now() - t)} ms`);
  } finally {
    await stack.stop();
    await removeTestContainers();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
