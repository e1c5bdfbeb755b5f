// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: its agents only watch the Docker Engine, so it runs beside the files that change it (vitest.config.ts).
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { REPO_ROOT } from "../server/database-url";
import { hashSecret } from "../server/agents/secrets";
import { waitFor } from "./support/engine";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestStack, apiClient, signIn, startStack } from "./support/stack";
import { type TestPki, fetchTrusting, makeTestPki, opensslPin, tlsApiClient } from "./support/tls";

/**
 * The one-line install, for real: the script and the bundled agent come over HTTP from a running
 * control plane, the script runs under /bin/sh into a temporary root (this machine has no systemd as
 * PID 1), and the agent it installed enrolls and brings the host online.
 */
let stack: TestStack;
let api: ReturnType<typeof apiClient>;
let script: string;
let bundle: Buffer;
const roots: string[] = [];
const agents: ChildProcess[] = [];

function newRoot(): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-install-"));
  roots.push(root);
  return root;
}

/**
 * Runs the served script as `curl … | sh -s -- ARGS` would, from a file so a test can alter it.
 * Asynchronously: the control plane it downloads from and enrolls with runs in this process.
 */
async function install(root: string, args: string[], text = script): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const file = `${root}-agent.sh`;
  fs.writeFileSync(file, text);
  return run("sh", [file, ...args], root);
}

/** The Add host line itself, in a shell, as an admin pastes it (this machine has no sudo: the root is a directory). */
function runLine(line: string, root: string) {
  return run("sh", ["-c", line.replace("| sudo sh -s --", "| sh -s --")], root);
}

