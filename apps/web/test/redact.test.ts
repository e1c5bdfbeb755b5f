// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
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

describe("audit parameter redaction by value", () => {
  it("hides flag values, URL passwords and token-looking values under any key; keeps ids, digests and words", () => {
    const digest = `sha256:${"ab12".repeat(16)}`;
    const containerId = "0f".repeat(32);
    expect(
      redact({
        cmd: ["mysqld", "--password", "hunter2", "--user", "app", "--api-key=abc123", "--verbose"],
        source: "postgres://app:s3cr3t@db.internal:5432/app",
        registry: "https://registry.example.com:5000/v2/",
        note: "ghp_0123456789abcdefABCDEF0123",
        blob: "q8Xv2LmZ9rT4wK7pN1sB6yH3dF0jG5cA",
        digest,
        containerId,
        image: `busybox@${digest}`,
        message: "started by ops",
      }),
    ).toEqual({
      cmd: ["mysqld", "--password", "[redacted]", "--user", "app", "--api-key=[redacted]", "--verbose"],
      source: "postgres://app:[redacted]@db.internal:5432/app",
      registry: "https://registry.example.com:5000/v2/",
      note: "[redacted]",
      blob: "[redacted]",
      digest,
      containerId,
      image: `busybox@${digest}`,
      message: "started by ops",
    });
  });
});
