import { describe, expect, it } from "vitest";
import { RuleScope, containerInScope, hostInScope } from "../../server/alerts/alert-kinds";
import { webhookSignature } from "../../server/alerts/channel-senders";
import { backoffMs } from "../../server/alerts/delivery-queue";

const c = { name: "web-1", image: "registry.local/team/web:1.2", labels: { env: "prod", tier: "front" } };

describe("alert rule scope", () => {
  it("matches everything when empty, and each pattern when given", () => {
    const scope = (s: Partial<RuleScope>) => RuleScope.parse(s);
    expect(containerInScope(scope({}), c)).toBe(true);
    expect(containerInScope(scope({ name: "web-*" }), c)).toBe(true);
    expect(containerInScope(scope({ name: "db-*" }), c)).toBe(false);
    expect(containerInScope(scope({ image: "registry.local/**" }), c)).toBe(true);
    expect(containerInScope(scope({ label: "env=prod" }), c)).toBe(true);
    expect(containerInScope(scope({ label: "env=stag*" }), c)).toBe(false);
    expect(containerInScope(scope({ label: "tier" }), c)).toBe(true);
    expect(containerInScope(scope({ label: "owner" }), c)).toBe(false);
    expect(hostInScope(scope({ groups: ["prod"] }), { id: "h1", groups: ["prod", "eu"] })).toBe(true);
    expect(hostInScope(scope({ groups: ["staging"] }), { id: "h1", groups: ["prod"] })).toBe(false);
    expect(hostInScope(scope({ hostIds: ["h2"] }), { id: "h1", groups: [] })).toBe(false);
  });
});

describe("delivery backoff and signature", () => {
  it("doubles from the base, capped at 10 minutes, within ±20 %", () => {
    expect(backoffMs(1, 1000, 0.5)).toBe(1000);
    expect(backoffMs(3, 1000, 0.5)).toBe(4000);
    expect(backoffMs(30, 1000, 0.5)).toBe(600_000);
    expect(backoffMs(2, 1000, 0)).toBe(1600);
    expect(backoffMs(2, 1000, 1)).toBe(2400);
  });

  it("signs timestamp.body with HMAC-SHA256 (a known vector)", () => {
    // printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac key
    expect(webhookSignature("key", "1700000000", '{"a":1}')).toBe("sha256=a438e398bfafc57e4396bb7fc2304422f0f768e965d073ca313cb52e22e6ad03");
  });
});