async function run(command: string, args: string[], root: string): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const proc = spawn(command, args, { env: { ...process.env, STEVEDORE_INSTALL_ROOT: root }, stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
  let stdout = "";
  let stderr = "";
  proc.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const status = await new Promise<number | null>((resolve) => proc.once("close", resolve));
  return { status, stdout, stderr };
}

const mode = (file: string) => fs.statSync(file).mode & 0o777;

beforeAll(async () => {
  // The bundle the control plane serves is the one `npm run build` makes; build it from these sources.
  execFileSync(process.execPath, [path.join(REPO_ROOT, "agent", "scripts", "bundle.mjs")], { stdio: "ignore" });
  stack = await startStack();
  api = apiClient(stack.url, await signIn(stack.url));
  script = await (await fetch(`${stack.url}/install/agent.sh`)).text();
  const res = await fetch(`${stack.url}/install/stevedore-agent.mjs`);
  expect(res.status).toBe(200);
  bundle = Buffer.from(await res.arrayBuffer());
});

afterAll(async () => {
  for (const agent of agents) agent.kill("SIGTERM");
  await stack?.close();
  for (const root of roots) {
    fs.rmSync(root, { recursive: true, force: true });
    fs.rmSync(`${root}-agent.sh`, { force: true });
  }
});

describe("the one-line agent install", () => {
  it("serves a script that names this control plane and the digest of the agent it serves", () => {
    expect(script.startsWith("#!/bin/sh\n")).toBe(true);
    expect(script).toContain(`STEVEDORE_URL='${stack.url}'`);
    expect(script).toContain(`BUNDLE_SHA256='${createHash("sha256").update(bundle).digest("hex")}'`);
    expect(script).not.toMatch(/@(STEVEDORE_URL|BUNDLE_SHA256|AGENT_VERSION|UNIT)@/);
    expect(bundle.length).toBeGreaterThan(100_000);
    expect(bundle.length).toBeLessThan(4 * 1024 * 1024);
    expect(bundle.subarray(0, 80).toString()).toMatch(/^#!\/usr\/bin\/env node\n\/\/ stevedore-agent \d+\.\d+\.\d+:/);
  });

  it("offers the one-liner in Add host", async () => {
    const { command, token, caPin, warning } = await api.hosts.createJoinToken.mutate();
    // The bundle's digest rides in the line (from the page, not from the server the script comes from).
    expect(command).toBe(`curl -fsSL ${stack.url}/install/agent.sh | sudo sh -s -- --join ${token} --bundle-sha256 ${createHash("sha256").update(bundle).digest("hex")}`);
    expect([caPin, warning]).toEqual([null, null]);
  });

  it("says when its URL is loopback, which no other machine reaches, and offers this machine's own addresses", async () => {
    const { loopback } = await api.hosts.createJoinToken.mutate();
    const port = new URL(stack.url).port;
    const own = execFileSync("hostname", ["-I"]).toString().trim().split(/\s+/).filter(Boolean);
    expect(own.length).toBeGreaterThan(0);
    // Each one offered is an address of this machine (as `hostname -I` lists them: no loopback, no link-local).
    const urls = own.map((a) => `http://${a.includes(":") ? `[${a}]` : a}:${port}`);
    expect(loopback?.addresses.length).toBeGreaterThan(0);
    for (const a of loopback!.addresses) expect(urls).toContain(a);
  });

  it("installs, enrolls, and the installed agent brings the host online; a re-run upgrades and keeps the credential", async () => {
    const root = newRoot();
    const { token } = await api.hosts.createJoinToken.mutate();
    const first = await install(root, ["--join", token, "--hostname", "installed-host"]);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    expect(first.stdout).toContain(`enrolled with ${stack.url}`);
    expect(first.stdout).toContain("no systemd here");

    const bundleFile = path.join(root, "opt/stevedore-agent/stevedore-agent.mjs");
    const envFile = path.join(root, "etc/stevedore-agent.env");
    const unitFile = path.join(root, "etc/systemd/system/stevedore-agent.service");
    const credentials = path.join(root, "var/lib/stevedore-agent/credentials.json");
    expect(fs.readFileSync(bundleFile).equals(bundle)).toBe(true);
    expect(mode(envFile)).toBe(0o600);
    expect(mode(credentials)).toBe(0o600);
    expect(fs.readFileSync(envFile, "utf8")).toContain(`STEVEDORE_CREDENTIALS_FILE=${credentials}\n`);
    const unit = fs.readFileSync(unitFile, "utf8");
    expect(unit).toContain(`\nExecStart=${process.execPath} ${bundleFile}\n`);
    expect(unit).toContain(`\nEnvironmentFile=${envFile}\n`);
    expect(unit).toContain("\nNoNewPrivileges=yes\n");
    expect(unit).toContain("\nRestartPreventExitStatus=78\n");
    const enrolled = JSON.parse(fs.readFileSync(credentials, "utf8")) as { hostId: string; url: string };
    expect(enrolled.url).toBe(stack.url);

    // Started the way the script says to where there is no systemd.
    const hint = /run the agent under your supervisor with: sh -c '(.+)'/.exec(first.stdout)?.[1];
    expect(hint).toBeDefined();
    const agent = spawn("sh", ["-c", hint!], { stdio: "ignore" });
    agents.push(agent);
    const host = await waitFor(async () => (await api.hosts.list.query()).find((h) => h.name === "installed-host" && h.status === "online"), { timeoutMs: 20_000, what: "the installed agent's host online" });
    expect(host.id).toBe(enrolled.hostId);

    // Again, without a token: the agent is replaced, the credential and the (edited) env file kept.
    fs.appendFileSync(envFile, "LOG_LEVEL=warn\n");
    fs.writeFileSync(bundleFile, "old agent");
    const again = await install(root, []);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("already enrolled");
    expect(fs.readFileSync(bundleFile).equals(bundle)).toBe(true);
    expect(JSON.parse(fs.readFileSync(credentials, "utf8"))).toEqual(enrolled);
    expect(fs.readFileSync(envFile, "utf8")).toContain("LOG_LEVEL=warn\n");
    expect((await api.hosts.list.query()).filter((h) => h.name === "installed-host")).toHaveLength(1);

    const removed = await install(root, ["--uninstall"]);
    expect(removed.status).toBe(0);
    for (const gone of [bundleFile, envFile, unitFile, credentials]) expect(fs.existsSync(gone)).toBe(false);
  });

  it("refuses a used token, a host with no token, and a download whose digest does not match", async () => {
    const { token } = await api.hosts.createJoinToken.mutate();
    expect((await install(newRoot(), ["--join", token, "--hostname", "token-user"])).status).toBe(0);

    const reused = await install(newRoot(), ["--join", token]);
    expect(reused.status).not.toBe(0);
    expect(reused.stderr).toMatch(/enrollment refused \(\d+\)/);
    expect(reused.stderr).toContain("enrollment failed");

    const noToken = await install(newRoot(), []);
    expect(noToken.status).not.toBe(0);
    expect(noToken.stderr).toContain('not enrolled yet: pass --join TOKEN from Stevedore\'s "Add host"');

    const root = newRoot();
    const tampered = await install(root, ["--join", token], script.replace(/BUNDLE_SHA256='[0-9a-f]{64}'/, `BUNDLE_SHA256='${"0".repeat(64)}'`));
    expect(tampered.status).not.toBe(0);
    expect(tampered.stderr).toContain(`not ${"0".repeat(64)}`);
    expect(fs.existsSync(path.join(root, "opt/stevedore-agent/stevedore-agent.mjs"))).toBe(false);

    const noEngine = await install(newRoot(), ["--join", token, "--docker-socket", "/nonexistent.sock"]);
    expect(noEngine.status).not.toBe(0);
    expect(noEngine.stderr).toContain("no Docker Engine socket at /nonexistent.sock");
  });

  it("takes --bind-mounts at install into the env file the unit reads, replaces it on an upgrade, and refuses a bad one", async () => {
    const root = newRoot();
    const { token } = await api.hosts.createJoinToken.mutate();
    const first = await install(root, ["--join", token, "--hostname", "bind-limited", "--bind-mounts", "/srv/data,/opt/app"]);
    expect(first.stderr).toBe("");
    expect(first.status).toBe(0);
    const envFile = path.join(root, "etc/stevedore-agent.env");
    const unit = fs.readFileSync(path.join(root, "etc/systemd/system/stevedore-agent.service"), "utf8");
    expect(unit).toContain(`\nEnvironmentFile=${envFile}\n`);
    // The agent resolves bind-mount symlinks where the engine will: it must see /home, /root and /tmp.
    expect(unit).toContain("\nProtectHome=read-only\n");
    expect(unit).not.toMatch(/^PrivateTmp=yes$/m);
    expect(fs.readFileSync(envFile, "utf8")).toMatch(/^STEVEDORE_BIND_MOUNTS=\/srv\/data,\/opt\/app$/m);

    const again = await install(root, ["--bind-mounts", "none"]);
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("bind mounts on this host: none");
    const env = fs.readFileSync(envFile, "utf8");
    expect(env.match(/^STEVEDORE_BIND_MOUNTS=.*$/gm)).toEqual(["STEVEDORE_BIND_MOUNTS=none"]);
    expect(mode(envFile)).toBe(0o600);

    // The installed agent reads it from the env file, as the unit would start it.
    const hint = /run the agent under your supervisor with: sh -c '(.+)'/.exec(again.stdout)?.[1];
    const agent = spawn("sh", ["-c", hint!], { stdio: ["ignore", "pipe", "pipe"] });
    agents.push(agent);
    let output = "";
    agent.stdout!.on("data", (d: Buffer) => (output += d.toString()));
    await waitFor(() => output.includes("this host's own bind-mount rule applies to every run"), { timeoutMs: 20_000, what: "the agent to report its --bind-mounts rule" });
    expect(output).toContain('"bindMounts":"none"');

    const bad = await install(newRoot(), ["--join", token, "--bind-mounts", "srv/data"]);
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toContain("--bind-mounts must be none, any or absolute path prefixes");
  });

  it.runIf(fs.existsSync("/usr/bin/systemd-analyze"))("writes a unit systemd-analyze accepts", async () => {
    const root = newRoot();
    const { token } = await api.hosts.createJoinToken.mutate();
    expect((await install(root, ["--join", token, "--hostname", "unit-check"])).status).toBe(0);
    const unitFile = path.join(root, "etc/systemd/system/stevedore-agent.service");
    const out = spawnSync("systemd-analyze", ["verify", unitFile], { encoding: "utf8" });
    // Only complaints about this unit count (verify also loads the units it refers to, e.g. docker.service).
    const ours = (out.stdout + out.stderr).split("\n").filter((l) => l.includes("stevedore-agent.service"));
    expect(ours).toEqual([]);
    expect(out.status).toBe(0);
  });
});

/** Agents run from an install root, started the way the script says to where there is no systemd. */
function startInstalled(stdout: string): ChildProcess & { output: () => string } {
  const hint = /run the agent under your supervisor with: sh -c '(.+)'/.exec(stdout)?.[1];
  expect(hint).toBeDefined();
  const proc = spawn("sh", ["-c", hint!], { stdio: ["ignore", "pipe", "pipe"] });
  agents.push(proc);
  let output = "";
  proc.stdout!.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr!.on("data", (d: Buffer) => (output += d.toString()));
  return Object.assign(proc, { output: () => output });
}

describe("the install over TLS with a pinned CA", () => {
  let pki: TestPki;
  let tls: TestStack;
  let tlsApi: Awaited<ReturnType<typeof tlsApiClient>>;
  let tlsScript: string;
  const tokenUsed = async (token: string) => (await tls.cp.services.db.joinToken.findUniqueOrThrow({ where: { tokenHash: hashSecret(token) } })).usedAt !== null;

  beforeAll(async () => {
    pki = makeTestPki();
    tls = await startStack({ TLS_CERT_FILE: pki.chainFile, TLS_KEY_FILE: pki.keyFile });
    tlsApi = await tlsApiClient(tls.url, pki.ca.cert, ADMIN_EMAIL, ADMIN_PASSWORD);
    tlsScript = await (await fetchTrusting(pki.ca.cert)(`${tls.url}/install/agent.sh`)).text();
  });
  afterAll(async () => {
    await tls?.close();
    pki?.remove();
  });

  it("the Add host line checks the CA against its pin, installs over TLS verified by it, and the agent trusts it from then on", async () => {
    const root = newRoot();
    const join = await tlsApi.hosts.createJoinToken.mutate();
    expect(join.command).toContain(`--ca-pin ${pki.ca.pin} --ca-file "$ca" --bundle-sha256 `);
    const result = await runLine(join.command.replace(`--join ${join.token}`, `--join ${join.token} --hostname pinned-install`), root);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(`the control plane's CA matches ${pki.ca.pin}`);
    expect(result.stdout).toContain(`enrolled with ${tls.url}`);

    const state = path.join(root, "var/lib/stevedore-agent");
    expect(mode(path.join(state, "ca.pem"))).toBe(0o600);
    expect(opensslPin(path.join(state, "ca.pem"))).toBe(pki.ca.pin);
    expect(JSON.parse(fs.readFileSync(path.join(state, "credentials.json"), "utf8"))).toMatchObject({ url: tls.url, caPin: pki.ca.pin });
    const envFile = path.join(root, "etc/stevedore-agent.env");
    expect(fs.readFileSync(envFile, "utf8")).toMatch(new RegExp(`^STEVEDORE_CA_PIN=${pki.ca.pin}$`, "m"));

    startInstalled(result.stdout);
    await waitFor(async () => (await tlsApi.hosts.list.query()).find((h) => h.name === "pinned-install" && h.status === "online"), { timeoutMs: 20_000, what: "the installed, pinned agent online" });

    // An upgrade without the pin on its command line downloads with the CA kept at enrollment.
    const again = await install(root, [], tlsScript);
    expect(again.stderr).toBe("");
    expect(again.status).toBe(0);
    expect(again.stdout).toContain("already enrolled");
  });

  it("a line whose pin the server's CA does not match installs nothing and says so", async () => {
    const root = newRoot();
    const join = await tlsApi.hosts.createJoinToken.mutate();
    const otherHex = pki.other.pin.slice("sha256:".length);
    const forged = join.command.replaceAll(pki.ca.pin.slice("sha256:".length), otherHex);
    const result = await runLine(forged, root);
    expect(result.stderr).toContain(`stevedore: the CA at ${tls.url} does not match the pin ${pki.other.pin}: not installing`);
    expect(fs.existsSync(path.join(root, "opt"))).toBe(false);
    expect(await tokenUsed(join.token)).toBe(false);
  });

  it("the installer fetches and checks the CA itself when given only the pin, refusing a wrong one with both fingerprints", async () => {
    const token = await tls.joinToken();
    const wrong = await install(newRoot(), ["--join", token, "--ca-pin", pki.other.pin], tlsScript);
    expect(wrong.status).not.toBe(0);
    expect(wrong.stderr).toContain(`the CA pin does not match: expected ${pki.other.pin}, the server presented ${pki.ca.pin}`);
    expect(await tokenUsed(token)).toBe(false);

    const root = newRoot();
    const right = await install(root, ["--join", token, "--ca-pin", pki.ca.pin, "--hostname", "pin-only"], tlsScript);
    expect(right.stderr).toBe("");
    expect(right.status).toBe(0);
    expect(opensslPin(path.join(root, "var/lib/stevedore-agent/ca.pem"))).toBe(pki.ca.pin);
    expect(await tokenUsed(token)).toBe(true);
  });

  it("checks the bundle against the digest on its command line, over the one the script carries", async () => {
    const root = newRoot();
    const token = await tls.joinToken();
    const result = await install(root, ["--join", token, "--ca-pin", pki.ca.pin, "--bundle-sha256", "0".repeat(64)], tlsScript);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(`not ${"0".repeat(64)}`);
    expect(fs.existsSync(path.join(root, "opt/stevedore-agent/stevedore-agent.mjs"))).toBe(false);
    const malformed = await install(newRoot(), ["--join", token, "--bundle-sha256", "abc"], tlsScript);
    expect(malformed.stderr).toContain("--bundle-sha256 must be 64 lowercase hex digits");
    const badPin = await install(newRoot(), ["--join", token, "--ca-pin", "sha256:xyz"], tlsScript);
    expect(badPin.stderr).toContain("--ca-pin must be sha256: and 64 lowercase hex digits");
  });
});

describe("the install over plain http", () => {
  const networkAddress = Object.values(os.networkInterfaces())
    .flat()
    .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

  it("refuses a URL to another machine before downloading anything, naming TLS and --insecure-http", async () => {
    for (const url of ["http://198.51.100.7:3000", "http://127.0.0.1.nip.io:3000", "http://127.0.0.1@198.51.100.7", "http://198.51.100.7?@127.0.0.1"]) {
      const root = newRoot();
      const result = await install(root, ["--join", "stvjoin_0123456789abcdef", "--url", url]);
      expect(result.status, url).not.toBe(0);
      expect(result.stderr).toContain(`${url} is plain http to an address other than this machine`);
      expect(result.stderr).toContain("TLS_CERT_FILE and TLS_KEY_FILE");
      expect(result.stderr).toContain("--insecure-http");
      expect(fs.existsSync(path.join(root, "opt"))).toBe(false);
    }
    const pinned = await install(newRoot(), ["--join", "stvjoin_0123456789abcdef", "--url", stack.url, "--ca-pin", `sha256:${"a".repeat(64)}`]);
    expect(pinned.stderr).toContain(`--ca-pin pins the control plane's TLS certificate: ${stack.url} must be https://`);
  });

  it.runIf(networkAddress)("with --insecure-http installs, keeps the flag in the env file, and the host shows it", async () => {
    const plain = await startStack({ HOST: networkAddress! });
    try {
      const plainApi = apiClient(plain.url, await signIn(plain.url));
      const plainScript = await (await fetch(`${plain.url}/install/agent.sh`)).text();
      const root = newRoot();
      const refused = await install(root, ["--join", await plain.joinToken()], plainScript);
      expect(refused.stderr).toContain("--insecure-http to accept the risk");

      const result = await install(root, ["--join", await plain.joinToken(), "--hostname", "insecure-install", "--insecure-http"], plainScript);
      expect(result.stderr).toBe("");
      expect(result.status).toBe(0);
      expect(fs.readFileSync(path.join(root, "etc/stevedore-agent.env"), "utf8")).toMatch(/^STEVEDORE_INSECURE_HTTP=true$/m);
      const installed = startInstalled(result.stdout);
      const host = await waitFor(async () => (await plainApi.hosts.list.query()).find((h) => h.name === "insecure-install" && h.status === "online"), { timeoutMs: 20_000, what: "the insecure agent online" });
      expect((await plainApi.hosts.get.query({ hostId: host.id })).facts.insecureTransport).toBe(true);
      expect(installed.output()).toContain("INSECURE TRANSPORT");
      installed.kill("SIGTERM");
    } finally {
      await plain.close();
    }
  });
});
