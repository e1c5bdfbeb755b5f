// Once per run: the engine, the agent and the protocol are what this tests; the database work on its way (hosts, audit entries) is proven on PostgreSQL by the files that test it (scripts/test.sh).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, runContainer, waitFor } from "./support/engine";
import { LogsClient } from "./support/logs-client";
import { subscription } from "./support/sse";
import { type StackWithHost, apiClient, signIn, startStackWithHost } from "./support/stack";
import { TerminalClient } from "./support/terminal-client";

/** The promise: an open stream is cut within 5 s of the change that takes its access away. */
const CUT_WITHIN_MS = 5_000;

describe("open streams are re-authorized", () => {
  let h: StackWithHost;
  let containerId = "";

  beforeAll(async () => {
    h = await startStackWithHost("reauth-1");
    await h.api.hosts.setGroups.mutate({ hostId: h.hostId, groups: ["ops"] });
    containerId = await runContainer(`stv-reauth-${Date.now()}`, ["sh", "-c", "while true; do echo tick; sleep 0.2; done"]);
    await waitFor(async () => (await h.api.containers.list.query({ hostId: h.hostId })).items.some((c) => c.id === containerId && c.state === "running"), { what: "the container" });
  });
  afterAll(async () => {
    await h.agent.stop();
    await h.stack.close();
    await docker(["rm", "-f", containerId]).catch(() => "");
  });

  /** A user with a terminal grant on "ops", signed in, with an open exec terminal and a following log stream. */
  async function userWithStreams(email: string) {
    const { user } = await h.api.users.create.mutate({ email, name: email, role: "viewer", password: "streams-password-1" });
    await h.api.users.setGrants.mutate({ userId: user.id, grants: [{ group: "ops", role: "terminal" }] });
    const cookie = await signIn(h.stack.url, email, "streams-password-1");
    const api = apiClient(h.stack.url, cookie);
    const opened = await api.terminals.open.mutate({ hostId: h.hostId, containerId, mode: "exec", command: ["sh"], size: { cols: 80, rows: 24 } });
    const term = new TerminalClient(h.stack.url, opened.ticket, { cookie });
    await term.opened();
    await waitFor(() => term.messages.some((m) => m.type === "hello" && !m.starting), { what: "the shell to start" });
    term.type("echo live-$((40+2))\r");
    await term.waitForText("live-42");
    const logs = new LogsClient(h.stack.url, (await api.logs.ticket.mutate({ containers: [{ hostId: h.hostId, containerId }] })).ticket, { cookie });
    await logs.opened();
    logs.open(1, h.hostId, containerId, { tail: 1 });
    await waitFor(() => logs.lines.some((l) => l.text === "tick"), { what: "log lines" });
    return { userId: user.id, cookie, api, term, logs, sessionId: opened.sessionId };
  }

  it("taking a grant away cuts the user's terminal and log stream, audited with the reason; the terminal session ends", async () => {
    const u = await userWithStreams("tess@stevedore.test");
    const changedAt = Date.now();
    await h.api.users.setGrants.mutate({ userId: u.userId, grants: [] });
    await waitFor(() => u.term.closed && u.logs.closed, { timeoutMs: CUT_WITHIN_MS, what: "both sockets to be cut" });
    expect(Date.now() - changedAt).toBeLessThan(CUT_WITHIN_MS);
    expect(u.term.closed).toEqual({ code: 4403, reason: "access to reauth-1 was removed" });
    expect(u.logs.closed).toEqual({ code: 4403, reason: "access to reauth-1 was removed" });
    // The owner lost access: the session itself ended, so no one can rejoin it.
    await waitFor(async () => !(await h.api.terminals.list.query({ hostId: h.hostId })).some((s) => s.id === u.sessionId), { what: "the session to end" });
    const cuts = (await h.api.audit.list.query({ action: "access.cut" })).items.filter((e) => e.actorName === "tess@stevedore.test");
    expect(cuts.map((e) => e.targetName).sort()).toEqual(["logs", "terminal"]);
    expect(JSON.parse(cuts[0]!.params!)).toMatchObject({ reason: "access to reauth-1 was removed" });
  });

  it("disabling a user ends their subscription and streams; signing out ends that session's streams", async () => {
    const u = await userWithStreams("dana@stevedore.test");
    const controller = new AbortController();
    const events = subscription(h.stack.url, u.cookie, "fleet.changes", undefined, controller.signal);
    await events.next(); // the stream is open (its first event) before the account is disabled
    const ended = (async () => {
      for await (const e of events) if (JSON.stringify(e).includes("UNAUTHORIZED")) return JSON.stringify(e);
      return "ended without an error";
    })();
    await h.api.users.disable.mutate({ userId: u.userId });
    await waitFor(() => u.term.closed && u.logs.closed, { timeoutMs: CUT_WITHIN_MS, what: "the disabled user's sockets to be cut" });
    expect(u.term.closed?.reason).toMatch(/^the account was disabled$|^the session ended/);
    expect(await Promise.race([ended, new Promise((r) => setTimeout(() => r("still open"), CUT_WITHIN_MS))])).toMatch(/the account was disabled|the session ended/);
    controller.abort();

    const s = await userWithStreams("sam@stevedore.test");
    const out = await fetch(`${h.stack.url}/api/auth/sign-out`, { method: "POST", headers: { cookie: s.cookie, origin: h.stack.url, "content-type": "application/json" }, body: "{}" });
    expect(out.ok).toBe(true);
    await waitFor(() => s.term.closed, { timeoutMs: CUT_WITHIN_MS, what: "the signed-out session's terminal to be cut" });
    expect(s.term.closed).toEqual({ code: 4403, reason: "the session ended (signed out, expired or revoked)" });
  });
});
