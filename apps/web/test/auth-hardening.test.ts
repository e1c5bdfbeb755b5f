// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type TestStack, ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, signIn, startStack, tokenClient } from "./support/stack";

const UA = "stevedore-test/1.0 (auth-hardening)";

function signInAttempt(url: string, email: string, password: string) {
  return fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin: url, "user-agent": UA },
    body: JSON.stringify({ email, password }),
  });
}

async function auditOf(stack: TestStack, action: string) {
  const { items } = await stack.cp.services.audit.list({ action, limit: 500 });
  return items;
}

async function createUser(stack: TestStack, email: string, password: string, role: "viewer" | "operator" | "admin" = "viewer") {
  const { user } = await stack.cp.services.auth.api.createUser({ body: { email, password, name: email.split("@")[0]!, role } });
  return user.id;
}

describe("better-auth endpoints from outside", () => {
  let stack: TestStack;
  let adminCookie: string;
  let viewerId: string;
  beforeAll(async () => {
    stack = await startStack();
    adminCookie = await signIn(stack.url);
    viewerId = await createUser(stack, "victim@stevedore.test", "victim-password-1");
  });
  afterAll(() => stack.close());

  const post = (path: string, body: unknown, cookie = adminCookie) =>
    fetch(`${stack.url}/api/auth/${path}`, { method: "POST", headers: { "content-type": "application/json", origin: stack.url, cookie }, body: JSON.stringify(body) });

  it("answers 404 to an admin's set-user-password, and the password stays as it was", async () => {
    const res = await post("admin/set-user-password", { userId: viewerId, newPassword: "attacker-chosen-1" });
    expect(res.status).toBe(404);
    expect((await signInAttempt(stack.url, "victim@stevedore.test", "attacker-chosen-1")).status).toBe(401);
    expect((await signInAttempt(stack.url, "victim@stevedore.test", "victim-password-1")).status).toBe(200);
  });

  it("answers 404 to the rest of better-auth's endpoints (admin plugin, account changes)", async () => {
    expect((await post("admin/set-role", { userId: viewerId, role: "admin" })).status).toBe(404);
    expect((await post("admin/create-user", { email: "sneaky@stevedore.test", password: "sneaky-password-1", name: "x", role: "admin" })).status).toBe(404);
    expect((await post("admin/ban-user", { userId: viewerId })).status).toBe(404);
    expect((await post("update-user", { name: "renamed" })).status).toBe(404);
    expect((await post("change-password", { currentPassword: ADMIN_PASSWORD, newPassword: "unaudited-change-1" })).status).toBe(404);
    expect((await post("sign-up/email", { email: "self@stevedore.test", password: "self-signup-pass", name: "x" })).status).toBe(404);
    expect((await fetch(`${stack.url}/api/auth/admin/list-users`, { headers: { cookie: adminCookie } })).status).toBe(404);
    expect((await post("revoke-other-sessions", {})).status).toBe(404);
    const db = stack.cp.services.db;
    expect(await db.user.findUnique({ where: { id: viewerId }, select: { role: true, banned: true } })).toEqual({ role: "viewer", banned: false });
    expect(await db.user.count({ where: { email: { in: ["sneaky@stevedore.test", "self@stevedore.test"] } } })).toBe(0);
    expect((await signInAttempt(stack.url, ADMIN_EMAIL, ADMIN_PASSWORD)).status).toBe(200);
  });

  it("still serves what the product uses, and the server's own createUser", async () => {
    const session = await fetch(`${stack.url}/api/auth/get-session`, { headers: { cookie: adminCookie } });
    expect(session.status).toBe(200);
    expect(((await session.json()) as { user: { email: string } }).user.email).toBe(ADMIN_EMAIL);
    const admin = apiClient(stack.url, adminCookie);
    const created = await admin.users.create.mutate({ email: "made@stevedore.test", name: "Made", role: "viewer", password: "made-by-admin-1" });
    expect(created.user.email).toBe("made@stevedore.test");
    const cookie = await signIn(stack.url, "made@stevedore.test", "made-by-admin-1");
    expect((await post("sign-out", {}, cookie)).status).toBe(200);
    await expect(apiClient(stack.url, cookie).me.get.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
  });
});

describe("sessions", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ SESSION_IDLE_HOURS: "2" });
    await createUser(stack, "aged@stevedore.test", "aged-password-12");
    await createUser(stack, "changer@stevedore.test", "changer-password-1");
  });
  afterAll(() => stack.close());

  /** Signs in and returns the cookie and the id of the session it made. */
  async function freshSession(email: string, password: string) {
    const cookie = await signIn(stack.url, email, password);
    const row = await stack.cp.services.db.session.findFirstOrThrow({ where: { user: { email } }, orderBy: { createdAt: "desc" } });
    return { cookie, id: row.id };
  }

  /** Moves a session's start back in time, as if it had been signed in that long ago. */
  async function age(sessionId: string, hours: number) {
    await stack.cp.services.db.session.update({ where: { id: sessionId }, data: { createdAt: new Date(Date.now() - hours * 3_600_000) } });
  }

  const sessionExists = async (id: string) => (await stack.cp.services.db.session.count({ where: { id } })) === 1;

  it("slides an idle window of SESSION_IDLE_HOURS: the row and the cookie last 2 h from sign-in", async () => {
    const res = await signInAttempt(stack.url, "aged@stevedore.test", "aged-password-12");
    expect(res.status).toBe(200);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="))!;
    expect(cookie).toMatch(/Max-Age=7200\b/);
    const row = await stack.cp.services.db.session.findFirstOrThrow({ where: { user: { email: "aged@stevedore.test" } }, orderBy: { createdAt: "desc" } });
    expect((row.expiresAt.getTime() - row.createdAt.getTime()) / 60_000).toBeCloseTo(120, 0);
  });

  it("refuses and deletes a session older than SESSION_MAX_HOURS (12 h) in tRPC, though it is still within its idle window", async () => {
    const { cookie, id } = await freshSession("aged@stevedore.test", "aged-password-12");
    const api = apiClient(stack.url, cookie);
    await age(id, 11.9);
    expect(await api.me.get.query()).toMatchObject({ email: "aged@stevedore.test" });

    await age(id, 12.1);
    // better-auth alone would still accept it: its idle expiry is ahead.
    const row = await stack.cp.services.db.session.findUniqueOrThrow({ where: { id } });
    expect(row.expiresAt.getTime()).toBeGreaterThan(Date.now());

    await expect(api.me.get.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    expect(await sessionExists(id)).toBe(false);
  });

  it("refuses an aged session on downloads and on better-auth's own get-session, expiring the cookie", async () => {
    const young = await freshSession("aged@stevedore.test", "aged-password-12");
    await age(young.id, 11.9);
    expect((await fetch(`${stack.url}/api/audit/export?format=jsonl`, { headers: { cookie: young.cookie } })).status).toBe(200);
    await age(young.id, 13);
    expect((await fetch(`${stack.url}/api/audit/export?format=jsonl`, { headers: { cookie: young.cookie } })).status).toBe(401);
    expect(await sessionExists(young.id)).toBe(false);

    const other = await freshSession("aged@stevedore.test", "aged-password-12");
    await age(other.id, 13);
    const res = await fetch(`${stack.url}/api/auth/get-session`, { headers: { cookie: other.cookie } });
    expect(res.status).toBe(200);
    expect(await res.json()).toBeNull();
    expect(res.headers.getSetCookie().find((c) => c.startsWith("better-auth.session_token="))).toMatch(/Max-Age=0\b/);
    expect(await sessionExists(other.id)).toBe(false);
  });

  it("changes one's own password: wrong current one refused, other sessions end, this one stays", async () => {
    const here = await signIn(stack.url, "changer@stevedore.test", "changer-password-1");
    const elsewhere = await signIn(stack.url, "changer@stevedore.test", "changer-password-1");
    const api = apiClient(stack.url, here);

    await expect(api.me.changePassword.mutate({ currentPassword: "not-my-password", newPassword: "changer-password-2" })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST" },
      message: "the current password is not correct",
    });
    await expect(api.me.changePassword.mutate({ currentPassword: "changer-password-1", newPassword: "short" })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", zodError: { fieldErrors: { newPassword: ["a password needs at least 12 characters"] } } },
    });
    await expect(api.me.changePassword.mutate({ currentPassword: "changer-password-1", newPassword: "x".repeat(129) })).rejects.toMatchObject({
      data: { code: "BAD_REQUEST", zodError: { fieldErrors: { newPassword: ["a password may have at most 128 characters"] } } },
    });
    // Nothing changed so far: the other session still works.
    expect(await apiClient(stack.url, elsewhere).me.get.query()).toMatchObject({ email: "changer@stevedore.test" });

    expect(await api.me.changePassword.mutate({ currentPassword: "changer-password-1", newPassword: "changer-password-2" })).toEqual({ sessionsRevoked: 1 });
    expect(await api.me.get.query()).toMatchObject({ email: "changer@stevedore.test" });
    await expect(apiClient(stack.url, elsewhere).me.get.query()).rejects.toMatchObject({ data: { code: "UNAUTHORIZED" } });
    expect((await signInAttempt(stack.url, "changer@stevedore.test", "changer-password-1")).status).toBe(401);
    expect((await signInAttempt(stack.url, "changer@stevedore.test", "changer-password-2")).status).toBe(200);

    const entries = await auditOf(stack, "user.change-password");
    expect(entries.map((e) => [e.phase, e.actorName, e.targetName, e.params, e.error]).reverse()).toEqual([
      ["failed", "changer@stevedore.test", "changer@stevedore.test", null, "the current password was wrong"],
      ["succeeded", "changer@stevedore.test", "changer@stevedore.test", '{"sessionsRevoked":1}', null],
    ]);
    const trail = JSON.stringify((await stack.cp.services.audit.list({ limit: 500 })).items);
    for (const pw of ["changer-password-1", "changer-password-2", "not-my-password"]) expect(trail).not.toContain(pw);
  });

  it("refuses a password change made with an API token, and audits the refusal", async () => {
    const api = apiClient(stack.url, await signIn(stack.url, "changer@stevedore.test", "changer-password-2"));
    const { token } = await api.tokens.create.mutate({ name: "automation", role: "viewer" });
    await expect(tokenClient(stack.url, token).me.changePassword.mutate({ currentPassword: "changer-password-2", newPassword: "token-chosen-pass" })).rejects.toMatchObject({
      data: { code: "FORBIDDEN" },
    });
    expect((await signInAttempt(stack.url, "changer@stevedore.test", "changer-password-2")).status).toBe(200);
    // Refused by the procedure's builder (browser sessions only), before the handler: audited as such.
    const [refused] = await auditOf(stack, "access.refused");
    expect(refused).toMatchObject({ phase: "refused", actorType: "token", targetName: "me.changePassword", error: "this is done from a signed-in browser session, not with an API token" });
  });
});

