// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, type TestStack, startStack } from "./support/stack";

describe("sign-in rate limit", () => {
  let stack: TestStack;
  beforeAll(async () => {
    stack = await startStack({ SIGNIN_RATE_LIMIT: "3/10" });
  });
  afterAll(() => stack.close());

  const attempt = (headers: Record<string, string> = {}) =>
    fetch(`${stack.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: stack.url, ...headers },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: "a-wrong-guess" }),
    }).then((r) => r.status);

  it("refuses a fourth attempt within 10 s from one address, and a forged X-Forwarded-For does not get around it", async () => {
    expect([await attempt(), await attempt(), await attempt()]).toEqual([401, 401, 401]);
    expect(await attempt()).toBe(429);
    expect(await attempt({ "x-forwarded-for": "203.0.113.9" })).toBe(429);
    expect(await attempt({ "x-stevedore-client-ip": "203.0.113.10" })).toBe(429);
  });

  it("says when to retry, and audits the throttling once per window with the address", async () => {
    const res = await fetch(`${stack.url}/api/auth/sign-in/email`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: stack.url },
      body: JSON.stringify({ email: ADMIN_EMAIL, password: ADMIN_PASSWORD }),
    });
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("10");
    const { items } = await stack.cp.services.audit.list({ action: "auth.sign-in", phase: "refused" });
    expect(items.map((e) => [e.actorName, e.sourceIp, JSON.parse(e.params!)])).toEqual([[ADMIN_EMAIL, "127.0.0.1", { throttle: "address", limit: "3/10s" }]]);
  });
});
