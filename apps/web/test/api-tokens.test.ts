// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestStack, apiClient, enrollOfflineHost, signIn, startStack, tokenClient } from "./support/stack";

describe("API tokens", () => {
  let stack: TestStack;
  let operator: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    stack = await startStack();
    await stack.cp.services.auth.api.createUser({ body: { email: "ops@stevedore.test", password: "ops-password-123", name: "ops", role: "operator" } });
    operator = apiClient(stack.url, await signIn(stack.url, "ops@stevedore.test", "ops-password-123"));
  });
  afterAll(() => stack.close());

  it("is shown once, stored hashed, acts with its own role, records last use, and is audited by name", async () => {
    const created = await operator.tokens.create.mutate({ name: "ci deploy", role: "operator" });
    expect(created.token).toMatch(/^stvtok_[A-Za-z0-9_-]{43}$/);
    const row = await stack.cp.services.db.apiToken.findUniqueOrThrow({ where: { id: created.id } });
    expect(row.tokenHash).not.toContain(created.token.slice(7));
    expect(JSON.stringify(await operator.tokens.list.query())).not.toContain(created.token);

    const api = tokenClient(stack.url, created.token);
    expect(await api.me.get.query()).toMatchObject({ email: "ops@stevedore.test", role: "operator", token: { name: "ci deploy" } });
    // An operator procedure is allowed (it fails only because the host's agent is not connected).
    const hostId = await enrollOfflineHost(stack, "token-target");
    const [result] = await api.containers.operate.mutate({ targets: [{ hostId, id: "a".repeat(64) }, { hostId, id: "b".repeat(64) }], operation: { action: "start" } });
    expect(result).toMatchObject({ ok: false, error: { code: "host_offline" } });
    expect((await stack.cp.services.db.apiToken.findUniqueOrThrow({ where: { id: created.id } })).lastUsedAt).toBeInstanceOf(Date);

    const entries = (await stack.cp.services.audit.list({ action: "container.start" })).items;
    expect(entries[0]).toMatchObject({ actorType: "token", actorId: created.id, actorName: 'ops@stevedore.test (token "ci deploy")' });
  });

  it("has at most its owner's role, now and later", async () => {
    await expect(operator.tokens.create.mutate({ name: "too much", role: "admin" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    const { token } = await operator.tokens.create.mutate({ name: "read only", role: "viewer" });
    await expect(tokenClient(stack.url, token).containers.operate.mutate({ targets: [{ hostId: "h", id: "a".repeat(64) }], operation: { action: "kill" } })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });

    // Demoting the owner demotes their tokens.
    const { token: opToken } = await operator.tokens.create.mutate({ name: "ops", role: "operator" });
    await stack.cp.services.db.user.update({ where: { email: "ops@stevedore.test" }, data: { role: "viewer" } });
    await expect(tokenClient(stack.url, opToken).containers.operate.mutate({ targets: [{ hostId: "h", id: "a".repeat(64) }], operation: { action: "kill" } })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    await stack.cp.services.db.user.update({ where: { email: "ops@stevedore.test" }, data: { role: "operator" } });
  });

  it("stops working when revoked, expired, or its owner is disabled; and cannot manage tokens", async () => {
    const { token, id } = await operator.tokens.create.mutate({ name: "short lived", role: "viewer" });
    const api = tokenClient(stack.url, token);
    await expect(api.tokens.create.mutate({ name: "child", role: "viewer" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    expect((await api.hosts.list.query()).map((h) => h.name)).toEqual(["token-target"]);
    await operator.tokens.revoke.mutate({ id });
    // The caller is told why (not "sign in first"), and the use after revocation is audited under the token's name.
    await expect(api.hosts.list.query()).rejects.toMatchObject({ message: "this API token was revoked", data: { code: "UNAUTHORIZED" } });
    const refusals = (await stack.cp.services.audit.list({ action: "access.refused" })).items;
    expect(refusals.find((e) => e.actorId === id)).toMatchObject({ actorType: "token", actorName: 'ops@stevedore.test (token "short lived")', targetName: "hosts.list", error: "this API token was revoked" });

    const expiring = await operator.tokens.create.mutate({ name: "expired", role: "viewer", expiresInDays: 1 });
    await stack.cp.services.db.apiToken.update({ where: { id: expiring.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    await expect(tokenClient(stack.url, expiring.token).hosts.list.query()).rejects.toMatchObject({ message: "this API token expired", data: { code: "UNAUTHORIZED" } });

    const live = await operator.tokens.create.mutate({ name: "owner disabled", role: "viewer" });
    await stack.cp.services.db.user.update({ where: { email: "ops@stevedore.test" }, data: { banned: true } });
    await expect(tokenClient(stack.url, live.token).hosts.list.query()).rejects.toMatchObject({ message: "this API token's owner is disabled", data: { code: "UNAUTHORIZED" } });
    await expect(tokenClient(stack.url, "stvtok_" + "x".repeat(43)).hosts.list.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  });
});
