import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../server/config";

describe("server configuration", () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stv-config-"));

  it("reports each bad value by name with what it should be", () => {
    let message = "";
    try {
      loadConfig({ STEVEDORE_DATA_DIR: dataDir, PORT: "eighty", ADMIN_PASSWORD: "short", PUBLIC_URL: "stevedore.local", AUTH_SECRET: "x", TRUST_PROXY: "maybe", SIGNIN_RATE_LIMIT: "lots" });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toMatch(/PORT: must be a port number/);
    expect(message).toMatch(/ADMIN_PASSWORD: must be at least 12 characters/);
    expect(message).toMatch(/PUBLIC_URL: must be the http/);
    expect(message).toMatch(/AUTH_SECRET: must be at least 32/);
    expect(message).toMatch(/TRUST_PROXY: must be "true"/);
    expect(message).toMatch(/SIGNIN_RATE_LIMIT: must look like "3\/10"/);
  });

  it("works with no configuration at all, keeping a generated secret (0600) across restarts", () => {
    const a = loadConfig({ STEVEDORE_DATA_DIR: dataDir });
    const b = loadConfig({ STEVEDORE_DATA_DIR: dataDir });
    expect(a.publicUrl).toBe("http://127.0.0.1:3000");
    expect(a.databaseUrl).toBe(`file:${path.join(dataDir, "stevedore.db")}`);
    expect(a.authSecret.length).toBeGreaterThanOrEqual(32);
    expect(b.authSecret).toBe(a.authSecret);
    expect(fs.statSync(path.join(dataDir, "auth-secret")).mode & 0o777).toBe(0o600);
  });
});
