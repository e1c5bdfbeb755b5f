import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type ControlPlaneProcess, startControlPlaneProcess } from "../../../bench/support/control-plane-process";
import { docker, removeTestContainers, runContainer, waitFor } from "./support/engine";
import { scrape } from "./support/prometheus";
import { type TestDatabase, createPostgresDatabase, itOncePerRun, suiteOnPostgres } from "./support/shared-database";
import { AgentProcess, apiClient, freePort, signIn } from "./support/stack";

const ROUNDS = 3;
/** The lifecycle events each container's burst raises and the agent forwards. */
const FORWARDED = ["create", "start", "kill", "die", "destroy"];

/**
 * The control plane is killed (SIGKILL) in the middle of a burst of docker CLI actions, then started
 * again on the same data: the agent replays the engine's events from the saved cursor, which can be
 * behind what was already written. Every event must end up in the audit trail exactly once.
 */
describe("observed events across control-plane crashes", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-crash-"));
  let cp: ControlPlaneProcess | null = null;
  let agent: AgentProcess | null = null;
  let database: TestDatabase | null = null;

  afterAll(async () => {
    await agent?.stop();
    await cp?.stop();
    await database?.drop();
    await removeTestContainers();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it("records every engine event once, round after round", async () => {
    await removeTestContainers();
    const port = await freePort();
    // On the suite's PostgreSQL pass, the database's own unique key is what is tested there.
    database = suiteOnPostgres() ? await createPostgresDatabase() : null;
    const env: Record<string, string> = database ? { DATABASE_URL: database.url } : {};
    const start = async () => {
      cp = await startControlPlaneProcess({ dataDir, port, env });
      return apiClient(cp.url, await signIn(cp.url));
    };
    let api = await start();
    const { token } = await api.hosts.createJoinToken.mutate();
    const metricsPort = await freePort();
    agent = AgentProcess.start({ url: cp!.url, token, credentials: path.join(dataDir, "agent.json"), hostname: "crashy", metricsAddress: `127.0.0.1:${metricsPort}` });
    const online = () => waitFor(async () => (await api.hosts.list.query()).some((h) => h.name === "crashy" && h.status === "online"), { timeoutMs: 30_000, what: "the agent online" });
    await online();

    const ids: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const burst = (async () => {
        for (let i = 0; i < 3; i++) {
          const id = await runContainer(`stv-test-crash-${round}-${i}`);
          ids.push(id);
          await docker(["rm", "-f", id]);
        }
      })();
      // Somewhere in the burst, a different moment each round.
      await new Promise((r) => setTimeout(r, 200 + round * 250));
      cp!.proc.kill("SIGKILL");
      await new Promise((r) => (cp!.proc.exitCode !== null || cp!.proc.signalCode !== null ? r(null) : cp!.proc.once("exit", r)));
      await burst;
      api = await start();
      await online();
    }

    // Every container's forwarded events, once each (none lost to the crash, none recorded twice).
    const recorded = async () => {
      const entries = (await api.audit.list.query({ phase: "observed", limit: 500 })).items.filter((e) => ids.includes(e.targetId ?? ""));
      return entries.map((e) => `${e.targetId}/${e.action}/${e.at.getTime()}`);
    };
    const all = await waitFor(async () => {
      const list = await recorded();
      return list.filter((k) => k.includes("/container.destroy/")).length === ids.length && list;
    }, { timeoutMs: 30_000, what: "every container's destroy recorded" });
    expect(new Set(all).size).toBe(all.length);
    for (const id of ids) {
      expect(all.filter((k) => k.startsWith(`${id}/`)).map((k) => k.split("/")[1]).sort()).toEqual(FORWARDED.map((a) => `container.${a}`).sort());
    }
    expect(await api.audit.verify.mutate()).toMatchObject({ ok: true });

    // The agent's own figures tell the same story: a welcome per start, a loss per crash, the events it saw.
    const agentMetrics = await scrape(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(agentMetrics.get("stevedore_agent_control_connects_total")).toBe(ROUNDS + 1);
    expect(agentMetrics.get("stevedore_agent_control_disconnects_total")).toBe(ROUNDS);
    expect(agentMetrics.get("stevedore_agent_control_connected")).toBe(1);
    expect(agentMetrics.get('stevedore_agent_engine_events_total{type="container"}')).toBeGreaterThanOrEqual(ids.length * FORWARDED.length);
    // A snapshot per connect at least, each a list of the engine's containers, by operation and not by container.
    expect(agentMetrics.get('stevedore_agent_engine_request_duration_seconds_count{operation="GET /containers/json",outcome="ok"}')).toBeGreaterThanOrEqual(ROUNDS + 1);
    expect([...agentMetrics.keys()].some((series) => ids.some((id) => series.includes(id.slice(0, 12))))).toBe(false);
  });

  itOncePerRun("after a restart that kept it down for a while, the agent is back within 5 s of the control plane answering", async () => {
    const api = apiClient(cp!.url, await signIn(cp!.url));
    const hostId = (await api.hosts.list.query()).find((h) => h.name === "crashy")!.id;
    // A graceful stop (agents are told it is shutting down), then long enough down that an
    // exponential backoff would have grown past 10 s.
    const port = Number(new URL(cp!.url).port);
    await cp!.stop();
    await new Promise((r) => setTimeout(r, 13_000));
    cp = await startControlPlaneProcess({ dataDir, port, env: database ? { DATABASE_URL: database.url } : {} });
    const answering = Date.now();
    const again = apiClient(cp.url, await signIn(cp.url));
    await waitFor(async () => (await again.hosts.get.query({ hostId })).status === "online", { timeoutMs: 30_000, intervalMs: 100, what: "the agent back online" });
    expect(Date.now() - answering).toBeLessThan(5_000);
  }, 90_000);
});
