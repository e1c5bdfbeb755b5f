import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { docker, removeTestContainers, runContainer, waitFor } from "./support/engine";
import { type StackWithHost, apiClient, signIn, startStackWithHost } from "./support/stack";
import { TerminalClient } from "./support/terminal-client";

const SIZE = { cols: 80, rows: 24 };

describe("web terminal: attach and exec through the control plane and the agent", () => {
  let h: StackWithHost;
  let shell: string;
  let logger: string;

  beforeAll(async () => {
    await removeTestContainers();
    h = await startStackWithHost("term-host");
    shell = await runContainer("term-shell", ["sh"], undefined, ["-it"]);
    logger = await runContainer("term-logger", ["sh", "-c", "i=0; while true; do i=$((i+1)); echo out-$i; echo err-$i >&2; sleep 0.2; done"]);
    await waitFor(async () => (await h.api.containers.list.query({ q: "term-" })).items.filter((c) => c.state === "running").length === 2, { what: "both containers in the fleet view" });
  });
  afterAll(async () => {
    await h.agent.stop();
    await h.stack.close();
    await removeTestContainers();
  });

  async function open(mode: "attach" | "exec", containerId: string, extra: { command?: string[]; user?: string } = {}, api = h.api) {
    const { sessionId, ticket } = await api.terminals.open.mutate({ hostId: h.hostId, containerId, mode, size: SIZE, ...extra });
    const term = new TerminalClient(h.stack.url, ticket);
    await term.opened();
    await waitFor(() => term.messages.some((m) => m.type === "hello" && !m.starting), { what: "the session to start" });
    return { sessionId, term };
  }

  it("exec runs a shell: typed input comes back, resize reaches the engine, exit ends it with the code", async () => {
    const { term } = await open("exec", shell, { command: ["sh"] });
    term.type("echo hel''lo\r");
    await term.waitForText(/\r\nhello\r\n/);
    term.resize(132, 43);
    term.type("stty size\r");
    await term.waitForText("43 132");
    term.type("exit 3\r");
    expect(await term.message("ended")).toMatchObject({ reason: "exited", exitCode: 3 });
    await waitFor(() => term.closed, { what: "the socket to close" });
  });

  it("attach reaches PID 1; the detach keys leave the container running", async () => {
    const { term } = await open("attach", shell);
    term.type("echo attached-$((6*7))\r");
    await term.waitForText("attached-42");
    term.type("\x10\x11"); // ctrl-p ctrl-q
    expect(await term.message("ended")).toMatchObject({ reason: "detached" });
    expect(await docker(["inspect", "-f", "{{.State.Running}}", shell])).toBe("true");
  });

  it("a non-TTY container's stdout and stderr are told apart (stderr in red)", async () => {
    const { term } = await open("attach", logger);
    await term.waitForText(/out-\d+\n/);
    await term.waitForText(new RegExp(String.raw`\u001b\[31merr-\d+\n\u001b\[39m`));
    term.close();
  });

  it("a reload rejoins the same process and sees the current screen; a second viewer watches along", async () => {
    const { sessionId, term } = await open("exec", shell, { command: ["sh"] });
    term.type("export MARK=kept; echo marker-$((40+2))\r");
    await term.waitForText("marker-42");
    term.close();
    await waitFor(() => term.closed, { what: "the first viewer to leave" });

    const { ticket } = await h.api.terminals.join.mutate({ sessionId });
    const again = new TerminalClient(h.stack.url, ticket);
    await again.opened();
    await again.waitForText("marker-42"); // the screen as it was, from the server's terminal state
    const { ticket: second } = await h.api.terminals.join.mutate({ sessionId });
    const watcher = new TerminalClient(h.stack.url, second);
    await watcher.opened();
    await waitFor(() => again.messages.some((m) => m.type === "viewers" && m.viewers === 2), { what: "two viewers" });
    again.type("echo $MARK-still\r");
    await again.waitForText("kept-still");
    await watcher.waitForText("kept-still");
    again.type("exit\r");
    expect(await watcher.message("ended")).toMatchObject({ reason: "exited", exitCode: 0 });
  });

  it("a flood stops at the high-water mark for a browser that does not acknowledge, resumes when it does, and Ctrl-C stops it", async () => {
    const { sessionId, ticket } = await h.api.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", command: ["sh"], size: SIZE });
    const slow = new TerminalClient(h.stack.url, ticket, { autoAck: false });
    await slow.opened();
    await waitFor(() => slow.messages.some((m) => m.type === "hello" && !m.starting), { what: "the session to start" });
    slow.type("yes\r");
    await waitFor(() => slow.received > 100 * 1024, { what: "the flood to start" });
    await new Promise((r) => setTimeout(r, 1_000));
    const held = slow.received;
    await new Promise((r) => setTimeout(r, 1_000));
    // Without acknowledgements almost nothing more arrives: the pipeline is paused, not buffering.
    expect(slow.received - held).toBeLessThan(256 * 1024);
    expect(slow.received).toBeLessThan(1024 * 1024);
    const session = h.stack.cp.services.terminals.get(sessionId)!;
    const out = session.bytesOut;
    await new Promise((r) => setTimeout(r, 500));
    expect(session.bytesOut - out).toBeLessThan(256 * 1024);

    // One acknowledgement lets about one high-water mark more through; acknowledging as it renders lets it run.
    slow.ack();
    await waitFor(() => slow.received > held + 50 * 1024, { what: "output to resume" });
    const ackLoop = setInterval(() => slow.ack(), 5);
    await waitFor(() => slow.received > held + 2 * 1024 * 1024, { what: "the flood to run freely" });
    slow.type("\x03");
    const stopAt = Date.now();
    await waitFor(
      async () => {
        const before = slow.received;
        await new Promise((r) => setTimeout(r, 300));
        return slow.received === before;
      },
      { timeoutMs: 5_000, what: "the flood to stop" },
    );
    clearInterval(ackLoop);
    expect(Date.now() - stopAt).toBeLessThan(2_000);
    slow.type("exit\r");
    await slow.message("ended");
  });

  it("refuses users without the terminal permission, reused tickets and other origins, and audits the refusals", async () => {
    await h.api.users.create.mutate({ email: "ops@term.test", name: "Ops", role: "operator", password: "ops-password-123" });
    const ops = apiClient(h.stack.url, await signIn(h.stack.url, "ops@term.test", "ops-password-123"));
    await expect(ops.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", size: SIZE })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

    const { ticket, sessionId } = await h.api.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", size: SIZE });
    await expect(new TerminalClient(h.stack.url, ticket, { origin: "https://evil.example" }).opened()).rejects.toThrow("HTTP 403");
    const { ticket: good } = await h.api.terminals.join.mutate({ sessionId });
    const term = new TerminalClient(h.stack.url, good);
    await term.opened();
    await expect(new TerminalClient(h.stack.url, good).opened()).rejects.toThrow("HTTP 401");
    await expect(new TerminalClient(h.stack.url, "made-up").opened()).rejects.toThrow("HTTP 401");
    await expect(ops.terminals.join.mutate({ sessionId })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(ops.terminals.close.mutate({ sessionId })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    const refused = await h.stack.cp.services.audit.list({ action: "terminal.refused" });
    expect(refused.items.map((e) => e.error)).toEqual(expect.arrayContaining([expect.stringContaining("origin https://evil.example"), expect.stringContaining("no valid ticket")]));

    // A grant for terminals on the host's group lets the operator in.
    await h.api.hosts.setGroups.mutate({ hostId: h.hostId, groups: ["term"] });
    const opsId = (await h.api.users.list.query()).find((u) => u.email === "ops@term.test")!.id;
    await h.api.users.setGrants.mutate({ userId: opsId, grants: [{ group: "term", role: "terminal" }] });
    const { ticket: joined } = await ops.terminals.join.mutate({ sessionId });
    const opsTerm = new TerminalClient(h.stack.url, joined);
    await opsTerm.opened();
    await h.api.terminals.close.mutate({ sessionId });
    expect(await opsTerm.message("ended")).toMatchObject({ reason: "closed" });
  });

  it("records the session as asciicast v2, audits open and close with bytes and how it ended, and serves the recording to its owner only", async () => {
    const { sessionId, term } = await open("exec", shell, { command: ["sh"] });
    term.type("echo recorded-$((1+1))\r");
    await term.waitForText("recorded-2");
    term.resize(100, 30);
    term.type("exit\r");
    await term.message("ended");
    const close = await waitFor(async () => (await h.stack.cp.services.audit.list({ action: "terminal.close" })).items.find((e) => e.params?.includes(sessionId)), { what: "the close entry" });
    const params = JSON.parse(close.params!);
    expect(params).toMatchObject({ sessionId, mode: "exec", command: "sh", ended: { reason: "exited", exitCode: 0 }, recording: { file: `${sessionId}.cast`, truncated: false, error: null } });
    expect(params.bytesIn).toBeGreaterThan(10);
    expect(params.bytesOut).toBeGreaterThan(10);
    const opened = (await h.stack.cp.services.audit.list({ action: "terminal.exec" })).items.filter((e) => e.requestId === close.requestId);
    expect(opened.map((e) => e.phase).sort()).toEqual(["requested", "succeeded"]);

    const cookie = await signIn(h.stack.url);
    const res = await fetch(`${h.stack.url}/api/recordings/${sessionId}.cast`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const [header, ...events] = (await res.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(header).toMatchObject({ version: 2, width: 80, height: 24 });
    expect(events.some((e: [number, string, string]) => e[1] === "o" && e[2].includes("recorded-2"))).toBe(true);
    expect(events).toContainEqual([expect.any(Number), "r", "100x30"]);
    // Input is not recorded by default (it holds passwords).
    expect(events.some((e: [number, string, string]) => e[1] === "i")).toBe(false);
    const times = events.map((e: [number]) => e[0]);
    expect(times).toEqual([...times].sort((a, b) => a - b));

    const other = await signIn(h.stack.url, "ops@term.test", "ops-password-123");
    expect((await fetch(`${h.stack.url}/api/recordings/${sessionId}.cast`, { headers: { cookie: other } })).status).toBe(403);
    expect((await fetch(`${h.stack.url}/api/recordings/${sessionId}.cast`)).status).toBe(401);
  });
});
