// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOGS_DOWNLOAD_PATH } from "@stevedore/protocol";
import { hashSecret } from "../server/agents/secrets";
import { ensureTestImage, removeTestContainers, runContainer, waitFor } from "./support/engine";
import { ADMIN_EMAIL, ADMIN_PASSWORD, AgentProcess, type TestStack, apiClient, signIn, startStack } from "./support/stack";
import { type TestPki, fetchTrusting, makeTestPki, opensslPin, tlsSession } from "./support/tls";

/**
 * The agent's transport, for real: a control plane serving https with a CA this test made, agents
 * that pin it (or the wrong one), and plain http refused unless the host's owner said otherwise.
 */
const EXIT_CONFIG = 78;
const mode = (file: string) => fs.statSync(file).mode & 0o777;
/** This machine's first non-loopback IPv4 address: a control plane reached over the network, not lo. */
const networkAddress = Object.values(os.networkInterfaces())
  .flat()
  .find((a) => a && a.family === "IPv4" && !a.internal)?.address;

let pki: TestPki;
const agents: AgentProcess[] = [];
function agent(args: string[], env: Record<string, string> = {}): AgentProcess {
  const a = new AgentProcess(args, env);
  agents.push(a);
  return a;
}

beforeAll(() => {
  pki = makeTestPki();
});
afterAll(async () => {
  await Promise.all(agents.map((a) => a.stop()));
  pki.remove();
});

