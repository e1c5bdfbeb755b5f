// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AGENT_ENROLL_PATH, PROTOCOL_VERSION } from "@stevedore/protocol";
import { createJoinToken } from "../server/agents/enrollment";
import { readBundle } from "../server/install/agent-install";
import { waitFor } from "./support/engine";
import { ADMIN_EMAIL, AgentProcess, type TestStack, apiClient, signIn, startStack } from "./support/stack";

const EXIT_REFUSED = 78;

describe("enrollment and revocation", () => {
  let stack: TestStack;
  let api: ReturnType<typeof apiClient>;
  const agents: AgentProcess[] = [];

  beforeAll(async () => {
    stack = await startStack();
    api = apiClient(stack.url, await signIn(stack.url));
  });
  afterAll(async () => {
    await Promise.all(agents.map((a) => a.stop("SIGKILL")));
    await stack.close();
  });

  const enroll = (token: string, hostname = "h") =>
    fetch(`${stack.url}${AGENT_ENROLL_PATH}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token, hostname }) });

  it("enrolls with a join token made by an admin, keeps the credential 0600, and shows the host online with its facts", async () => {
    const { token, command, expiresAt } = await api.hosts.createJoinToken.mutate();
    // With the agent bundle built (agent-install.test.ts builds it), the line carries its digest.
    const digest = readBundle()?.sha256;
    expect(command).toBe(`curl -fsSL ${stack.url}/install/agent.sh | sudo sh -s -- --join ${token}${digest ? ` --bundle-sha256 ${digest}` : ""}`);
    expect(expiresAt.getTime()).toBeGreaterThan(Date.now());

    const credentials = path.join(stack.dataDir, "agent-a", "credentials.json");
    const agent = AgentProcess.start({ url: stack.url, token, credentials, hostname: "alpha" });
    agents.push(agent);
    const host = await waitFor(async () => (await api.hosts.list.query()).find((h) => h.name === "alpha" && h.status === "online"), { what: "alpha online" });
    expect(fs.statSync(credentials).mode & 0o777).toBe(0o600);
    const saved = JSON.parse(fs.readFileSync(credentials, "utf8"));
    expect(saved.hostId).toBe(host.id);
    // Only a hash of the credential is stored.
    const row = await stack.cp.services.db.host.findUniqueOrThrow({ where: { id: host.id } });
    expect(row.credentialHash).toMatch(/^[0-9a-f]{64}$/);
    expect(row.credentialHash).not.toContain(saved.credential.split(".")[1]);

    expect(host.facts).toMatchObject({ hostname: "alpha", cpus: expect.any(Number), memoryBytes: expect.any(Number), protocolVersion: PROTOCOL_VERSION });
    // The hello's facts reach the database too (written behind, batched with other joins).
    await waitFor(async () => (await stack.cp.services.db.host.findUniqueOrThrow({ where: { id: host.id } })).protocolVersion === PROTOCOL_VERSION, { what: "facts stored" });
    expect(await stack.cp.services.db.host.findUniqueOrThrow({ where: { id: host.id } })).toMatchObject({ hostname: "alpha", kernel: host.facts.kernel, engineVersion: host.engine!.version });
    expect(host.facts.kernel).toBeTruthy();
    expect(host.engine).toMatchObject({ version: expect.stringMatching(/\d+\.\d+/), apiVersion: expect.stringMatching(/^1\.\d+$/), storageDriver: expect.any(String) });
    expect(host.engine?.dockerRootDir).toMatch(/^\//);

    // The token was single use: a second agent cannot enroll with it.
    const again = await enroll(token);
    expect(again.status).toBe(410);
    expect((await again.json()).error).toMatch(/already used/);
    // Both are in the trail: the enrollment by the new host's agent, and the reused token turned away.
    const enrollments = (await stack.cp.services.audit.list({ action: "host.enroll" })).items;
    expect(enrollments.map((e) => [e.phase, e.actorType, e.hostId])).toEqual([
      ["refused", "host", null],
      ["succeeded", "host", host.id],
    ]);
    expect(enrollments[0]!.error).toMatch(/already used/);

    // Restarted, the agent reconnects with its saved credential and no token.
    await agent.stop();
    await waitFor(async () => (await api.hosts.get.query({ hostId: host.id })).status === "offline", { what: "alpha offline" });
    const restarted = AgentProcess.start({ url: stack.url, credentials, hostname: "alpha" });
    agents.push(restarted);
    await waitFor(async () => (await api.hosts.get.query({ hostId: host.id })).status === "online", { what: "alpha back online" });
    expect((await api.hosts.list.query()).filter((h) => h.name === "alpha")).toHaveLength(1);
  });

  it("refuses an expired token and an unknown one with a clear reason", async () => {
    const { token } = await createJoinToken(stack.cp.services.db, stack.adminId, 1_000, { now: new Date(Date.now() - 10_000) });
    const res = await enroll(token);
    expect(res.status).toBe(410);
    expect((await res.json()).error).toMatch(/expired at/);

    const unknown = await enroll("stvjoin_" + "x".repeat(43));
    expect(unknown.status).toBe(401);
    expect((await unknown.json()).error).toMatch(/unknown join token/);

    const bad = await fetch(`${stack.url}${AGENT_ENROLL_PATH}`, { method: "POST", body: "{not json" });
    expect(bad.status).toBe(400);
    const huge = await fetch(`${stack.url}${AGENT_ENROLL_PATH}`, { method: "POST", body: JSON.stringify({ token: "x".repeat(100_000) }) });
    expect(huge.status).toBe(413);

    const agent = AgentProcess.start({ url: stack.url, token, credentials: path.join(stack.dataDir, "agent-x", "c.json") });
    agents.push(agent);
    expect(await agent.exited).toBe(EXIT_REFUSED);
    expect(agent.output).toMatch(/expired/);
  });

  it("a multi-use token enrolls as many hosts as it allows, even racing, each use audited; revoked, it enrolls no more", async () => {
    const issued = await api.hosts.createJoinToken.mutate({ maxUses: 3, label: "edge fleet", ttlMinutes: 60 });
    expect(issued.expiresAt.getTime()).toBeGreaterThan(Date.now() + 59 * 60_000);
    // Five agents at once with a token for three.
    const results = await Promise.all(Array.from({ length: 5 }, async (_, i) => {
      const res = await fetch(`${stack.url}${AGENT_ENROLL_PATH}`, { method: "POST", body: JSON.stringify({ token: issued.token, hostname: `edge-${i}` }) });
      return { status: res.status, body: (await res.json()) as { error?: string } };
    }));
    expect(results.map((r) => r.status).sort()).toEqual([201, 201, 201, 410, 410]);
    for (const r of results.filter((x) => x.status === 410)) expect(r.body.error).toMatch(/has enrolled all 3 hosts it allows/);
    const uses = (await stack.cp.services.audit.list({ action: "host.enroll" })).items.filter((e) => e.phase === "succeeded" && /^edge-/.test(e.targetName ?? ""));
    expect(uses.map((e) => (JSON.parse(e.params!) as { use?: string; via?: string })).map((p) => [p.use, p.via]).sort()).toEqual([["1 of 3", issued.id], ["2 of 3", issued.id], ["3 of 3", issued.id]]);
    // Used up, it is no longer listed as able to enroll.
    expect((await api.hosts.joinTokens.query()).find((t) => t.label === "edge fleet")).toBeUndefined();

    const more = await api.hosts.createJoinToken.mutate({ maxUses: 100, label: "daemonset" });
    const listed = (await api.hosts.joinTokens.query()).find((t) => t.label === "daemonset")!;
    expect(listed).toMatchObject({ uses: 0, maxUses: 100, createdBy: ADMIN_EMAIL });
    expect(JSON.stringify(listed)).not.toContain(more.token);
    await api.hosts.revokeJoinToken.mutate({ tokenId: listed.id });
    const after = await enroll(more.token);
    expect(after.status).toBe(410);
    expect((await after.json()).error).toMatch(/revoked at/);
    expect((await api.hosts.joinTokens.query()).map((t) => t.id)).not.toContain(listed.id);
    const revokes = (await stack.cp.services.audit.list({ action: "host.join-token-revoke" })).items;
    expect(revokes.map((e) => [e.phase, e.targetId, e.actorName])).toEqual([["succeeded", listed.id, ADMIN_EMAIL]]);
    await expect(api.hosts.createJoinToken.mutate({ maxUses: 0 })).rejects.toThrow(/at least 1 host/);
  });

  it("revoking a host disconnects its agent at once and refuses it from then on", async () => {
    const token = await stack.joinToken();
    const credentials = path.join(stack.dataDir, "agent-r", "credentials.json");
    const agent = AgentProcess.start({ url: stack.url, token, credentials, hostname: "doomed" });
    agents.push(agent);
    const host = await waitFor(async () => (await api.hosts.list.query()).find((h) => h.name === "doomed" && h.status === "online"), { what: "doomed online" });

    await api.hosts.revoke.mutate({ hostId: host.id });
    expect(await agent.exited).toBe(EXIT_REFUSED);
    expect(agent.output).toMatch(/revoked/);
    expect((await api.hosts.list.query()).find((h) => h.id === host.id)).toBeUndefined();
    // Gone from the fleet, not without a trace: admins find it with when and by whom.
    const revoked = (await api.hosts.revoked.query()).find((h) => h.id === host.id);
    expect(revoked).toMatchObject({ name: "doomed", revokedBy: ADMIN_EMAIL });
    expect(revoked!.revokedAt.getTime()).toBeGreaterThan(Date.now() - 60_000);

    const retry = AgentProcess.start({ url: stack.url, credentials });
    agents.push(retry);
    expect(await retry.exited).toBe(EXIT_REFUSED);
    expect(retry.output).toMatch(/revoked/);
  });
});
