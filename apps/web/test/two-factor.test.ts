import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as OTPAuth from "otpauth";
import type { AuditAction } from "../server/audit/audit-actions";
import { authPost } from "./support/auth-post";
import { removeTestContainers, runContainer, waitFor } from "./support/engine";
import { type StackWithHost, apiClient, signIn, startStackWithHost } from "./support/stack";

const SIZE = { cols: 80, rows: 24 };
const EMAIL = "factor-op@stevedore.test";
const PASSWORD = "factor-op-password-1";

describe("second factors: enrolment, use, recovery codes, reset, and step-up before a terminal", () => {
  let h: StackWithHost;
  let shell: string;
  let userId: string;
  let totp: OTPAuth.TOTP;
  let recoveryCodes: string[];
  /** The user's two browser sessions, both signed in before enrolment. */
  let first: string;
  let second: string;

  beforeAll(async () => {
    await removeTestContainers();
    h = await startStackWithHost("factor-host");
    shell = await runContainer("factor-shell", ["sh"], undefined, ["-it"]);
    await waitFor(async () => (await h.api.containers.list.query({ q: "factor-" })).items.some((c) => c.state === "running"), { what: "the container in the fleet view" });
    const { user } = await h.api.users.create.mutate({ email: EMAIL, name: "Factor", role: "operator", password: PASSWORD });
    userId = user.id;
    await h.api.users.setGrants.mutate({ userId, grants: [{ group: "prod", role: "terminal" }] });
    await h.api.hosts.setGroups.mutate({ hostId: h.hostId, groups: ["prod"] });
    first = await signIn(h.stack.url, EMAIL, PASSWORD);
    second = await signIn(h.stack.url, EMAIL, PASSWORD);
    await h.api.twoFactor.setPolicy.mutate({ requiredRoles: ["operator"], stepUpGroups: ["prod"], stepUpMinutes: 10 });
  });
  afterAll(async () => {
    await h.agent.stop();
    await h.stack.close();
    await removeTestContainers();
  });

  const entries = async (action: AuditAction) =>
    (await h.api.audit.list.query({ action, limit: 20 })).items;

  it("a role that requires a factor can do nothing but enrol; enrolment with a code from the app lifts it, and the code cannot be used again", async () => {
    await expect(apiClient(h.stack.url, first).containers.list.query({})).rejects.toThrow("your role (operator) requires a second factor");
    expect(await apiClient(h.stack.url, first).twoFactor.status.query()).toMatchObject({ totp: false, required: true, mustEnrol: true });
    // Plain HTTP endpoints authenticate on their own: the gate holds there too.
    const download = await fetch(`${h.stack.url}/api/logs/download?hostId=${h.hostId}&containerId=${shell}`, { headers: { cookie: first } });
    expect(download.status).toBe(412);
    expect(((await download.json()) as { error: string }).error).toMatch("your role (operator) requires a second factor");

    const started = await authPost(h.stack.url, "/two-factor/enable", first, { password: PASSWORD });
    expect(started.status).toBe(200);
    totp = OTPAuth.URI.parse(started.body!.totpURI as string) as OTPAuth.TOTP;
    expect(totp.issuer).toBe("Stevedore");
    recoveryCodes = started.body!.backupCodes as string[];
    expect(recoveryCodes).toHaveLength(10);

    // (better-auth allows 3 checks per 10 s per address and endpoint: this file makes 3.)
    const code = totp.generate();
    const enrolled = await authPost(h.stack.url, "/two-factor/verify-totp", started.cookie, { code });
    expect(enrolled.status).toBe(200);
    first = enrolled.cookie;
    expect(await apiClient(h.stack.url, first).twoFactor.status.query()).toMatchObject({ totp: true, mustEnrol: false, verifiedAt: expect.any(String) });
    await apiClient(h.stack.url, first).containers.list.query({});

    const replay = await authPost(h.stack.url, "/two-factor/verify-totp", first, { code });
    expect(replay.status).toBe(401);
    expect(replay.body?.message).toMatch(/already used/);

    const enrolment = await entries("factor.enrol");
    expect(enrolment.map((e) => [e.phase, e.actorName, e.params])).toEqual([["succeeded", EMAIL, JSON.stringify({ method: "totp", purpose: "enrolment" })]]);
    expect((await entries("factor.verify")).find((e) => e.phase === "refused")).toMatchObject({ actorName: EMAIL, error: "a code that was already used" });
  });

  it("a terminal on a step-up group is refused without a fresh factor, and opens after one (recorded in its audit entry)", async () => {
    const api = apiClient(h.stack.url, second);
    const open = () => api.terminals.open.mutate({ hostId: h.hostId, containerId: shell, mode: "exec", command: ["sh"], size: SIZE });
    await expect(open()).rejects.toThrow(/factor-host \(group prod\) needs a second-factor check within the last 10 minutes/);
    expect((await entries("terminal.refused"))[0]).toMatchObject({ actorName: EMAIL, phase: "refused", targetId: shell, hostId: h.hostId });

    // The next period's code: the current one was spent at enrolment.
    const stepUp = await authPost(h.stack.url, "/two-factor/verify-totp", second, { code: totp.generate({ timestamp: Date.now() + 30_000 }) });
    expect(stepUp.status).toBe(200);
    const { sessionId } = await open();
    const [entry] = (await entries("terminal.exec")).filter((e) => JSON.parse(e.params!).sessionId === sessionId);
    const recorded = JSON.parse(entry!.params!).stepUp as { groups: string[]; verifiedAt: string; withinMinutes: number };
    expect(recorded).toMatchObject({ groups: ["prod"], withinMinutes: 10 });
    expect(Date.now() - Date.parse(recorded.verifiedAt)).toBeLessThan(60_000);
    expect((await entries("factor.verify")).find((e) => e.phase === "succeeded")).toMatchObject({ actorName: EMAIL, params: JSON.stringify({ method: "totp", purpose: "step-up" }) });
    await api.terminals.close.mutate({ sessionId });
  });

  it("sign-in asks for the second factor; a recovery code works once", async () => {
    const password = await authPost(h.stack.url, "/sign-in/email", "", { email: EMAIL, password: PASSWORD });
    expect(password.body).toMatchObject({ twoFactorRedirect: true });
    await expect(apiClient(h.stack.url, password.cookie).me.get.query()).rejects.toThrow("sign in first");

    const [code] = recoveryCodes;
    const recovered = await authPost(h.stack.url, "/two-factor/verify-backup-code", password.cookie, { code });
    expect(recovered.status).toBe(200);
    expect((await apiClient(h.stack.url, recovered.cookie).me.get.query()).email).toBe(EMAIL);

    const again = await authPost(h.stack.url, "/sign-in/email", "", { email: EMAIL, password: PASSWORD });
    expect((await authPost(h.stack.url, "/two-factor/verify-backup-code", again.cookie, { code })).status).toBe(401);

    expect((await entries("factor.recovery-code")).map((e) => [e.phase, e.actorName, e.params])).toEqual([
      ["failed", EMAIL, JSON.stringify({ method: "recovery-code", purpose: "sign-in" })],
      ["succeeded", EMAIL, JSON.stringify({ method: "recovery-code", purpose: "sign-in" })],
    ]);
    expect((await entries("auth.sign-in")).find((e) => e.actorName === EMAIL && e.phase === "succeeded")?.params).toBe(JSON.stringify({ secondFactor: "recovery-code" }));
  });

  it("an admin resets a user's factors: their sessions end and they must enrol again", async () => {
    expect(await h.api.twoFactor.enrolled.query()).toContain(userId);
    const { sessionsRevoked } = await h.api.twoFactor.reset.mutate({ userId });
    expect(sessionsRevoked).toBeGreaterThanOrEqual(2);
    await expect(apiClient(h.stack.url, second).me.get.query()).rejects.toThrow("sign in first");
    const fresh = await signIn(h.stack.url, EMAIL, PASSWORD);
    expect(await apiClient(h.stack.url, fresh).twoFactor.status.query()).toMatchObject({ totp: false, mustEnrol: true });
    expect(await h.api.twoFactor.enrolled.query()).not.toContain(userId);
    expect((await entries("factor.reset"))[0]).toMatchObject({ phase: "succeeded", targetId: userId, targetName: EMAIL });
    await expect(h.api.twoFactor.reset.mutate({ userId })).rejects.toThrow("has no second factor to reset");
  });
});
