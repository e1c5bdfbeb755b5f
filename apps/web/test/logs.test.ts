// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGS_DOWNLOAD_PATH, LOGS_HIGH_WATER, RESTART_MARKER } from "@stevedore/protocol";
import { SecondEngine, docker, removeTestContainers, runContainer, waitFor } from "./support/engine";
import { LogsClient } from "./support/logs-client";
import { AgentProcess, type StackWithHost, apiClient, signIn, startStackWithHost, tokenClient } from "./support/stack";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** A flood that ends (9 MB of log), so its log file never rotates under a paused reader. */
const FLOOD_LINES = 200_000;
const FLOOD_LINE = "flood-line-0123456789-0123456789-0123456789";

describe("container logs through the control plane and the agent", () => {
  let h: StackWithHost;
  let ticker: string;
  let history: string;
  let phases: string;
  let tty: string;

  beforeAll(async () => {
    await removeTestContainers();
    h = await startStackWithHost("logs-host");
    ticker = await runContainer("logs-ticker", ["sh", "-c", "i=0; while true; do i=$((i+1)); echo out-$i; echo err-$i >&2; sleep 0.1; done"]);
    history = await runContainer("logs-history", ["sh", "-c", "seq 1 50; sleep 100000"]);
    phases = await runContainer("logs-phases", ["sh", "-c", "echo early; sleep 2; echo late; sleep 100000"]);
    tty = await runContainer("logs-tty", ["sh", "-c", "while true; do echo tty-line; sleep 0.2; done"], undefined, ["-t"]);
    await waitFor(async () => (await h.api.containers.list.query({ q: "logs-" })).items.filter((c) => c.state === "running").length === 4, { what: "the containers in the fleet view" });
  });
  afterAll(async () => {
    await h.agent.stop();
    await h.stack.close();
    await removeTestContainers();
  });

  const ref = (containerId: string) => ({ hostId: h.hostId, containerId });
  async function client(containers: string[], opts: { cookie?: string; autoAck?: boolean; keepLines?: boolean; api?: ReturnType<typeof apiClient> } = {}) {
    const { ticket } = await (opts.api ?? h.api).logs.ticket.mutate({ containers: containers.map(ref) });
    const c = new LogsClient(h.stack.url, ticket, { cookie: opts.cookie ?? h.cookie, autoAck: opts.autoAck, keepLines: opts.keepLines });
    await c.opened();
    return c;
  }

  it("follows live output with stdout and stderr told apart, and stops when the stream is closed", async () => {
    const c = await client([ticker]);
    c.open(1, h.hostId, ticker, { tail: 0 });
    expect(await c.message("started", 1)).toMatchObject({ tty: false });
    const first = await c.waitForLine(1, /^out-\d+$/);
    expect(first.kind).toBe("stdout");
    expect((await c.waitForLine(1, /^err-\d+$/)).kind).toBe("stderr");
    // tail 0: nothing from before the open, only new lines, in order.
    const n = Number(first.text.slice(4));
    await waitFor(() => c.textOf(1, "stdout").length >= 5, { what: "five live lines" });
    expect(c.textOf(1, "stdout").slice(0, 5)).toEqual([0, 1, 2, 3, 4].map((i) => `out-${n + i}`));
    expect(c.lines.every((l) => l.kind === (l.text.startsWith("err-") ? "stderr" : "stdout"))).toBe(true);
    c.closeStream(1);
    expect(await c.message("ended", 1)).toMatchObject({ reason: "closed" });
    await sleep(300);
    const count = c.lines.length;
    await sleep(500);
    expect(c.lines.length).toBe(count);
    c.close();
  });

  it("a followed stream follows the container through a restart: it waits while stopped, then marks the new run and goes on", async () => {
    const runs = await runContainer("logs-restarts", ["sh", "-c", "echo run-$(cut -c1-8 /proc/sys/kernel/random/uuid); i=0; while true; do i=$((i+1)); echo tick-$i; sleep 0.2; done"]);
    await waitFor(async () => (await h.api.containers.list.query({ q: "logs-restarts" })).items.some((c) => c.state === "running"), { what: "the container in the fleet view" });
    const c = await client([runs]);
    c.open(1, h.hostId, runs, { tail: 0 });
    await c.message("started", 1);
    await c.waitForLine(1, /^tick-3$/);
    await docker(["stop", "-t", "1", runs]);
    await c.message("waiting", 1);
    expect(c.messages.filter((m) => m.stream === 1).map((m) => m.type)).toEqual(["started", "waiting"]);
    await docker(["start", runs]);
    await c.waitForLine(1, new RegExp(`^${RESTART_MARKER}$`), 15_000);
    // The new run from its first line (its random run id), after the marker, on the same stream.
    const lines = c.textOf(1);
    const marker = lines.indexOf(RESTART_MARKER);
    await waitFor(() => c.textOf(1).slice(marker + 1).includes("tick-2"), { what: "the new run's lines after the marker" });
    const after = c.textOf(1).slice(marker + 1);
    expect(after[0]).toMatch(/^run-[0-9a-f]{8}$/);
    expect(after[1]).toBe("tick-1");
    expect(c.messages.filter((m) => m.stream === 1).map((m) => m.type)).toEqual(["started", "waiting", "started"]);
    // A restart (stop and start in one) is followed too, and closing the stream ends the wait for good.
    await docker(["restart", "-t", "1", runs]);
    await waitFor(() => c.textOf(1).filter((l) => l === RESTART_MARKER).length === 2, { timeoutMs: 15_000, what: "the second restart's marker" });
    // Its first line too, which the process prints before the engine records the run's StartedAt.
    const second = c.textOf(1).lastIndexOf(RESTART_MARKER);
    await waitFor(() => c.textOf(1).slice(second + 1).includes("tick-1"), { what: "the third run's lines after its marker" });
    expect(c.textOf(1).slice(second + 1, second + 3)).toEqual([expect.stringMatching(/^run-[0-9a-f]{8}$/), "tick-1"]);
    c.closeStream(1);
    expect(await c.message("ended", 1)).toMatchObject({ reason: "closed" });
    c.close();
  });

  it("tail N gives the last N lines of history, and without follow the stream ends at the end of it", async () => {
    const c = await client([history]);
    c.open(1, h.hostId, history, { tail: 5, follow: false });
    expect(await c.message("ended", 1)).toMatchObject({ reason: "eof" });
    expect(c.textOf(1)).toEqual(["46", "47", "48", "49", "50"]);
    c.open(2, h.hostId, history, { follow: false });
    await c.message("ended", 2);
    expect(c.textOf(2)).toHaveLength(50);
    c.close();
  });

  it("since and until select by time; timestamps are prefixed when asked", async () => {
    const c = await client([phases]);
    await waitFor(
      async () => {
        const probe = await client([phases]);
        probe.open(1, h.hostId, phases, { follow: false, timestamps: true });
        await probe.message("ended", 1);
        probe.close();
        return probe.textOf(1).length === 2 ? probe.textOf(1) : null;
      },
      { timeoutMs: 10_000, what: "both phases logged" },
    ).then(async (lines) => {
      const [early, late] = lines.map((l) => /^(\S+) (\w+)$/.exec(l)!);
      expect(early![2]).toBe("early");
      expect(late![2]).toBe("late");
      const lateAt = Date.parse(late![1]!);
      expect(lateAt - Date.parse(early![1]!)).toBeGreaterThan(1_500);
      c.open(1, h.hostId, phases, { follow: false, since: lateAt - 500 });
      c.open(2, h.hostId, phases, { follow: false, until: lateAt - 500 });
      await c.message("ended", 1);
      await c.message("ended", 2);
      expect(c.textOf(1)).toEqual(["late"]);
      expect(c.textOf(2)).toEqual(["early"]);
    });
    c.close();
  });

  it("a TTY container's logs come as one stream", async () => {
    const c = await client([tty]);
    c.open(7, h.hostId, tty, { tail: 3 });
    expect(await c.message("started", 7)).toMatchObject({ tty: true });
    await waitFor(() => c.textOf(7).length >= 5, { what: "TTY lines" });
    expect(c.lines.filter((l) => l.stream === 7).every((l) => l.kind === "stdout" && l.text === "tty-line\r")).toBe(true);
    c.close();
  });

  it("merges several containers on one socket, each line tagged with its stream", async () => {
    const c = await client([ticker, tty]);
    c.open(1, h.hostId, ticker, { tail: 0 });
    c.open(2, h.hostId, tty, { tail: 0 });
    await c.waitForLine(1, /^out-\d+$/);
    await c.waitForLine(2, /^tty-line/);
    expect(c.textOf(1).every((t) => /^(out|err)-\d+$/.test(t))).toBe(true);
    expect(c.textOf(2).every((t) => t.startsWith("tty-line"))).toBe(true);
    // A container the ticket does not name is refused on the socket.
    c.open(3, h.hostId, history, { tail: 1 });
    expect(await c.message("ended", 3)).toMatchObject({ reason: "error", message: expect.stringContaining("does not name") });
    // Stream numbers are never reused on a socket.
    c.open(1, h.hostId, ticker, { tail: 0 });
    await waitFor(() => c.messages.filter((m) => m.type === "ended" && m.stream === 1).length === 1, { what: "the reused number refused" });
    c.close();
  });

  it("merges one service's containers running on two hosts", async () => {
    const engine2 = new SecondEngine(fs.mkdtempSync(path.join(os.tmpdir(), "stv-logs-h2-")));
    let agent2: AgentProcess | null = null;
    try {
      await engine2.start();
      await engine2.loadTestImage();
      agent2 = AgentProcess.start({ url: h.stack.url, token: await h.stack.joinToken(), credentials: path.join(h.stack.dataDir, "a2.json"), hostname: "logs-host-2", socket: engine2.socket });
      const host2 = await waitFor(async () => (await h.api.hosts.list.query()).find((x) => x.name === "logs-host-2" && x.status === "online")?.id, { what: "the second host online" });
      const svc = ["sh", "-c", "while true; do echo \"served by $(hostname)\"; sleep 0.2; done"];
      const one = await runContainer("logs-svc", svc);
      const two = await runContainer("logs-svc", svc, engine2.socket);
      await waitFor(async () => (await h.api.containers.list.query({ q: "logs-svc" })).items.filter((c) => c.state === "running").length === 2, { what: "both replicas" });
      const { ticket } = await h.api.logs.ticket.mutate({ containers: [ref(one), { hostId: host2, containerId: two }] });
      const c = new LogsClient(h.stack.url, ticket, { cookie: h.cookie });
      await c.opened();
      c.open(1, h.hostId, one);
      c.open(2, host2, two);
      expect((await c.waitForLine(1, /^served by/)).text).toBe(`served by ${one.slice(0, 12)}`);
      expect((await c.waitForLine(2, /^served by/)).text).toBe(`served by ${two.slice(0, 12)}`);
      c.close();
    } finally {
      await agent2?.stop();
      await removeTestContainers(engine2.socket).catch(() => {});
      await engine2.stop();
      fs.rmSync(engine2.dir, { recursive: true, force: true });
    }
  });

  it("a flood to a browser that does not acknowledge stays bounded on the server, and does not slow another browser", async () => {
    const flood = await runContainer("logs-flood", ["sh", "-c", `yes ${FLOOD_LINE} | head -n ${FLOOD_LINES}; sleep 100000`], undefined, ["--log-opt", "max-size=100m"]);
    await waitFor(async () => (await h.api.containers.list.query({ q: "logs-flood" })).items.some((x) => x.state === "running"), { what: "the flood container" });
    const slow = await client([flood], { autoAck: false, keepLines: false });
    slow.open(1, h.hostId, flood); // all of it, from the first line
    const other = await client([ticker]);
    other.open(1, h.hostId, ticker, { tail: 0 });

    await waitFor(() => slow.received > LOGS_HIGH_WATER, { what: "the flood to fill the window" });
    await sleep(1_000);
    const held = slow.received;
    await sleep(1_000);
    // Paused, not buffering: nothing more arrives, and the server holds about one window for it.
    expect(slow.received - held).toBeLessThan(64 * 1024);
    expect(slow.received).toBeLessThan(1024 * 1024);
    expect(Math.max(...h.stack.cp.services.logs.backlogs.map((b) => b.behind))).toBeLessThan(LOGS_HIGH_WATER + 512 * 1024);
    // The other browser's stream keeps flowing meanwhile.
    const before = other.textOf(1).length;
    await waitFor(() => other.textOf(1).length >= before + 5, { what: "the other browser's lines to keep coming" });

    // Acknowledging lets the flood run again, to its last line.
    const acks = setInterval(() => slow.ack(), 5);
    await waitFor(() => slow.received >= FLOOD_LINES * (FLOOD_LINE.length + 1), { timeoutMs: 15_000, what: "the whole flood to arrive" });
    clearInterval(acks);
    slow.close();
    other.close();
  });

  // Twice in CI the server had not started holding bytes within 20 s: the loopback buffers take tens
  // of MB first (see the wait below). One retry stays until clean runs show 60 s is enough.
  it("a browser that acknowledges everything and reads nothing is held to one window too: acknowledgements are not trusted", { retry: 1, timeout: 120_000 }, async () => {
    // 64 MB of long lines: far more than the kernel's socket buffers hold, so a server that trusted
    // the acknowledgements would pile most of it up in its own memory.
    const line = "x".repeat(1023);
    const flood = await runContainer("logs-liar", ["sh", "-c", `yes ${line} | head -n 65536; sleep 100000`], undefined, ["--log-opt", "max-size=200m"]);
    await waitFor(async () => (await h.api.containers.list.query({ q: "logs-liar" })).items.some((x) => x.state === "running"), { what: "the flood container" });
    const liar = await client([flood], { autoAck: false, keepLines: false });
    // Stop reading the socket (as a stuck tab would), but keep claiming a huge amount was rendered.
    const raw = (liar.ws as unknown as { _socket: import("node:net").Socket })._socket;
    raw.pause();
    const lies = setInterval(() => liar.ws.send(JSON.stringify({ type: "ack", bytes: 1 << 30 })), 5);
    liar.open(1, h.hostId, flood);
    const held = () => h.stack.cp.services.logs.backlogs.reduce((most, b) => Math.max(most, b.held), 0);
    try {
      // Once the kernel's buffers are full, the server starts holding bytes itself. On loopback they
      // take tens of MB (here tcp_rmem allows a 32 MB receive buffer), which must first come through
      // the engine's log reader and the agent's 4 MiB/s budget: on a loaded machine, well over 20 s.
      await waitFor(() => held() > LOGS_HIGH_WATER, { timeoutMs: 60_000, what: "the server to hold bytes for the socket that stopped reading" });
      // ...and pauses the agent at one window, lies or not. What was already in flight from the agent
      // (its socket buffers, a few MB on a loaded machine) still lands; a server that trusted the
      // acknowledgements would hold most of the 64 MB.
      let most = 0;
      for (const until = Date.now() + 2_000; Date.now() < until; await sleep(10)) most = Math.max(most, held());
      expect(most).toBeLessThan(8 * 1024 * 1024);
    } finally {
      clearInterval(lies);
    }
    // Paused, not dropped: once the browser reads again, every line arrives.
    raw.resume();
    const acks = setInterval(() => liar.ack(), 5);
    await waitFor(() => liar.newlines >= 65_536, { timeoutMs: 30_000, what: "the whole flood to arrive after the browser reads again" });
    clearInterval(acks);
    liar.close();
  });

  it("a download streams the selected range as text", async () => {
    const res = await fetch(`${h.stack.url}${LOGS_DOWNLOAD_PATH}?hostId=${h.hostId}&containerId=${history}&tail=3`, { headers: { cookie: h.cookie } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-disposition")).toContain("logs-history.log");
    expect(await res.text()).toBe("48\n49\n50\n");
    const audited = (await h.stack.cp.services.audit.list({ action: "logs.download" })).items[0];
    expect(audited).toMatchObject({ targetName: "logs-history", phase: "succeeded", params: expect.stringContaining('"tail":3') });
    const bad = await fetch(`${h.stack.url}${LOGS_DOWNLOAD_PATH}?hostId=${h.hostId}&containerId=nope`, { headers: { cookie: h.cookie } });
    expect(bad.status).toBe(400);
    expect((await fetch(`${h.stack.url}${LOGS_DOWNLOAD_PATH}?hostId=${h.hostId}&containerId=${history}`)).status).toBe(401);
  });

  it("refuses viewers without the logs grant, viewer-role tokens, reused or stolen tickets and other origins, and audits the refusals", async () => {
    await h.api.users.create.mutate({ email: "vera@logs.test", name: "Vera", role: "viewer", password: "vera-password-123" });
    const veraCookie = await signIn(h.stack.url, "vera@logs.test", "vera-password-123");
    const vera = apiClient(h.stack.url, veraCookie);
    await expect(vera.logs.ticket.mutate({ containers: [ref(ticker)] })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    expect((await vera.containers.get.query({ hostId: h.hostId, id: ticker })).container.logs).toBe(false);
    const download = `${h.stack.url}${LOGS_DOWNLOAD_PATH}?hostId=${h.hostId}&containerId=${history}&tail=1`;
    expect((await fetch(download, { headers: { cookie: veraCookie } })).status).toBe(403);
    const refusal = (await h.stack.cp.services.audit.list({ action: "logs.download", phase: "refused" })).items[0];
    expect(refusal).toMatchObject({ actorName: "vera@logs.test", hostId: h.hostId, targetId: history });

    // A viewer-role token is refused even for an admin; an operator-role token reads logs.
    const { token: viewerToken } = await h.api.tokens.create.mutate({ name: "read only", role: "viewer" });
    await expect(tokenClient(h.stack.url, viewerToken).logs.ticket.mutate({ containers: [ref(ticker)] })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    expect((await fetch(download, { headers: { authorization: `Bearer ${viewerToken}` } })).status).toBe(403);
    const { token: opsToken } = await h.api.tokens.create.mutate({ name: "ops", role: "operator" });
    const viaToken = await fetch(download, { headers: { authorization: `Bearer ${opsToken}` } });
    expect(await viaToken.text()).toBe("50\n");

    // Tickets: another origin, a made-up one, a reused one, one taken into another user's browser.
    const { ticket } = await h.api.logs.ticket.mutate({ containers: [ref(ticker)] });
    await expect(new LogsClient(h.stack.url, ticket, { cookie: h.cookie, origin: "https://evil.example" }).opened()).rejects.toThrow("HTTP 403");
    await expect(new LogsClient(h.stack.url, "made-up", { cookie: h.cookie }).opened()).rejects.toThrow("HTTP 401");
    const { ticket: good } = await h.api.logs.ticket.mutate({ containers: [ref(ticker)] });
    const ok = new LogsClient(h.stack.url, good, { cookie: h.cookie });
    await ok.opened();
    await expect(new LogsClient(h.stack.url, good, { cookie: h.cookie }).opened()).rejects.toThrow("HTTP 401");
    const { ticket: stolen } = await h.api.logs.ticket.mutate({ containers: [ref(ticker)] });
    await expect(new LogsClient(h.stack.url, stolen, { cookie: veraCookie }).opened()).rejects.toThrow("HTTP 401");
    ok.close();
    const refused = await h.stack.cp.services.audit.list({ action: "logs.refused" });
    expect(refused.items.map((e) => e.error)).toEqual(
      expect.arrayContaining([expect.stringContaining("origin https://evil.example"), expect.stringContaining("no valid ticket"), expect.stringContaining("another user's session")]),
    );
    expect(new Set(refused.items.map((e) => e.phase))).toEqual(new Set(["refused"]));

    // A logs grant on the host's group lets the viewer read logs there, and nothing more.
    await h.api.hosts.setGroups.mutate({ hostId: h.hostId, groups: ["logs"] });
    const veraId = (await h.api.users.list.query()).find((u) => u.email === "vera@logs.test")!.id;
    await h.api.users.setGrants.mutate({ userId: veraId, grants: [{ group: "logs", role: "logs" }] });
    const got = await vera.containers.get.query({ hostId: h.hostId, id: ticker });
    expect(got.container).toMatchObject({ logs: true, access: "viewer", terminal: false });
    const c = await client([ticker], { cookie: veraCookie, api: vera });
    c.open(1, h.hostId, ticker, { tail: 1 });
    await c.waitForLine(1, /^(out|err)-\d+$/);
    c.close();
    await expect(vera.containers.operate.mutate({ targets: [{ hostId: h.hostId, id: ticker }], operation: { action: "kill" } })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
  });
});
