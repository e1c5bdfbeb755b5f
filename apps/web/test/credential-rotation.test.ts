import fs from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashSecret } from "../server/agents/secrets";
import { removeTestContainers, waitFor } from "./support/engine";
import { RawAgent } from "./support/raw-agent";
import { AgentProcess, type StackWithHost, startStackWithHost } from "./support/stack";

const DAY = 86_400_000;

/** A real agent on the local engine whose credential comes due, against a real control plane and database. */
describe("host credentials rotate", () => {
  let h: StackWithHost;
  let agent: AgentProcess;
  const secretOf = (credential: string) => credential.slice(credential.indexOf(".") + 1);
  const fileCredential = () => (JSON.parse(fs.readFileSync(h.credentials, "utf8")) as { credential: string }).credential;
  const row = () => h.stack.cp.services.db.host.findUniqueOrThrow({ where: { id: h.hostId } });
  const verify = (credential: string) => h.stack.cp.services.agents.verifyCredential({ headers: { authorization: `Bearer ${credential}` } });
  const online = () => waitFor(async () => (await h.api.hosts.get.query({ hostId: h.hostId })).status === "online", { timeoutMs: 15_000, what: "the agent online" });
  const restartAgent = async () => {
    await agent.stop();
    await waitFor(async () => (await h.api.hosts.get.query({ hostId: h.hostId })).status === "offline", { what: "offline" });
    agent = AgentProcess.start({ url: h.stack.url, credentials: h.credentials });
    await online();
  };

  beforeAll(async () => {
    await removeTestContainers();
    h = await startStackWithHost("rotating");
    agent = h.agent;
  });
  afterAll(async () => {
    await agent.stop();
    await h.stack.close();
  });

  let first: string;
  let second: string;

  it("a connected agent whose credential is due gets a new one, saved 0600 before the control plane switches to it", async () => {
    first = fileCredential();
    expect((await row()).credentialHash).toBe(hashSecret(secretOf(first)));
    await h.stack.cp.services.db.host.update({ where: { id: h.hostId }, data: { credentialIssuedAt: new Date(Date.now() - 2 * DAY) } });
    await restartAgent(); // due at its hello
    second = await waitFor(() => fileCredential() !== first && fileCredential(), { what: "the agent to save a new credential" });
    expect(fs.statSync(h.credentials).mode & 0o777).toBe(0o600);
    const stored = await waitFor(async () => {
      const r = await row();
      return r.credentialHash === hashSecret(secretOf(second)) && r;
    }, { what: "the control plane to switch to it" });
    expect(stored.previousCredentialHash).toBe(hashSecret(secretOf(first)));
    expect(stored.pendingCredentialHash).toBeNull();
    expect(Date.now() - stored.credentialIssuedAt!.getTime()).toBeLessThan(60_000);
    // The agent uses it from now on: after a restart it connects with the new one.
    await restartAgent();
    expect(await verify(second)).toMatchObject({ ok: true, presented: "current" });
  });

  it("the old credential works for the overlap only; then it is refused, audited, and the host flagged", async () => {
    expect(await verify(first)).toMatchObject({ ok: true, presented: "previous" });
    await h.stack.cp.services.db.host.update({ where: { id: h.hostId }, data: { previousCredentialUntil: new Date(Date.now() - 1_000) } });
    const thief = new RawAgent(h.stack.url, first);
    await expect(thief.opened()).rejects.toThrow("HTTP 401");
    const refusal = await waitFor(() => h.stack.cp.services.db.auditEntry.findFirst({ where: { action: "host.connect", phase: "refused", hostId: h.hostId } }), { what: "the refusal audited" });
    expect(refusal.error).toMatch(/superseded credential/);
    expect(refusal.actorName).toMatch(/superseded credential/);
    const flagged = await waitFor(async () => (await h.api.hosts.get.query({ hostId: h.hostId })).credentialAlert, { what: "the host flagged" });
    expect(Date.now() - flagged.at).toBeLessThan(60_000);
    // The real agent is not affected.
    expect((await h.api.hosts.get.query({ hostId: h.hostId })).status).toBe("online");
    expect(JSON.parse((await row()).credentialAlert!)).toMatchObject({ at: flagged.at });
  });

  it("a credential sent but not confirmed (the control plane went away in between) is valid and becomes current when presented", async () => {
    const pending = `${h.hostId}.stvhost_${"p".repeat(43)}`;
    await h.stack.cp.services.db.host.update({ where: { id: h.hostId }, data: { pendingCredentialHash: hashSecret(secretOf(pending)) } });
    expect(await verify(pending)).toMatchObject({ ok: true, presented: "pending" });
    const r = await row();
    expect(r.credentialHash).toBe(hashSecret(secretOf(pending)));
    expect(r.previousCredentialHash).toBe(hashSecret(secretOf(second)));
    expect(r.pendingCredentialHash).toBeNull();
  });

  it("a credential not rotated for longer than its lifetime (the host was away) is refused with how to recover", async () => {
    const current = `${h.hostId}.stvhost_${"p".repeat(43)}`;
    await h.stack.cp.services.db.host.update({ where: { id: h.hostId }, data: { credentialIssuedAt: new Date(Date.now() - 31 * DAY) } });
    const check = await verify(current);
    expect(check).toMatchObject({ ok: false, status: 401 });
    expect(!check.ok && check.reason).toMatch(/credential expired .*enroll the host again/);
    expect(await verify(`${h.hostId}.stvhost_${"u".repeat(43)}`)).toMatchObject({ ok: false, reason: "unknown credential" });
  });
});
