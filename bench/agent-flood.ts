/**
 * What one hostile agent costs everyone else. A real control plane (its own process) with a real
 * agent on the local engine, and a second, hand-driven agent that floods it, in three phases:
 *   quiet    nothing else happens
 *   upserts  the flooder sends container upserts as fast as its socket takes them
 *   events   the flooder sends engine events, 10,000 a message (the most one may carry)
 * In each: how long a container started on the real host takes to reach a subscribed browser, how
 * long an admin's audited action (hosts.setGroups) takes, and the control plane's CPU; for the
 * flood, how much of it the control plane took in.
 * Usage: npm run bench:agent-flood -- [seconds per phase=10]
 */
import Docker from "dockerode";
import { AGENT_ENROLL_PATH } from "@stevedore/protocol";
import { TEST_IMAGE, ensureTestImage, removeTestContainers } from "../apps/web/test/support/engine";
import { RAW_ENGINE, RawAgent, rawContainer } from "../apps/web/test/support/raw-agent";
import { startWithLocalAgent } from "./support/control-plane-process";
import { subscribeChanges } from "./support/changes";
import { cpuSeconds, percentile, rssMiB, runBench } from "./support/measure";

const SECONDS = Number(process.argv[2] ?? 10);
const docker = new Docker();

async function main(): Promise<void> {
  await ensureTestImage();
  await removeTestContainers();
  const stack = await startWithLocalAgent();
  const { cp, cookie, api, hostId } = stack;
  const pid = cp.proc.pid!;
  const sub = subscribeChanges(cp.url, cookie, (chunk) => chunk.includes(hostId) && chunk.includes('"containers"'));

  /** A flooding agent of its own per phase: a throttled one still has a backlog to drain at its budget. */
  async function flooder(name: string) {
    const { token } = await api.hosts.createJoinToken.mutate();
    const res = await fetch(`${cp.url}${AGENT_ENROLL_PATH}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token, hostname: name }) });
    const enrolled = (await res.json()) as { hostId: string; credential: string };
    const raw = new RawAgent(cp.url, enrolled.credential);
    await raw.opened();
    raw.hello();
    await raw.next("welcome");
    raw.send({ type: "snapshot", engine: RAW_ENGINE, containers: [], images: [] });
    return { raw, hostId: enrolled.hostId };
  }

  let sent = 0;
  let flooding: { raw: RawAgent; message: (n: number) => unknown } | null = null;
  // Keeps the flooder's socket buffer near 4 MB: as fast as the control plane reads, no faster.
  const pump = setInterval(() => {
    if (!flooding) return;
    while (flooding.raw.ws.bufferedAmount < 4 * 1024 * 1024) flooding.raw.send(flooding.message(sent++));
  }, 5);

  async function phase(name: string, flood: { raw: RawAgent; message: (n: number) => unknown } | null) {
    sent = 0;
    flooding = flood;
    const cpu0 = cpuSeconds(pid);
    const t0 = performance.now();
    const change: number[] = [];
    const action: number[] = [];
    let i = 0;
    while (performance.now() - t0 < SECONDS * 1000) {
      const c = await docker.createContainer({ Image: TEST_IMAGE, Cmd: ["sleep", "1000"], Labels: { "stevedore.test": "1" } });
      const notified = sub.next();
      const s = performance.now();
      await c.start();
      await notified;
      change.push(performance.now() - s);
      const a = performance.now();
      await api.hosts.setGroups.mutate({ hostId, groups: [`bench-${i++ % 2}`] });
      action.push(performance.now() - a);
      await c.remove({ force: true });
    }
    const elapsed = (performance.now() - t0) / 1000;
    flooding = null;
    const cpu = ((cpuSeconds(pid) - cpu0) / elapsed) * 100;
    const fmt = (xs: number[]) => `p50 ${percentile(xs, 50).toFixed(0)} ms, p99 ${percentile(xs, 99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
    console.log(`\n${name} (${elapsed.toFixed(1)} s)`);
    console.log(`  real host's change at the browser: ${fmt(change)} (${change.length} starts)`);
    console.log(`  admin's audited action:            ${fmt(action)}`);
    console.log(`  control plane CPU ${cpu.toFixed(0)}% of a core, RSS ${rssMiB(pid, "VmRSS").toFixed(0)} MiB`);
    if (flood) console.log(`  the flooder sent ${sent} messages (${(sent / elapsed).toFixed(0)}/s into its socket)`);
  }

  await phase("quiet", null);

  const upserts = await flooder("flooder-upserts");
  await phase("upserts", { raw: upserts.raw, message: (n) => ({ type: "container.upsert", container: rawContainer(n) }) });
  const flooded = await api.hosts.get.query({ hostId: upserts.hostId });
  console.log(`  taken in: ${flooded.containersTotal} containers; host flagged: ${flooded.limited?.reason ?? "no"}`);
  upserts.raw.ws.terminate();

  const events = await flooder("flooder-events");
  const base = BigInt(Date.now() - 3_600_000) * 1_000_000n;
  await phase("events", {
    raw: events.raw,
    message: (n) => ({ type: "engine.events", events: Array.from({ length: 10_000 }, (_, k) => ({ id: rawContainer(k).id, action: "start", timeNano: String(base + BigInt(n * 10_000 + k)), ours: false })) }),
  });
  // The summary is written once the host's queued events are (one entry at a time, in turn with everyone's).
  const t0 = performance.now();
  let summaries = await api.audit.list.query({ hostId: events.hostId, action: "engine.events-summarized", limit: 500 });
  while (summaries.items.length === 0 && performance.now() - t0 < 120_000) {
    await new Promise((r) => setTimeout(r, 500));
    summaries = await api.audit.list.query({ hostId: events.hostId, action: "engine.events-summarized", limit: 500 });
  }
  const summarized = summaries.items.reduce((n, e) => n + (JSON.parse(e.params ?? "{}") as { count: number }).count, 0);
  const waited = ((performance.now() - t0) / 1000).toFixed(0);
  console.log(
    summaries.items.length
      ? `  events summarized rather than written one by one: ${summarized} in ${summaries.items.length} entries; the queue drained ${waited} s after the phase`
      : `  the queue (AGENT_EVENT_BACKLOG, 20,000) was still being written ${waited} s after the phase; its summary comes when it is done`,
  );
  events.raw.ws.terminate();

  clearInterval(pump);
  sub.close();
  await stack.stop();
  await removeTestContainers();
}

runBench(main);