describe("sign-in throttle per account", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ SIGNIN_ACCOUNT_LIMIT: "3/900", SIGNIN_RATE_LIMIT: "1000/10" });
    await createUser(stack, "target@stevedore.test", "target-password-1");
    await createUser(stack, "bystander@stevedore.test", "bystander-pass-1");
    await createUser(stack, "forgetful@stevedore.test", "forgetful-pass-1");
  });
  afterAll(() => stack.close());

  it("answers 429 with Retry-After after 3 failures, even to the right password, the same for an account that does not exist", async () => {
    const statuses = async (email: string) => Promise.all([1, 2, 3].map(async () => (await signInAttempt(stack.url, email, "wrong-guess-123")).status));
    expect(await statuses("target@stevedore.test")).toEqual([401, 401, 401]);
    const refused = await signInAttempt(stack.url, "target@stevedore.test", "target-password-1");
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toBe("900");
    const refusedBody = await refused.json();
    expect(await stack.cp.services.db.session.count({ where: { user: { email: "target@stevedore.test" } } })).toBe(0);

    expect(await statuses("nobody@stevedore.test")).toEqual([401, 401, 401]);
    const ghost = await signInAttempt(stack.url, "Nobody@Stevedore.test", "wrong-guess-123");
    expect(ghost.status).toBe(429);
    expect(ghost.headers.get("retry-after")).toBe("900");
    expect(await ghost.json()).toEqual(refusedBody);

    expect((await signInAttempt(stack.url, "bystander@stevedore.test", "bystander-pass-1")).status).toBe(200);
  });

  it("starts over after a success", async () => {
    const attempt = (pw: string) => signInAttempt(stack.url, "forgetful@stevedore.test", pw).then((r) => r.status);
    expect([await attempt("wrong-guess-123"), await attempt("wrong-guess-123"), await attempt("forgetful-pass-1")]).toEqual([401, 401, 200]);
    expect([await attempt("wrong-guess-123"), await attempt("wrong-guess-123"), await attempt("forgetful-pass-1")]).toEqual([401, 401, 200]);
  });

  it("audits the throttling once per window, with the address and user agent", async () => {
    expect((await signInAttempt(stack.url, "target@stevedore.test", "wrong-guess-123")).status).toBe(429);
    const refusals = (await auditOf(stack, "auth.sign-in")).filter((e) => e.phase === "refused");
    expect(refusals.map((e) => [e.actorName, e.sourceIp, e.userAgent, JSON.parse(e.params!)]).sort()).toEqual([
      ["nobody@stevedore.test", "127.0.0.1", UA, { throttle: "account", limit: "3/900s" }],
      ["target@stevedore.test", "127.0.0.1", UA, { throttle: "account", limit: "3/900s" }],
    ]);
  });
});

