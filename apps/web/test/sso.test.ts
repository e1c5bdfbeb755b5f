// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestStack, apiClient, signIn, startStack } from "./support/stack";
import { authPost } from "./support/auth-post";
import { CookieJar, TestIdp } from "./support/oidc-idp";

/**
 * OIDC sign-in end to end over plain HTTP: a real OpenID provider (oidc-provider) in this process,
 * the control plane's own better-auth endpoints, every redirect followed as a browser would.
 */
const PROVIDER = "corp";

describe("single sign-on (OIDC)", () => {
  let stack: TestStack;
  let idp: TestIdp;
  let admin: ReturnType<typeof apiClient>;

  beforeAll(async () => {
    stack = await startStack();
    idp = await TestIdp.start([`${stack.url}/api/auth/callback/${PROVIDER}`]);
    admin = apiClient(stack.url, await signIn(stack.url));
    await admin.sso.saveProvider.mutate({ id: PROVIDER, name: "Corp IdP", issuer: idp.issuer, clientId: idp.clientId, clientSecret: idp.clientSecret, scopes: ["openid", "email", "profile", "groups"] });
    await admin.sso.setPolicy.mutate({
      allowSignUp: true,
      allowedDomains: ["corp.test"],
      mapGroups: true,
      defaultRole: "viewer",
      rules: [
        { idpGroup: "platform", hostGroup: "prod", role: "operator" },
        { idpGroup: "sre", hostGroup: null, role: "operator" },
      ],
      passwordSignIn: true,
      breakGlassEmail: null,
    });
  });

  afterAll(async () => {
    await stack?.close();
    await idp?.close();
  });

  /**
   * Starts sign-in as the login page does, lets the IdP authenticate `sub`, follows every redirect
   * (`tamper` may change the authorization request on its way to the IdP) and returns where it ended
   * on Stevedore with the session cookie, if any.
   */
  async function ssoSignIn(sub: string, tamper?: (authorize: URL) => void): Promise<{ landed: URL; cookie: string }> {
    idp.signInAs = sub;
    const jar = new CookieJar();
    const start = await jar.fetch(`${stack.url}/api/auth/sign-in/social`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: stack.url },
      body: JSON.stringify({ provider: PROVIDER, callbackURL: "/", errorCallbackURL: "/login" }),
    });
    expect(start.status).toBe(200);
    let url = new URL(((await start.json()) as { url: string }).url);
    expect(url.origin).toBe(idp.issuer);
    expect(url.searchParams.get("code_challenge_method")).toBe("S256");
    expect(url.searchParams.get("nonce")).toBeTruthy();
    tamper?.(url);
    for (let hops = 0; hops < 20; hops++) {
      if (url.origin === stack.url && !url.pathname.startsWith("/api/auth/callback/")) {
        return { landed: url, cookie: jar.header(stack.url) };
      }
      const res = await jar.fetch(url.href);
      const location = res.headers.get("location");
      if (!location) throw new Error(`no redirect from ${url.href}: ${res.status} ${await res.text()}`);
      url = new URL(location, url);
    }
    throw new Error("too many redirects");
  }

  const paramsOf = (e: { params: unknown }): unknown => (typeof e.params === "string" ? JSON.parse(e.params) : e.params);
  const sessionCookie = (cookie: string) => /better-auth\.session_token=/.test(cookie);

  async function userNamed(email: string) {
    return (await admin.users.list.query()).find((u) => u.email === email);
  }

  it("creates the account on first sign-in, maps IdP groups to grants, and removes them when the IdP does", async () => {
    idp.users.set("alice", { email: "alice@corp.test", emailVerified: true, name: "Alice", groups: ["platform"] });
    const first = await ssoSignIn("alice");
    expect(first.landed.pathname).toBe("/");
    expect(sessionCookie(first.cookie)).toBe(true);
    const me = await apiClient(stack.url, first.cookie).me.get.query();
    expect(me.email).toBe("alice@corp.test");
    const alice = await userNamed("alice@corp.test");
    expect(alice?.role).toBe("viewer");
    expect(alice?.grants).toEqual([{ group: "prod", role: "operator" }]);
    const created = await admin.audit.list.query({ action: "user.create" });
    expect(created.items.some((e) => e.targetName === "alice@corp.test" && (paramsOf(e) as { via?: string }).via === "sso")).toBe(true);

    // Out of platform, into sre at the IdP: the next sign-in takes the grant away and gives operator.
    idp.users.set("alice", { ...idp.users.get("alice")!, groups: ["sre"] });
    const second = await ssoSignIn("alice");
    expect(second.landed.pathname).toBe("/");
    const after = await userNamed("alice@corp.test");
    expect(after?.id).toBe(alice?.id);
    expect(after?.role).toBe("operator");
    expect(after?.grants).toEqual([]);
    const mapped = await admin.audit.list.query({ action: "auth.sso-access" });
    const last = mapped.items.find((e) => e.targetName === "alice@corp.test");
    expect(last && paramsOf(last)).toMatchObject({ provider: PROVIDER, groups: ["sre"], from: { role: "viewer", grants: [{ group: "prod", role: "operator" }] }, to: { role: "operator", grants: [] } });
  });

  it("refuses a tampered state", async () => {
    idp.users.set("dave", { email: "dave@corp.test", emailVerified: true, name: "Dave", groups: [] });
    const { landed, cookie } = await ssoSignIn("dave", (u) => u.searchParams.set("state", `${u.searchParams.get("state")}x`));
    expect(landed.pathname).toBe("/login");
    expect(landed.searchParams.get("error")).toMatch(/state/);
    expect(sessionCookie(cookie)).toBe(false);
    expect(await userNamed("dave@corp.test")).toBeUndefined();
  });

  it("refuses an ID token whose nonce is not the one sent", async () => {
    const { landed, cookie } = await ssoSignIn("dave", (u) => u.searchParams.set("nonce", "not-the-nonce-stevedore-sent"));
    expect(landed.pathname).toBe("/login");
    // better-auth's code when the ID token does not verify (signature, issuer, audience or nonce).
    expect(landed.searchParams.get("error")).toBe("unable_to_get_user_info");
    expect(sessionCookie(cookie)).toBe(false);
    expect(await userNamed("dave@corp.test")).toBeUndefined();
  });

  it("links an existing account by verified email only", async () => {
    const { user } = await admin.users.create.mutate({ email: "bob@corp.test", name: "Bob", role: "viewer" });
    idp.users.set("bob", { email: "bob@corp.test", emailVerified: false, name: "Bob", groups: [] });
    const unverified = await ssoSignIn("bob");
    expect(unverified.landed.pathname).toBe("/login");
    expect(unverified.landed.searchParams.get("error")).toBe("account_not_linked");
    expect(sessionCookie(unverified.cookie)).toBe(false);
    expect(await stack.cp.services.db.account.count({ where: { userId: user.id, providerId: PROVIDER } })).toBe(0);

    idp.users.set("bob", { ...idp.users.get("bob")!, emailVerified: true });
    const verified = await ssoSignIn("bob");
    expect(verified.landed.pathname).toBe("/");
    expect((await apiClient(stack.url, verified.cookie).me.get.query()).email).toBe("bob@corp.test");
    expect(await stack.cp.services.db.account.count({ where: { userId: user.id, providerId: PROVIDER } })).toBe(1);
  });

  it("refuses to create an account outside the allowed domains", async () => {
    idp.users.set("carol", { email: "carol@elsewhere.test", emailVerified: true, name: "Carol", groups: ["sre"] });
    const { landed, cookie } = await ssoSignIn("carol");
    expect(landed.pathname).toBe("/login");
    expect(landed.searchParams.get("error")).toBe("domain_not_allowed");
    expect(sessionCookie(cookie)).toBe(false);
    expect(await userNamed("carol@elsewhere.test")).toBeUndefined();
  });

  it("turns password sign-in off for everyone but the break-glass admin", async () => {
    const policy = (await admin.sso.get.query()).policy;
    await admin.users.create.mutate({ email: "erin@corp.test", name: "Erin", role: "viewer", password: "erin-password-123" });
    await admin.sso.setPolicy.mutate({ ...policy, passwordSignIn: false, breakGlassEmail: "admin@stevedore.test" });
    await expect(signIn(stack.url, "erin@corp.test", "erin-password-123")).rejects.toThrow(/403.*Password sign-in is turned off/);
    await expect(signIn(stack.url)).resolves.toMatch(/better-auth\.session_token=/);
    await admin.sso.setPolicy.mutate({ ...policy, passwordSignIn: true });
    await expect(signIn(stack.url, "erin@corp.test", "erin-password-123")).resolves.toMatch(/better-auth\.session_token=/);
  });

  it("lets an account without a password set up an authenticator app, within minutes of signing in at its provider", async () => {
    idp.users.set("dave", { email: "dave@corp.test", emailVerified: true, name: "Dave", groups: [] });
    const { cookie } = await ssoSignIn("dave");
    const dave = apiClient(stack.url, cookie);
    expect(await dave.twoFactor.status.query()).toMatchObject({ totp: false, password: false, sso: { provider: PROVIDER, fresh: true } });
    const started = await authPost(stack.url, "/two-factor/enable", cookie, {});
    expect(started.status).toBe(200);
    expect(started.body?.totpURI).toMatch(/^otpauth:\/\/totp\//);

    // Eleven minutes after the sign-in, a stolen session could not swap the factor: the provider must be asked again.
    const user = await userNamed("dave@corp.test");
    await stack.cp.services.db.session.updateMany({ where: { userId: user!.id }, data: { createdAt: new Date(Date.now() - 11 * 60_000) } });
    expect((await dave.twoFactor.status.query()).sso).toEqual({ provider: PROVIDER, fresh: false });
    const refused = await authPost(stack.url, "/two-factor/enable", cookie, {});
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: "FRESH_SIGN_IN_NEEDED" });
    const audited = await admin.audit.list.query({ action: "factor.enrol" });
    expect(audited.items.find((e) => e.targetName === "dave@corp.test")).toMatchObject({ phase: "refused", error: "no sign-in at the provider in the last 10 minutes" });
  });

  it("never returns a client secret to the browser", async () => {
    const view = await admin.sso.get.query();
    expect(view.providers).toEqual([expect.objectContaining({ id: PROVIDER, hasSecret: true })]);
    expect(JSON.stringify(view)).not.toContain(idp.clientSecret);
    const row = await stack.cp.services.db.setting.findUniqueOrThrow({ where: { key: "sso" } });
    expect(row.value).not.toContain(idp.clientSecret);
  });
});