describe("a control plane with TLS of its own and a pinned CA", () => {
  let stack: TestStack;
  let session: Awaited<ReturnType<typeof tlsSession>>;
  let api: (typeof session)["api"];
  let credentials: string;
  let hostId: string;
  const tokenRow = (token: string) => stack.cp.services.db.joinToken.findUniqueOrThrow({ where: { tokenHash: hashSecret(token) } });

  beforeAll(async () => {
    await ensureTestImage();
    await removeTestContainers();
    stack = await startStack({ TLS_CERT_FILE: pki.chainFile, TLS_KEY_FILE: pki.keyFile });
    session = await tlsSession(stack.url, pki.ca.cert, ADMIN_EMAIL, ADMIN_PASSWORD);
    api = session.api;
    credentials = path.join(stack.dataDir, "pinned-agent", "credentials.json");
  });
  afterAll(async () => {
    await stack.close();
    await removeTestContainers();
  });

  it("serves https (refusing clients that do not trust its CA), its CA at /install/ca.pem, and Add host carries the CA pin", async () => {
    expect(stack.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const health = await fetchTrusting(pki.ca.cert)(`${stack.url}/api/health`);
    expect(health.status).toBe(200);
    await expect(fetchTrusting(pki.other.cert)(`${stack.url}/api/health`)).rejects.toThrow(/self-signed certificate in certificate chain|unable to verify/);

    const served = await (await fetchTrusting(pki.ca.cert)(`${stack.url}/install/ca.pem`)).text();
    const servedFile = path.join(pki.dir, "served-ca.pem");
    fs.writeFileSync(servedFile, served);
    expect(opensslPin(servedFile)).toBe(pki.ca.pin);

    const join = await api.hosts.createJoinToken.mutate();
    expect(join.caPin).toBe(pki.ca.pin);
    expect(join.warning).toBeNull();
    expect(join.command).toContain(`--ca-pin ${pki.ca.pin}`);
    expect(join.command).toContain(`curl -fsSLk -o "$ca" ${stack.url}/install/ca.pem`);
    expect(join.command).toContain(`curl -fsSL --cacert "$ca" ${stack.url}/install/agent.sh`);
    expect(join.containerCommand).toMatch(new RegExp(`--url ${stack.url} --join ${join.token} --ca-pin ${pki.ca.pin}$`));
  });

  it("an agent with the right pin enrolls and comes online over wss; the pin is kept in its credentials and the CA beside them, 0600", async () => {
    const token = await stack.joinToken();
    const a = agent(["--url", stack.url, "--join", token, "--ca-pin", pki.ca.pin, "--credentials", credentials, "--hostname", "pinned"]);
    const host = await waitFor(async () => (await api.hosts.list.query()).find((h) => h.name === "pinned" && h.status === "online"), { timeoutMs: 20_000, what: `the pinned agent online:\n${a.output}` });
    hostId = host.id;
    expect((await tokenRow(token)).usedAt).not.toBeNull();
    const kept = JSON.parse(fs.readFileSync(credentials, "utf8")) as { caPin?: string; url: string };
    expect(kept).toMatchObject({ caPin: pki.ca.pin, url: stack.url });
    const caFile = path.join(path.dirname(credentials), "ca.pem");
    expect(mode(caFile)).toBe(0o600);
    expect(opensslPin(caFile)).toBe(pki.ca.pin);
    expect((await api.hosts.get.query({ hostId })).facts.insecureTransport).toBeUndefined();
    expect(a.output).not.toContain("INSECURE");

    // A stream socket (here a logs download) is dialled with the same pinned CA.
    const containerId = await runContainer("stv-pinned-logs", ["sh", "-c", "echo through-the-pinned-stream; sleep 100000"]);
    await waitFor(async () => (await api.containers.get.query({ hostId, id: containerId }).catch(() => null)) !== null, { what: "the container in the fleet view" });
    const logs = await session.fetch(`${stack.url}${LOGS_DOWNLOAD_PATH}?hostId=${hostId}&containerId=${containerId}`, { headers: { cookie: session.cookie } });
    expect(logs.status).toBe(200);
    expect(await logs.text()).toContain("through-the-pinned-stream");
    await a.stop();
  });

  it("restarted with its credentials alone, it keeps trusting only the pinned CA, also across a credential rotation", async () => {
    await stack.cp.services.db.host.update({ where: { id: hostId }, data: { credentialIssuedAt: new Date(Date.now() - 2 * 86_400_000) } });
    const before = JSON.parse(fs.readFileSync(credentials, "utf8")) as { credential: string };
    const a = agent(["--credentials", credentials]);
    const rotated = await waitFor(() => {
      const now = JSON.parse(fs.readFileSync(credentials, "utf8")) as { credential: string; caPin?: string };
      return now.credential !== before.credential && now;
    }, { timeoutMs: 20_000, what: `the pinned agent to reconnect and rotate its credential:\n${a.output}` });
    expect(rotated.caPin).toBe(pki.ca.pin);
    await a.stop();

    // The kept CA is the only one trusted: put another CA there with its pin, and even with this
    // control plane's CA among the process's extra trusted ones, the socket is refused.
    fs.writeFileSync(path.join(path.dirname(credentials), "ca.pem"), fs.readFileSync(pki.other.cert), { mode: 0o600 });
    const wrongTrust = agent(["--credentials", credentials, "--ca-pin", pki.other.pin], { NODE_EXTRA_CA_CERTS: pki.ca.cert });
    await waitFor(() => wrongTrust.output.includes("the control plane's TLS certificate is not trusted"), { timeoutMs: 20_000, what: `the agent to refuse the server's certificate:\n${wrongTrust.output}` });
    expect((await api.hosts.get.query({ hostId })).status).toBe("offline");
    await wrongTrust.stop();
  });

  it("a wrong pin is refused with both fingerprints before the join token is sent", async () => {
    const token = await stack.joinToken();
    const dir = path.join(stack.dataDir, "wrong-pin");
    const a = agent(["--url", stack.url, "--join", token, "--ca-pin", pki.other.pin, "--credentials", path.join(dir, "credentials.json")]);
    expect(await a.exited).toBe(EXIT_CONFIG);
    expect(a.output).toContain(`expected ${pki.other.pin}, the server presented ${pki.ca.pin}`);
    expect((await tokenRow(token)).usedAt).toBeNull();
    expect(fs.existsSync(dir)).toBe(false);
  });

  it("without a pin, it trusts the system's CAs: refused while this test CA is not one of them, online once it is", async () => {
    const token = await stack.joinToken();
    const unpinned = path.join(stack.dataDir, "unpinned", "credentials.json");
    const a = agent(["--url", stack.url, "--join", token, "--credentials", unpinned]);
    expect(await a.exited).not.toBe(0);
    expect(a.output).toMatch(/self-signed certificate in certificate chain/);
    expect((await tokenRow(token)).usedAt).toBeNull();

    // As a public CA would be (and what makes the refusal above, with the same extra CA, the pin's doing).
    agent(["--url", stack.url, "--join", token, "--credentials", unpinned, "--hostname", "system-trust"], { NODE_EXTRA_CA_CERTS: pki.ca.cert });
    await waitFor(async () => (await api.hosts.list.query()).find((h) => h.name === "system-trust" && h.status === "online"), { timeoutMs: 20_000, what: "the agent trusting the system's CAs online" });
    expect(JSON.parse(fs.readFileSync(unpinned, "utf8"))).not.toHaveProperty("caPin");
  });
});

describe("plain http", () => {
  it("to another machine is refused before anything is sent, naming how to set up TLS and the escape hatch", async () => {
    // TEST-NET-2: never routed; the refusal comes before any connection is tried.
    const a = agent(["--url", "http://198.51.100.7:3000", "--join", "stvjoin_0123456789abcdef", "--credentials", path.join(os.tmpdir(), `stv-never-${process.pid}`, "credentials.json")]);
    expect(await a.exited).toBe(EXIT_CONFIG);
    expect(a.output).toContain("--url (STEVEDORE_URL): http://198.51.100.7:3000 is plain http to an address other than this machine");
    expect(a.output).toContain("PUBLIC_URL=https://");
    expect(a.output).toContain("TLS_CERT_FILE and TLS_KEY_FILE");
    expect(a.output).toContain("--insecure-http");
  });

  it.runIf(networkAddress)("with --insecure-http connects to a control plane on the network, warns, and the host says so", async () => {
    const stack = await startStack({ HOST: networkAddress! });
    try {
      expect(stack.url.startsWith(`http://${networkAddress}:`)).toBe(true);
      const api = apiClient(stack.url, await signIn(stack.url));
      const join = await api.hosts.createJoinToken.mutate();
      expect(join.warning).toContain("Agents will refuse this control plane");
      expect(join.warning).toContain("--insecure-http");
      expect(join.command).not.toContain("--insecure-http");

      const credentials = path.join(stack.dataDir, "insecure", "credentials.json");
      const a = agent(["--url", stack.url, "--join", join.token, "--credentials", credentials, "--hostname", "insecure", "--insecure-http"]);
      const host = await waitFor(async () => (await api.hosts.list.query()).find((h) => h.name === "insecure" && h.status === "online"), { timeoutMs: 20_000, what: `the insecure agent online:\n${a.output}` });
      expect((await api.hosts.get.query({ hostId: host.id })).facts.insecureTransport).toBe(true);
      expect(a.output).toContain("INSECURE TRANSPORT (--insecure-http)");
      await a.stop();

      // Its credentials keep the URL; restarted without the flag, the agent refuses it.
      const without = agent(["--credentials", credentials]);
      expect(await without.exited).toBe(EXIT_CONFIG);
      expect(without.output).toContain(`(the URL kept in ${credentials})`);
    } finally {
      await stack.close();
    }
  });
});