describe("sign-in audit", () => {
  let stack: TestStack;
  let userId: string;
  beforeAll(async () => {
    stack = await startStack();
    userId = await createUser(stack, "audited@stevedore.test", "audited-password-1");
  });
  afterAll(() => stack.close());

  it("records a success with the address and user agent, a failure with the email tried and never the password, and a sign-out", async () => {
    const ok = await signInAttempt(stack.url, "audited@stevedore.test", "audited-password-1");
    expect(ok.status).toBe(200);
    const cookie = ok.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
    expect((await signInAttempt(stack.url, "audited@stevedore.test", "a-wrong-password-x")).status).toBe(401);
    expect((await signInAttempt(stack.url, "ghost@stevedore.test", "a-ghostly-password")).status).toBe(401);
    const out = await fetch(`${stack.url}/api/auth/sign-out`, { method: "POST", headers: { "content-type": "application/json", origin: stack.url, cookie, "user-agent": UA }, body: "{}" });
    expect(out.status).toBe(200);

    const signIns = (await auditOf(stack, "auth.sign-in")).filter((e) => e.userAgent === UA).reverse();
    expect(signIns.map((e) => [e.phase, e.actorType, e.actorId, e.actorName, e.targetId, e.targetName, e.sourceIp, e.userAgent])).toEqual([
      ["succeeded", "user", userId, "audited@stevedore.test", userId, "audited@stevedore.test", "127.0.0.1", UA],
      ["failed", "user", null, "audited@stevedore.test", userId, "audited@stevedore.test", "127.0.0.1", UA],
      ["failed", "user", null, "ghost@stevedore.test", null, "ghost@stevedore.test", "127.0.0.1", UA],
    ]);
    expect(signIns[1]!.error).toMatch(/invalid email or password/i);
    const [signOut] = await auditOf(stack, "auth.sign-out");
    expect(signOut).toMatchObject({ phase: "succeeded", actorId: userId, actorName: "audited@stevedore.test", sourceIp: "127.0.0.1", userAgent: UA });

    const trail = JSON.stringify((await stack.cp.services.audit.list({ limit: 500 })).items);
    for (const pw of ["audited-password-1", "a-wrong-password-x", "a-ghostly-password"]) expect(trail).not.toContain(pw);
    expect(await stack.cp.services.audit.verify()).toMatchObject({ ok: true });
  });
});

