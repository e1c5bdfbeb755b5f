import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TERMINAL_HIGH_WATER } from "@stevedore/protocol";
import { docker, removeTestContainers, runContainer, waitFor } from "./support/engine";
import { itOncePerRun } from "./support/shared-database";
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

  /** A viewer signed in as the admin (or with another user's cookie). */
  const viewer = (ticket: string, opts: { cookie?: string; origin?: string; autoAck?: boolean; keepOutput?: boolean } = {}) => new TerminalClient(h.stack.url, ticket, { cookie: h.cookie, ...opts });

  async function open(mode: "attach" | "exec", containerId: string, extra: { command?: string[]; user?: string } = {}) {
    const { sessionId, ticket } = await h.api.terminals.open.mutate({ hostId: h.hostId, containerId, mode, size: SIZE, ...extra });
    const term = viewer(ticket);
    await term.opened();
    await waitFor(() => term.messages.some((m) => m.type === "hello" && !m.starting), { what: "the session to start" });
    return { sessionId, term };
  }

  itOncePerRun("exec runs a shell: typed input comes back, resize reaches the engine, exit ends it with the code", async () => {
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

  itOncePerRun("closing an exec session ends its shell and the jobs it started in the container", async () => {
    const pids = async () => new Set((await docker(["top", shell, "-o", "pid"])).split("\n").slice(1).map((l) => l.trim()).filter(Boolean));
    const before = await pids();
    const { sessionId, term } = await open("exec", shell, { command: ["sh"] });
    term.type("sleep 4242 & echo job-$((40+2))\r");
    await term.waitForText("job-42");
    const started = [...(await pids())].filter((p) => !before.has(p));
    expect(started.length).toBeGreaterThanOrEqual(2); // the exec'd shell and its sleep
    expect(await docker(["top", shell, "-o", "pid,args"])).toContain("sleep 4242");
    await h.api.terminals.close.mutate({ sessionId });
    expect(await term.message("ended")).toMatchObject({ reason: "closed" });
    await waitFor(async () => {
      const now = await pids();
      return started.every((p) => !now.has(p));
    }, { what: "the exec'd shell and its job to be gone from docker top", timeoutMs: 5_000 });
    expect(await docker(["top", shell, "-o", "pid,args"])).not.toContain("sleep 4242");
    expect(await docker(["inspect", "-f", "{{.State.Running}}", shell])).toBe("true");
  });

  itOncePerRun("attach reaches PID 1; the detach keys leave the container running", async () => {
    const { term } = await open("attach", shell);
    term.type("echo attached-$((6*7))\r");
    await term.waitForText("attached-42");
    term.type("\x10\x11"); // ctrl-p ctrl-q
    expect(await term.message("ended")).toMatchObject({ reason: "detached" });
    expect(await docker(["inspect", "-f", "{{.State.Running}}", shell])).toBe("true");
  });

  itOncePerRun("a non-TTY container's stdout and stderr are told apart (stderr in red)", async () => {
    const { term } = await open("attach", logger);
    await term.waitForText(/out-\d+\n/);
    await term.waitForText(new RegExp(String.raw`\u001b\[31merr-\d+\n\u001b\[39m`));
    term.close();
  });

  itOncePerRun("a reload rejoins the same process and sees the current screen; a second viewer watches along", async () => {
    const { sessionId, term } = await open("exec", shell, { command: ["sh"] });
    term.type("export MARK=kept; echo marker-$((40+2))\r");
    await term.waitForText("marker-42");
    term.close();
    await waitFor(() => term.closed, { what: "the first viewer to leave" });

    const { ticket } = await h.api.terminals.join.mutate({ sessionId });
    const again = viewer(ticket);
    await again.opened();
    await again.waitForText("marker-42"); // the screen as it was, from the server's terminal state
    const { ticket: second } = await h.api.terminals.join.mutate({ sessionId });
    const watcher = viewer(second);
    await watcher.opened();
    // Two tabs of the same user are one viewer, the owner, and both may type.
    await waitFor(() => again.messages.some((m) => m.type === "viewers" && m.viewers.length === 1 && m.viewers[0]!.connections === 2 && m.viewers[0]!.owner), { what: "the owner's two tabs" });
    expect(await watcher.message("hello")).toMatchObject({ owner: true, canType: true });
    again.type("echo $MARK-still\r");
    await again.waitForText("kept-still");
    await watcher.waitForText("kept-still");
    again.type("exit\r");
    expect(await watcher.message("ended")).toMatchObject({ reason: "exited", exitCode: 0 });
  });

  itOncePerRun("a flood stops at the high-water mark for a browser that does not acknowledge, resumes when it does, and Ctrl-C stops it", async () => {
    const { sessionId, ticket } = await h.api.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", command: ["sh"], size: SIZE });
    const slow = viewer(ticket, { autoAck: false });
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
    expect(slow.lastOutputAt - stopAt).toBeLessThan(1_000);
    slow.type("exit\r");
    await slow.message("ended");
  });

  itOncePerRun("a browser that acknowledges everything and reads nothing pauses the flood too: acknowledgements are not trusted", async () => {
    const { sessionId, ticket } = await h.api.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", command: ["sh"], size: SIZE });
    const liar = viewer(ticket, { autoAck: false, keepOutput: false });
    await liar.opened();
    await waitFor(() => liar.messages.some((m) => m.type === "hello" && !m.starting), { what: "the session to start" });
    // Stop reading the socket, as a stuck tab would, while claiming a huge amount was rendered.
    const raw = (liar.ws as unknown as { _socket: import("node:net").Socket })._socket;
    raw.pause();
    const lies = setInterval(() => liar.ws.send(JSON.stringify({ type: "ack", bytes: 1 << 30 })), 5);
    liar.type("yes\r");
    const session = h.stack.cp.services.terminals.get(sessionId)!;
    const held = () => Math.max(0, ...session.viewerBacklogs);
    try {
      // Once the kernel's buffers are full the server starts holding output itself, and pauses the
      // agent at one window. Output already in flight (a few MB on a loaded machine) still lands; then
      // nothing more comes, where trusting the acknowledgements `yes` would keep piling up.
      await waitFor(() => held() > TERMINAL_HIGH_WATER, { timeoutMs: 20_000, what: "the server to hold output for the socket that stopped reading" });
      await new Promise((r) => setTimeout(r, 1_000)); // what was in flight lands
      const out = session.bytesOut;
      let most = 0;
      for (const until = Date.now() + 2_000; Date.now() < until; await new Promise((r) => setTimeout(r, 10))) most = Math.max(most, held());
      expect(most).toBeLessThan(8 * 1024 * 1024);
      expect(session.bytesOut - out).toBeLessThan(256 * 1024);
    } finally {
      clearInterval(lies);
    }
    raw.resume();
    const acks = setInterval(() => liar.ack(), 5);
    await waitFor(() => held() < TERMINAL_HIGH_WATER && liar.received > 0, { what: "the browser to catch up once it reads" });
    liar.type("\x03");
    liar.type("exit\r");
    await liar.message("ended");
    clearInterval(acks);
  });

  it("refuses users without the terminal permission, reused tickets and other origins, and audits the refusals", async () => {
    await h.api.users.create.mutate({ email: "ops@term.test", name: "Ops", role: "operator", password: "ops-password-123" });
    const opsCookie = await signIn(h.stack.url, "ops@term.test", "ops-password-123");
    const ops = apiClient(h.stack.url, opsCookie);
    await expect(ops.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", size: SIZE })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

    const { ticket, sessionId } = await h.api.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", size: SIZE });
    await expect(viewer(ticket, { origin: "https://evil.example" }).opened()).rejects.toThrow("HTTP 403");
    const { ticket: good } = await h.api.terminals.join.mutate({ sessionId });
    const term = viewer(good);
    await term.opened();
    await expect(viewer(good).opened()).rejects.toThrow("HTTP 401");
    await expect(viewer("made-up").opened()).rejects.toThrow("HTTP 401");
    // A ticket taken from the admin's browser is useless in another user's: it is bound to the admin's session.
    const { ticket: stolen } = await h.api.terminals.join.mutate({ sessionId });
    await expect(viewer(stolen, { cookie: opsCookie }).opened()).rejects.toThrow("HTTP 401");
    await expect(viewer(stolen).opened()).rejects.toThrow("HTTP 401");
    await expect(ops.terminals.join.mutate({ sessionId })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await expect(ops.terminals.close.mutate({ sessionId })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    const refused = await h.stack.cp.services.audit.list({ action: "terminal.refused" });
    expect(refused.items.map((e) => e.error)).toEqual(expect.arrayContaining([expect.stringContaining("origin https://evil.example"), expect.stringContaining("no valid ticket"), expect.stringContaining("another user's session")]));
    expect(new Set(refused.items.map((e) => e.phase))).toEqual(new Set(["refused"]));

    // A grant for terminals on the host's group lets the operator in.
    await h.api.hosts.setGroups.mutate({ hostId: h.hostId, groups: ["term"] });
    const opsId = (await h.api.users.list.query()).find((u) => u.email === "ops@term.test")!.id;
    await h.api.users.setGrants.mutate({ userId: opsId, grants: [{ group: "term", role: "terminal" }] });
    const { ticket: joined } = await ops.terminals.join.mutate({ sessionId });
    const opsTerm = viewer(joined, { cookie: opsCookie });
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

    // The recordings list: the admin sees every session with its facts; ops (granted terminals on the
    // host's group above) opens one of its own and sees only that one, as the .cast endpoint allows.
    const ops = apiClient(h.stack.url, other);
    const mine = await ops.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", command: ["sh"], size: SIZE });
    const opsTerm = viewer(mine.ticket, { cookie: other });
    await opsTerm.opened();
    await waitFor(() => opsTerm.messages.some((m) => m.type === "hello" && !m.starting), { what: "ops's session to start" });
    opsTerm.type("exit\r");
    await opsTerm.message("ended");
    const listed = await waitFor(async () => (await h.api.recordings.list.query({})).items.find((r) => r.sessionId === mine.sessionId && r.endedAt), { what: "ops's closed session in the admin's list" });
    expect(listed).toMatchObject({ openedBy: "ops@term.test", hostId: h.hostId, containerId: shell, mode: "exec", command: "sh", available: true });
    const adminsOwn = (await h.api.recordings.list.query({ sessionId })).items;
    expect(adminsOwn).toEqual([expect.objectContaining({ sessionId, openedBy: close.actorName, containerName: close.targetName, hostName: close.hostName, durationMs: params.durationMs, bytes: params.recording.bytes, available: true })]);
    expect(adminsOwn[0]!.durationMs).toBeGreaterThan(0);
    expect(adminsOwn[0]!.bytes).toBeGreaterThan(100);
    const opsList = (await ops.recordings.list.query({})).items;
    expect(opsList.map((r) => r.sessionId)).toEqual([mine.sessionId]);
    expect((await ops.recordings.list.query({ sessionId })).items).toEqual([]);
    // Filter words (any case) and sorting.
    expect((await h.api.recordings.list.query({ q: "OPS@TERM" })).items.map((r) => r.sessionId)).toEqual([mine.sessionId]);
    const byDuration = (await h.api.recordings.list.query({ sort: "duration", dir: "asc" })).items.flatMap((r) => (r.durationMs === null ? [] : [r.durationMs]));
    expect(byDuration).toEqual([...byDuration].sort((a, b) => a - b));
    expect(byDuration.length).toBeGreaterThanOrEqual(2);
  });

  itOncePerRun("keeps UTF-8 intact on screen and in the recording, and a flooding session does not slow another", async () => {
    const flood = await h.api.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", command: ["sh"], size: SIZE });
    const stuck = viewer(flood.ticket, { autoAck: false });
    await stuck.opened();
    await waitFor(() => stuck.messages.some((m) => m.type === "hello" && !m.starting), { what: "the flood session to start" });
    stuck.type("yes\r");
    await waitFor(() => stuck.received > 100 * 1024, { what: "the flood to fill its window" });

    const { sessionId, term } = await open("exec", shell, { command: ["sh"] });
    const started = Date.now();
    term.type("printf 'h\\303\\251llo \\342\\234\\223 %s\\n' done\r");
    await term.waitForText("héllo ✓ done");
    expect(Date.now() - started).toBeLessThan(1_000);
    term.type("exit\r");
    await term.message("ended");
    await h.api.terminals.close.mutate({ sessionId: flood.sessionId });
    await stuck.message("ended");

    const file = await waitFor(() => h.stack.cp.services.terminals.recordingPath(sessionId), { what: "the recording" });
    expect(fs.readFileSync(file, "utf8")).toContain("héllo ✓ done");
  });

  it("admin settings: input recording, a size cap that truncates, strict refusal when recording fails, and retention", async () => {
    const terminals = h.stack.cp.services.terminals;
    await h.api.settings.setTerminal.mutate({ recordInput: true, strictRecording: false, recordingMaxMiB: 1, recordingRetentionDays: 30 });
    const { sessionId, term } = await open("exec", shell, { command: ["sh"] });
    term.type("echo typed-in\r");
    await term.waitForText(/\r\ntyped-in\r\n/);
    term.type("head -c 3000000 /dev/zero | tr '\\0' x; echo; echo flood-done\r");
    await term.waitForText("flood-done", 20_000);
    term.type("exit\r");
    await term.message("ended");
    const close = await waitFor(async () => (await h.stack.cp.services.audit.list({ action: "terminal.close" })).items.find((e) => e.params?.includes(sessionId)), { what: "the close entry" });
    expect(JSON.parse(close.params!).recording).toMatchObject({ truncated: true, error: null });
    const cast = fs.readFileSync(terminals.recordingPath(sessionId)!, "utf8");
    expect(Buffer.byteLength(cast)).toBeLessThanOrEqual(1024 * 1024);
    expect(cast.split("\n").filter(Boolean).map((l) => JSON.parse(l)).some((e: unknown[]) => e[1] === "i" && String(e[2]).includes("typed-in"))).toBe(true);

    // A recordings directory that cannot be written (here a plain file stands in its way).
    fs.renameSync(terminals.recordingsDir, `${terminals.recordingsDir}.moved`);
    fs.writeFileSync(terminals.recordingsDir, "not a directory");
    try {
      const relaxed = await open("exec", shell, { command: ["sh"] });
      relaxed.term.type("exit\r");
      await relaxed.term.message("ended");
      const opened = (await h.stack.cp.services.audit.list({ action: "terminal.exec", phase: "requested" })).items.find((e) => e.params?.includes(relaxed.sessionId));
      expect(JSON.parse(opened!.params!).recording.error).toMatch(/EEXIST|ENOTDIR|not a directory|file already exists/i);

      await h.api.settings.setTerminal.mutate({ recordInput: false, strictRecording: true, recordingMaxMiB: 50, recordingRetentionDays: 30 });
      await expect(h.api.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", size: SIZE })).rejects.toMatchObject({
        data: { code: "PRECONDITION_FAILED" },
        message: expect.stringContaining("must be recorded"),
      });
      const refused = (await h.stack.cp.services.audit.list({ action: "terminal.exec", phase: "failed" })).items[0];
      expect(refused?.error).toMatch(/could not be recorded/);
    } finally {
      fs.rmSync(terminals.recordingsDir, { force: true });
      fs.renameSync(`${terminals.recordingsDir}.moved`, terminals.recordingsDir);
      await h.api.settings.setTerminal.mutate({ recordInput: false, strictRecording: false, recordingMaxMiB: 50, recordingRetentionDays: 30 });
    }

    // Retention: a recording older than 30 days goes, a recent one stays.
    const old = path.join(terminals.recordingsDir, "term_oldrecording.cast");
    fs.writeFileSync(old, "{}\n");
    const longAgo = new Date(Date.now() - 31 * 86_400_000);
    fs.utimesSync(old, longAgo, longAgo);
    await terminals.deleteExpiredRecordings();
    expect(fs.existsSync(old)).toBe(false);
    expect(terminals.recordingPath(sessionId)).not.toBeNull();
  });

  it("someone else's session is watched read-only until its owner allows typing; input is attributed in the recording and joins and grants are audited", async () => {
    await h.api.settings.setTerminal.mutate({ recordInput: true, strictRecording: false, recordingMaxMiB: 50, recordingRetentionDays: 30 });
    const ownerEmail = (await h.api.me.get.query()).email;
    const joinerEmail = "joiner@term.test";
    await h.api.users.create.mutate({ email: joinerEmail, name: "Joiner", role: "viewer", password: "joiner-password-123" });
    const joinerId = (await h.api.users.list.query()).find((u) => u.email === joinerEmail)!.id;
    await h.api.users.setGrants.mutate({ userId: joinerId, grants: [{ group: "*", role: "terminal" }] });
    const joinerCookie = await signIn(h.stack.url, joinerEmail, "joiner-password-123");
    const joinerApi = apiClient(h.stack.url, joinerCookie);
    // The test image has no /tmp; the positive check below (the allowed joiner's file) shows the path is writable.
    await docker(["exec", shell, "mkdir", "-p", "/tmp"]);
    const exists = async (file: string) => (await docker(["exec", shell, "sh", "-c", `test -e ${file} && echo yes || echo no`])) === "yes";
    const refusals = (t: TerminalClient) => t.messages.filter((m) => m.type === "refused");
    /** Whether a viewer may type, as the latest viewer list a client got says. */
    const mayType = (t: TerminalClient, viewerId: string) => {
      const last = t.messages.findLast((m) => m.type === "viewers");
      return last?.type === "viewers" ? last.viewers.find((v) => v.viewerId === viewerId)?.canType : undefined;
    };

    const { sessionId, term: owner } = await open("exec", shell, { command: ["sh"] });
    /** The owner's own marker has echoed: what the joiner sent before it would have run first, had it been passed on. */
    let marks = 0;
    const ownerMark = async () => {
      marks++;
      owner.type(`echo owner-mark-$((${marks}*1000))\r`);
      await owner.waitForText(`owner-mark-${marks * 1000}`);
    };
    const { ticket } = await joinerApi.terminals.join.mutate({ sessionId });
    const joiner = viewer(ticket, { cookie: joinerCookie });
    await joiner.opened();
    const hello = await joiner.message("hello");
    expect(hello).toMatchObject({ owner: false, canType: false });
    // The owner sees the joiner by name, read-only.
    const listed = await waitFor(() => owner.messages.findLast((m) => m.type === "viewers" && m.viewers.length === 2), { what: "the owner to see the joiner" });
    expect(listed.type === "viewers" && listed.viewers).toEqual([
      expect.objectContaining({ email: ownerEmail, owner: true, canType: true }),
      { viewerId: hello.viewerId, email: joinerEmail, owner: false, canType: false, connections: 1 },
    ]);

    // Read-only: keystrokes and a resize are dropped by the server (the joiner is told), never reach the shell.
    joiner.type("touch /tmp/joined-ro\r");
    joiner.resize(50, 10);
    await waitFor(() => refusals(joiner).length === 1, { what: "the read-only refusal" });
    expect(refusals(joiner)[0]).toMatchObject({ message: expect.stringContaining("read-only") });
    await ownerMark();
    expect(await exists("/tmp/joined-ro")).toBe(false);
    expect(owner.text).not.toContain("joined-ro");
    owner.type("stty size\r");
    await owner.waitForText("24 80");

    // Only the owner may let someone type: the joiner's own attempt is refused, and its socket stays up.
    const selfAllow = async () => {
      const before = refusals(joiner).length;
      joiner.ws.send(JSON.stringify({ type: "allow-input", viewerId: hello.viewerId, allowed: true }));
      await waitFor(() => refusals(joiner).length === before + 1, { what: "the allow-input refusal" });
      expect(refusals(joiner)[before]).toMatchObject({ message: expect.stringContaining("only the user who opened this session") });
    };
    await selfAllow();
    // Its next keystrokes are still dropped (it is not told twice), and it still receives output. The
    // second refusal answers a message sent after them on the same socket: they have been handled.
    joiner.type("touch /tmp/joined-self\r");
    await selfAllow();
    await ownerMark();
    await joiner.waitForText(`owner-mark-${marks * 1000}`);
    expect(await exists("/tmp/joined-self")).toBe(false);
    expect(joiner.closed).toBeNull();

    // The owner allows the joiner: its input now runs.
    owner.ws.send(JSON.stringify({ type: "allow-input", viewerId: hello.viewerId, allowed: true }));
    await waitFor(() => mayType(joiner, hello.viewerId) === true, { what: "the joiner to be allowed" });
    joiner.type("touch /tmp/joined-rw; echo joiner-mark-$((2+3))\r");
    await joiner.waitForText("joiner-mark-5");
    expect(await exists("/tmp/joined-rw")).toBe(true);

    // And takes it back: dropped again (and the joiner is told again).
    owner.ws.send(JSON.stringify({ type: "allow-input", viewerId: hello.viewerId, allowed: false }));
    await waitFor(() => mayType(joiner, hello.viewerId) === false, { what: "the joiner to be read-only again" });
    joiner.type("touch /tmp/joined-revoked\r");
    await waitFor(() => refusals(joiner).length === 4, { what: "the refusal after the revoke" });
    await ownerMark();
    expect(await exists("/tmp/joined-revoked")).toBe(false);
    owner.type("exit\r");
    await joiner.message("ended");

    // Audit: the join (the joiner as actor), the grant and the revoke (the owner as actor), the refused
    // self-grant, and the close entry listing who joined.
    const entries = async (action: string) => (await h.stack.cp.services.audit.list({ action })).items.filter((e) => e.params?.includes(sessionId));
    // The close entry is written last (the others are written as they happen).
    const close = await waitFor(async () => (await entries("terminal.close"))[0], { what: "the close entry" });
    const [join] = await entries("terminal.join");
    expect(join).toMatchObject({ actorName: joinerEmail, actorId: joinerId, hostId: h.hostId, targetType: "container", targetId: shell, phase: "succeeded" });
    expect(JSON.parse(join!.params!)).toMatchObject({ sessionId, owner: ownerEmail, mode: "exec", command: "sh" });
    // The owner's own socket is no join.
    expect(await entries("terminal.join")).toHaveLength(1);
    const allow = (await entries("terminal.allow-input")).reverse();
    expect(allow.map((e) => [e.actorName, e.phase, e.params && JSON.parse(e.params).to?.canType, e.error])).toEqual([
      [joinerEmail, "refused", undefined, expect.stringContaining("only the user who opened this session")],
      [joinerEmail, "refused", undefined, expect.stringContaining("only the user who opened this session")],
      [ownerEmail, "succeeded", true, null],
      [ownerEmail, "succeeded", false, null],
    ]);
    expect(JSON.parse(allow[2]!.params!)).toEqual({ sessionId, viewer: joinerEmail, from: { canType: false }, to: { canType: true } });
    expect(allow[2]).toMatchObject({ hostId: h.hostId, targetId: shell });
    expect(JSON.parse(close.params!).joined).toEqual([{ email: joinerEmail, allowedToType: true, bytesIn: Buffer.byteLength("touch /tmp/joined-rw; echo joiner-mark-$((2+3))\r") }]);

    // The recording names each typist in a marker before their input; dropped input is not in it.
    const file = await waitFor(() => h.stack.cp.services.terminals.recordingPath(sessionId), { what: "the recording" });
    const events = fs.readFileSync(file, "utf8").trim().split("\n").slice(1).map((l) => JSON.parse(l) as [number, string, string]);
    const typed: [string, string][] = [];
    let typist = "";
    for (const [, code, data] of events) {
      if (code === "m") typist = data;
      else if (code === "i") typed.push([typist, data]);
    }
    expect(events.filter((e) => e[1] === "m").map((e) => e[2])).toEqual([`input: ${ownerEmail}`, `input: ${joinerEmail}`, `input: ${ownerEmail}`]);
    expect(typed).toContainEqual([`input: ${joinerEmail}`, "touch /tmp/joined-rw; echo joiner-mark-$((2+3))\r"]);
    expect(typed).toContainEqual([`input: ${ownerEmail}`, "stty size\r"]);
    expect(typed).toContainEqual([`input: ${ownerEmail}`, "exit\r"]);
    expect(typed.filter(([, data]) => /joined-(ro|self|revoked)/.test(data))).toEqual([]);
    await h.api.settings.setTerminal.mutate({ recordInput: false, strictRecording: false, recordingMaxMiB: 50, recordingRetentionDays: 30 });
  });

  it("an admin who joins another user's session watches read-only too, and may still close it", async () => {
    // The joiner of the test before opens a session of their own; the admin joins it.
    const joinerCookie = await signIn(h.stack.url, "joiner@term.test", "joiner-password-123");
    const { sessionId, ticket } = await apiClient(h.stack.url, joinerCookie).terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", command: ["sh"], size: SIZE });
    const owner = viewer(ticket, { cookie: joinerCookie });
    await owner.opened();
    await waitFor(() => owner.messages.some((m) => m.type === "hello" && !m.starting), { what: "the session to start" });
    const { ticket: adminTicket } = await h.api.terminals.join.mutate({ sessionId });
    const admin = viewer(adminTicket);
    await admin.opened();
    expect(await admin.message("hello")).toMatchObject({ owner: false, canType: false });
    admin.type("touch /tmp/admin-ro\r");
    await admin.message("refused");
    owner.type("echo owner-admin-mark-$((7*6))\r");
    await owner.waitForText("owner-admin-mark-42");
    expect(await docker(["exec", shell, "sh", "-c", "test -e /tmp/admin-ro && echo yes || echo no"])).toBe("no");
    await h.api.terminals.close.mutate({ sessionId });
    expect(await owner.message("ended")).toMatchObject({ reason: "closed", message: expect.stringContaining("closed by") });
  });
});
