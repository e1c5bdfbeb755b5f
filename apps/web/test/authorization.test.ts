// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestStack, apiClient, signIn, startStack } from "./support/stack";

describe("authorization", () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack();
    for (const role of ["viewer", "operator"] as const) {
      await stack.cp.services.auth.api.createUser({ body: { email: `${role}@stevedore.test`, password: `${role}-password-1`, name: role, role } });
    }
  });
  afterAll(() => stack.close());

  it("refuses every procedure without a session", async () => {
    const anon = apiClient(stack.url);
    await expect(anon.me.get.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    await expect(anon.hosts.list.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    await expect(anon.containers.list.query({})).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    await expect(anon.hosts.createJoinToken.mutate()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    const sse = await fetch(`${stack.url}/api/trpc/fleet.changes`, { headers: { accept: "text/event-stream" } });
    const text = await sse.text();
    expect(text).toMatch(/UNAUTHORIZED/);
  });

  it("lets viewers and operators read but not add or revoke hosts", async () => {
    for (const role of ["viewer", "operator"]) {
      const api = apiClient(stack.url, await signIn(stack.url, `${role}@stevedore.test`, `${role}-password-1`));
      expect(await api.me.get.query()).toMatchObject({ role });
      expect(await api.hosts.list.query()).toEqual([]);
      await expect(api.hosts.createJoinToken.mutate()).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
      await expect(api.hosts.revoke.mutate({ hostId: "host_x" })).rejects.toMatchObject({ data: { code: "FORBIDDEN" } });
    }
  });

  it("refuses a mutation from another origin even with a valid session cookie", async () => {
    const cookie = await signIn(stack.url);
    const res = await fetch(`${stack.url}/api/trpc/hosts.createJoinToken`, {
      method: "POST",
      headers: { cookie, origin: "https://evil.example", "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(403);
    expect(await stack.cp.services.db.joinToken.count()).toBe(0);
  });

  it("refuses a wrong password and a disabled (banned) user", async () => {
    await expect(signIn(stack.url, "viewer@stevedore.test", "wrong-password-1")).rejects.toThrow(/401/);
    const viewer = await stack.cp.services.db.user.findUniqueOrThrow({ where: { email: "viewer@stevedore.test" } });
    await stack.cp.services.db.user.update({ where: { id: viewer.id }, data: { banned: true } });
    await expect(signIn(stack.url, "viewer@stevedore.test", "viewer-password-1")).rejects.toThrow(/403|banned/i);
  });
});