describe("HTTP hardening", () => {
  let stack: TestStack;
  let cookie: string;
  beforeAll(async () => {
    stack = await startStack();
    cookie = await signIn(stack.url);
  });
  afterAll(() => stack.close());

  function expectHardened(res: Response) {
    const csp = res.headers.get("content-security-policy") ?? "";
    const host = new URL(stack.url).host;
    for (const directive of ["default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'", `connect-src 'self' ws://${host}`]) {
      expect(csp.split("; "), `${res.url}: ${directive}`).toContain(directive);
    }
    // No eval of JavaScript in production; WebAssembly (the recording player) only.
    expect(csp).toMatch(/(^|; )script-src 'self' 'nonce-[A-Za-z0-9+/=]{24}' 'wasm-unsafe-eval'(;|$)/);
    expect(csp.split("; ").find((d) => d.startsWith("script-src"))!.split(" ")).not.toContain("'unsafe-eval'");
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("referrer-policy")).toBe("same-origin");
    expect(res.headers.get("strict-transport-security")).toBeNull();
  }

  it("sets CSP, X-Frame-Options, nosniff and Referrer-Policy on API, auth, download and error responses, with a fresh nonce each", async () => {
    const responses = await Promise.all([
      fetch(`${stack.url}/api/health`),
      fetch(`${stack.url}/api/trpc/me.get`, { headers: { cookie } }),
      fetch(`${stack.url}/api/auth/get-session`, { headers: { cookie } }),
      fetch(`${stack.url}/api/audit/export?format=jsonl`, { headers: { cookie } }),
      fetch(`${stack.url}/api/nothing-here`),
      fetch(`${stack.url}/api/auth/admin/list-users`),
    ]);
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200, 404, 404]);
    for (const res of responses) expectHardened(res);
    const nonces = responses.map((r) => /'nonce-([^']+)'/.exec(r.headers.get("content-security-policy")!)![1]);
    expect(new Set(nonces).size).toBe(nonces.length);
  });

  it("adds HSTS and a wss: connect-src when the public URL is https", async () => {
    const https = await startStack({ PUBLIC_URL: "https://stevedore.example.com" });
    try {
      const res = await fetch(`${https.url}/api/health`);
      expect(res.headers.get("strict-transport-security")).toBe("max-age=31536000; includeSubDomains");
      expect(res.headers.get("content-security-policy")).toContain("connect-src 'self' wss://stevedore.example.com");
    } finally {
      await https.close();
    }
  });

  const mutation = (headers: Record<string, string>, body: string | ReadableStream<Uint8Array> = JSON.stringify({ json: { detachKeys: "ctrl-p,ctrl-q" } })) =>
    fetch(`${stack.url}/api/trpc/me.setPreferences`, { method: "POST", headers: { cookie, origin: stack.url, ...headers }, body, ...(typeof body === "string" ? {} : { duplex: "half" }) } as RequestInit);

  it("refuses a tRPC mutation that is not application/json with 415, with or without an Origin", async () => {
    const plain = await mutation({ "content-type": "text/plain" });
    expect(plain.status).toBe(415);
    expect(await plain.json()).toEqual({ error: "a tRPC call must be sent as application/json, not text/plain" });
    const form = await fetch(`${stack.url}/api/trpc/me.setPreferences`, { method: "POST", headers: { cookie, "content-type": "application/x-www-form-urlencoded" }, body: "json=1" });
    expect(form.status).toBe(415);
    expect((await mutation({ "content-type": "application/json; charset=utf-8" })).status).toBe(200);
  });

  it("refuses a body over 1 MiB with 413, whether announced or streamed", async () => {
    const big = JSON.stringify({ json: { detachKeys: "x".repeat(1024 * 1024 + 10) } });
    const announced = await mutation({ "content-type": "application/json" }, big);
    expect(announced.status).toBe(413);
    expect(((await announced.json()) as { error: string }).error).toMatch(/at most 1048576 \(1 MiB\)/);
    const bytes = new TextEncoder().encode(big);
    const streamed = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 64 * 1024) controller.enqueue(bytes.subarray(i, i + 64 * 1024));
        controller.close();
      },
    });
    const chunked = await mutation({ "content-type": "application/json" }, streamed);
    expect(chunked.status).toBe(413);
    expect(JSON.stringify(await chunked.json())).toContain("PAYLOAD_TOO_LARGE");
  });

  it("refuses a batch of more than 64 calls with a clear 400, and serves one of 64", async () => {
    const batch = (n: number) => {
      const input = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: n }, (_, i) => [i, { json: null }]))));
      return fetch(`${stack.url}/api/trpc/${Array(n).fill("me.get").join(",")}?batch=1&input=${input}`, { headers: { cookie } });
    };
    const tooMany = await batch(65);
    expect(tooMany.status).toBe(400);
    expect(await tooMany.json()).toEqual({ error: "a batch may hold at most 64 calls; this one has 65" });
    const ok = await batch(64);
    expect(ok.status).toBe(200);
    expect(((await ok.json()) as unknown[]).length).toBe(64);
  });
});
