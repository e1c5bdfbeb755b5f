import { describe, expect, it } from "vitest";
import { redact } from "../server/audit/redact";

describe("audit parameter redaction", () => {
  it("hides values of secret-named keys and KEY=value entries, keeps the rest", () => {
    const at = new Date("2026-01-02T03:04:05Z");
    expect(
      redact({
        env: ["MODE=prod", "DB_PASSWORD=hunter2", "API_KEY=abc", "GITHUB_TOKEN=x", "PATH=/bin"],
        password: "p",
        nested: { clientSecret: 42, name: "web" },
        labels: { "auth.realm": "x", team: "ops" },
        expiresAt: at,
      }),
    ).toEqual({
      env: ["MODE=prod", "DB_PASSWORD=[redacted]", "API_KEY=[redacted]", "GITHUB_TOKEN=[redacted]", "PATH=/bin"],
      password: "[redacted]",
      nested: { clientSecret: "[redacted]", name: "web" },
      labels: { "auth.realm": "[redacted]", team: "ops" },
      expiresAt: "2026-01-02T03:04:05.000Z",
    });
  });
});
