// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestStack, ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, enrollOfflineHost, signIn, startStack } from "./support/stack";

type Api = ReturnType<typeof apiClient>;

/** The tRPC error code a call ends with, or "ok". */
async function outcome(call: Promise<unknown>): Promise<string> {
  return call.then(
    () => "ok",
    (err: { data?: { code?: string } }) => err.data?.code ?? String(err),
  );
}

/** A host that exists but whose agent never connects. */
let offlineHostId = "";

/** An operator-only call on an offline host: refused for a viewer, attempted for an operator. */
function operateOnNothing(api: Api) {
  return api.containers.operate.mutate({ targets: [{ hostId: offlineHostId, id: "a".repeat(64) }], operation: { action: "kill" } });
}

describe("user management", () => {
  let stack: TestStack;
  let admin: Api;
  /** Every password this file hands out, to prove none of them reaches the audit trail. */
  const passwords: string[] = [ADMIN_PASSWORD];

  async function createUser(email: string, role: "viewer" | "operator" | "admin", password?: string) {
    const created = await admin.users.create.mutate({ email, name: email.split("@")[0]!, role, password });
    const pw = password ?? created.generatedPassword!;
    passwords.push(pw);
    return { id: created.user.id, email, password: pw };
  }

  async function userId(email: string): Promise<string> {
    return (await stack.cp.services.db.user.findUniqueOrThrow({ where: { email } })).id;
  }

  beforeAll(async () => {
    stack = await startStack();
    admin = apiClient(stack.url, await signIn(stack.url));
    offlineHostId = await enrollOfflineHost(stack, "users-offline");
  });
  afterAll(() => stack.close());

  it("creates a user with a generated password, shown once, that signs in through better-auth", async () => {
    const created = await admin.users.create.mutate({ email: "  Gen@Stevedore.test ", name: "Gen", role: "viewer" });
    expect(created.user).toMatchObject({ email: "gen@stevedore.test", name: "Gen", role: "viewer" });
    const password = created.generatedPassword!;
    passwords.push(password);
    expect(password).toMatch(/^[A-Za-z0-9]{5}(-[A-Za-z0-9]{5}){3}$/);

    const api = apiClient(stack.url, await signIn(stack.url, "gen@stevedore.test", password));
    expect(await api.me.get.query()).toMatchObject({ email: "gen@stevedore.test", role: "viewer" });

    const listed = (await admin.users.list.query()).find((u) => u.email === "gen@stevedore.test");
    expect(listed).toMatchObject({ id: created.user.id, name: "Gen", role: "viewer", disabled: false });
    expect(listed!.createdAt).toBeInstanceOf(Date);
    expect(listed!.lastSessionAt).toBeInstanceOf(Date);
    expect(JSON.stringify(await admin.users.list.query())).not.toContain(password);
  });

  it("creates a user with the admin's password and refuses bad input and duplicates", async () => {
    const chosen = await admin.users.create.mutate({ email: "chosen@stevedore.test", name: "Chosen", role: "operator", password: "chosen-password-12" });
    passwords.push("chosen-password-12");
    expect(chosen.generatedPassword).toBeNull();
    const api = apiClient(stack.url, await signIn(stack.url, "chosen@stevedore.test", "chosen-password-12"));
    expect(await api.me.get.query()).toMatchObject({ role: "operator" });

    await expect(admin.users.create.mutate({ email: "short@stevedore.test", name: "Short", role: "viewer", password: "too-short" })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", zodError: { fieldErrors: { password: ["a password needs at least 12 characters"] } } },
    });
    await expect(admin.users.create.mutate({ email: "not-an-email", name: "X", role: "viewer" })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", zodError: { fieldErrors: { email: ["enter a valid email address"] } } },
    });
    // @ts-expect-error an unknown role is refused by the server, not only by the types
    await expect(admin.users.create.mutate({ email: "x@stevedore.test", name: "X", role: "root" })).rejects.toMatchObject({ data: { code: "BAD_REQUEST" } });
    await expect(admin.users.create.mutate({ email: "CHOSEN@stevedore.test", name: "Again", role: "viewer" })).rejects.toMatchObject({
      data: { code: "CONFLICT" },
      message: "a user with the email chosen@stevedore.test already exists",
    });
    await expect(admin.users.setRole.mutate({ userId: "user_missing", role: "viewer" })).rejects.toMatchObject({ data: { code: "NOT_FOUND" } });
  });

  it("changes what a user may do with setRole, on their very next request", async () => {
    const u = await createUser("role@stevedore.test", "viewer");
    const api = apiClient(stack.url, await signIn(stack.url, u.email, u.password));
    expect(await outcome(operateOnNothing(api))).toBe("FORBIDDEN");

    expect(await admin.users.setRole.mutate({ userId: u.id, role: "operator" })).toMatchObject({ role: "operator", changed: true });
    expect(await api.me.get.query()).toMatchObject({ role: "operator" });
    const asOperator = await outcome(operateOnNothing(api));
    // Past the role check and the input check: it fails only because the host is offline.
    expect(asOperator).not.toBe("FORBIDDEN");
    expect(["ok", "BAD_REQUEST"]).not.toContain(asOperator);

    await admin.users.setRole.mutate({ userId: u.id, role: "viewer" });
    expect(await outcome(operateOnNothing(api))).toBe("FORBIDDEN");
  });

  it("signs a disabled user out at once and refuses their sign-in; enabling restores access", async () => {
    const u = await createUser("disabled@stevedore.test", "operator");
    const cookie = await signIn(stack.url, u.email, u.password);
    const api = apiClient(stack.url, cookie);
    expect(await api.me.get.query()).toMatchObject({ email: u.email });

    expect(await admin.users.disable.mutate({ userId: u.id })).toMatchObject({ disabled: true, sessionsRevoked: 1 });
    expect(await outcome(api.me.get.query())).toBe("UNAUTHORIZED");
    await expect(signIn(stack.url, u.email, u.password)).rejects.toThrow(/403|banned/i);
    expect((await admin.users.list.query()).find((x) => x.id === u.id)).toMatchObject({ disabled: true, lastSessionAt: null });

    await admin.users.enable.mutate({ userId: u.id });
    expect((await admin.users.list.query()).find((x) => x.id === u.id)).toMatchObject({ disabled: false });
    const again = apiClient(stack.url, await signIn(stack.url, u.email, u.password));
    expect(await again.me.get.query()).toMatchObject({ email: u.email, role: "operator" });
    expect(await outcome(api.me.get.query())).toBe("UNAUTHORIZED");
  });

  it("resets a password: the old one stops working, the new one is returned once, and sessions end", async () => {
    const u = await createUser("reset@stevedore.test", "viewer");
    const api = apiClient(stack.url, await signIn(stack.url, u.email, u.password));

    const reset = await admin.users.resetPassword.mutate({ userId: u.id });
    passwords.push(reset.generatedPassword);
    expect(reset.generatedPassword).not.toBe(u.password);
    expect(reset.sessionsRevoked).toBe(1);
    expect(await outcome(api.me.get.query())).toBe("UNAUTHORIZED");
    await expect(signIn(stack.url, u.email, u.password)).rejects.toThrow(/401/);
    const fresh = apiClient(stack.url, await signIn(stack.url, u.email, reset.generatedPassword));
    expect(await fresh.me.get.query()).toMatchObject({ email: u.email });
  });

  it("keeps an enabled admin: no self-demotion or self-disable, and never the last admin", async () => {
    const adminId = stack.adminId;
    // The only admin: whatever the reason, the last enabled admin stays.
    await expect(admin.users.setRole.mutate({ userId: adminId, role: "operator" })).rejects.toMatchObject({
      data: { code: "CONFLICT" },
      message: `${ADMIN_EMAIL} is the last enabled admin; make another user an admin first`,
    });
    await expect(admin.users.disable.mutate({ userId: adminId })).rejects.toMatchObject({ data: { code: "CONFLICT" } });

    // With a second admin, the rule that stops you is the one about yourself.
    const second = await createUser("second-admin@stevedore.test", "admin");
    await expect(admin.users.setRole.mutate({ userId: adminId, role: "viewer" })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
      message: "you cannot change your own role; ask another admin",
    });
    await expect(admin.users.disable.mutate({ userId: adminId })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
      message: "you cannot disable your own account; ask another admin",
    });
    expect(await admin.users.setRole.mutate({ userId: adminId, role: "admin" })).toMatchObject({ changed: false });

    // A disabled admin does not count as one.
    await admin.users.disable.mutate({ userId: second.id });
    await expect(admin.users.setRole.mutate({ userId: adminId, role: "viewer" })).rejects.toMatchObject({ data: { code: "CONFLICT" } });

    // Another admin may demote you; then you are an operator on your next request.
    await admin.users.enable.mutate({ userId: second.id });
    const secondApi = apiClient(stack.url, await signIn(stack.url, second.email, second.password));
    await secondApi.users.setRole.mutate({ userId: adminId, role: "operator" });
    expect(await outcome(admin.users.list.query())).toBe("FORBIDDEN");
    await expect(secondApi.users.disable.mutate({ userId: second.id })).rejects.toMatchObject({ data: { code: "CONFLICT" } });
    await secondApi.users.setRole.mutate({ userId: adminId, role: "admin" });
    expect(await outcome(admin.users.list.query())).toBe("ok");

    const state = await stack.cp.services.db.user.findMany({ where: { id: { in: [adminId, second.id] } } });
    expect(state.map((u) => [u.role, u.banned ?? false])).toEqual([
      ["admin", false],
      ["admin", false],
    ]);
  });

  it("refuses every users procedure to viewers and operators", async () => {
    const target = await userId("gen@stevedore.test");
    for (const role of ["viewer", "operator"] as const) {
      const u = await createUser(`${role}-caller@stevedore.test`, role);
      const api = apiClient(stack.url, await signIn(stack.url, u.email, u.password));
      // Each call's outcome is taken at once: a refusal left unobserved while an earlier one is
      // awaited would be an unhandled rejection.
      const calls: Record<string, Promise<string>> = {
        list: outcome(api.users.list.query()),
        create: outcome(api.users.create.mutate({ email: `by-${role}@stevedore.test`, name: "X", role: "admin" })),
        setRole: outcome(api.users.setRole.mutate({ userId: u.id, role: "admin" })),
        disable: outcome(api.users.disable.mutate({ userId: target })),
        enable: outcome(api.users.enable.mutate({ userId: target })),
        resetPassword: outcome(api.users.resetPassword.mutate({ userId: target })),
      };
      for (const [name, call] of Object.entries(calls)) expect(`${role} ${name}: ${await call}`).toBe(`${role} ${name}: FORBIDDEN`);
    }
    expect(await stack.cp.services.db.user.count({ where: { email: { startsWith: "by-" } } })).toBe(0);
    expect((await stack.cp.services.db.user.findMany({ where: { role: "admin" } })).map((u) => u.email).sort()).toEqual([ADMIN_EMAIL, "second-admin@stevedore.test"]);
  });

  it("audits every mutation against the user, with no password anywhere in the trail", async () => {
    const { items } = await stack.cp.services.audit.list({ limit: 500 });
    const userEntries = items.filter((e) => e.action.startsWith("user."));
    const actions = new Set(userEntries.map((e) => e.action));
    expect([...actions].sort()).toEqual(["user.create", "user.disable", "user.enable", "user.reset-password", "user.set-role"]);
    for (const e of userEntries) {
      expect(e).toMatchObject({ phase: "succeeded", actorType: "user", targetType: "user" });
      expect(e.targetId).toBe(await userId(e.targetName!));
    }

    const created = userEntries.find((e) => e.action === "user.create" && e.targetName === "gen@stevedore.test")!;
    expect(JSON.parse(created.params!)).toEqual({ name: "Gen", role: "viewer", handover: "generated" });
    const byTheSecondAdmin = userEntries.filter((e) => e.action === "user.set-role" && e.targetName === ADMIN_EMAIL && e.actorName === "second-admin@stevedore.test");
    expect(byTheSecondAdmin.map((e) => JSON.parse(e.params!)).reverse()).toEqual([
      { from: "admin", to: "operator" },
      { from: "operator", to: "admin" },
    ]);
    expect(userEntries.find((e) => e.action === "user.disable" && e.targetName === "disabled@stevedore.test")!.params).toBe('{"sessionsRevoked":1}');

    const trail = JSON.stringify(items);
    for (const pw of passwords) expect(trail).not.toContain(pw);
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: true });
  });
});
