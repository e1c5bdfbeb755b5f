// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../server/config";
import { createDb, dbProvider } from "../server/db";

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

  it("validates the session lifetimes and the per-account sign-in limit, with defaults of 12 h, 12 h and 10 per 15 min", () => {
    const bad = { STEVEDORE_DATA_DIR: dataDir, SESSION_MAX_HOURS: "forever", SESSION_IDLE_HOURS: "0", SIGNIN_ACCOUNT_LIMIT: "ten" };
    expect(() => loadConfig(bad)).toThrow(ConfigError);
    expect(() => loadConfig(bad)).toThrow(/SESSION_MAX_HOURS: must be a number of hours/);
    expect(() => loadConfig(bad)).toThrow(/SESSION_IDLE_HOURS: must be more than 0 hours/);
    expect(() => loadConfig(bad)).toThrow(/SIGNIN_ACCOUNT_LIMIT: must look like "10\/900"/);
    expect(() => loadConfig({ STEVEDORE_DATA_DIR: dataDir, SESSION_MAX_HOURS: "1000" })).toThrow(/SESSION_MAX_HOURS: must be at most 720 hours/);
    const defaults = loadConfig({ STEVEDORE_DATA_DIR: dataDir });
    expect([defaults.sessionMaxMs, defaults.sessionIdleMs, defaults.signInAccountLimit]).toEqual([12 * 3_600_000, 12 * 3_600_000, { max: 10, windowSeconds: 900 }]);
    const set = loadConfig({ STEVEDORE_DATA_DIR: dataDir, SESSION_MAX_HOURS: "8", SESSION_IDLE_HOURS: "0.5", SIGNIN_ACCOUNT_LIMIT: "5/600" });
    expect([set.sessionMaxMs, set.sessionIdleMs, set.signInAccountLimit]).toEqual([8 * 3_600_000, 1_800_000, { max: 5, windowSeconds: 600 }]);
  });

  it("reads one OIDC provider from OIDC_*, naming what is missing or wrong", () => {
    expect(() => loadConfig({ STEVEDORE_DATA_DIR: dataDir, OIDC_ISSUER: "https://idp.example.com" })).toThrow(/OIDC_CLIENT_ID: OIDC_ISSUER is set/);
    expect(() => loadConfig({ STEVEDORE_DATA_DIR: dataDir, OIDC_CLIENT_ID: "stevedore" })).toThrow(/OIDC_ISSUER: OIDC_CLIENT_ID\/OIDC_CLIENT_SECRET are set/);
    expect(() => loadConfig({ STEVEDORE_DATA_DIR: dataDir, OIDC_ISSUER: "idp.example.com", OIDC_CLIENT_ID: "x" })).toThrow(/OIDC_ISSUER: the issuer is the provider's http\(s\):\/\/ URL/);
    expect(() => loadConfig({ STEVEDORE_DATA_DIR: dataDir, OIDC_ISSUER: "https://idp.example.com", OIDC_CLIENT_ID: "x", OIDC_PROVIDER_ID: "Not OK" })).toThrow(/OIDC_PROVIDER_ID: a provider id is 1–32/);
    expect(loadConfig({ STEVEDORE_DATA_DIR: dataDir }).oidc).toBeUndefined();
    const set = loadConfig({ STEVEDORE_DATA_DIR: dataDir, OIDC_ISSUER: "https://idp.example.com/realms/ops/", OIDC_CLIENT_ID: "stevedore", OIDC_CLIENT_SECRET: "s3cret", OIDC_SCOPES: "openid email, profile groups", OIDC_NAME: "Keycloak" });
    expect(set.oidc).toEqual({ id: "oidc", name: "Keycloak", issuer: "https://idp.example.com/realms/ops", clientId: "stevedore", clientSecret: "s3cret", scopes: ["openid", "email", "profile", "groups"], groupsClaim: "groups" });
  });

  it("signs the bus with BUS_KEY, else a key derived from AUTH_SECRET; replicas must share both keys", () => {
    const replica = { STEVEDORE_DATA_DIR: dataDir, REDIS_URL: "redis://127.0.0.1:6379", DATABASE_URL: "postgres://db/stevedore", SECRETS_KEY: "s".repeat(32), AUDIT_KEY: "k".repeat(32) };
    expect(() => loadConfig({ ...replica, BUS_KEY: "short" })).toThrow(/BUS_KEY: must be at least 32 characters/);
    expect(() => loadConfig(replica)).toThrow(/BUS_KEY: replicas .* set BUS_KEY \(or AUTH_SECRET\)/);
    expect(() => loadConfig({ ...replica, SECRETS_KEY: undefined, BUS_KEY: "b".repeat(32) })).toThrow(/SECRETS_KEY: replicas .* same value on every replica/);
    expect(loadConfig({ ...replica, BUS_KEY: "b".repeat(32) }).busKey).toBe("b".repeat(32));
    const derived = loadConfig({ ...replica, AUTH_SECRET: "a".repeat(32) }).busKey;
    expect(derived).toBe(loadConfig({ ...replica, AUTH_SECRET: "a".repeat(32) }).busKey);
    expect(derived).not.toBe("a".repeat(32));
    expect(derived).not.toBe(loadConfig({ ...replica, AUTH_SECRET: "c".repeat(32) }).busKey);
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

  it("takes SQLite (file:) or PostgreSQL (postgres://, postgresql://) by DATABASE_URL, and names anything else", async () => {
    for (const [url, provider] of [
      [`file:${path.join(dataDir, "other.db")}`, "sqlite"],
      ["postgres://stevedore@db.internal:5432/stevedore", "postgresql"],
      ["postgresql://stevedore@db.internal/stevedore?sslmode=require", "postgresql"],
    ] as const) {
      const config = loadConfig({ STEVEDORE_DATA_DIR: dataDir, DATABASE_URL: url });
      expect(config.databaseUrl).toBe(url);
      // The client connects on its first query: none here.
      const db = createDb(config.databaseUrl);
      expect(dbProvider(db)).toBe(provider);
      await db.$disconnect();
    }
    for (const url of ["mysql://root@localhost/stevedore", "./stevedore.db", "sqlite:stevedore.db"]) {
      expect(() => loadConfig({ STEVEDORE_DATA_DIR: dataDir, DATABASE_URL: url }), url).toThrow(/DATABASE_URL: must be file:… \(SQLite\) or postgres:\/\/… \(PostgreSQL\)/);
    }
    // Replicas share one database: not a SQLite file.
    expect(() => loadConfig({ STEVEDORE_DATA_DIR: dataDir, REDIS_URL: "redis://127.0.0.1:6379" })).toThrow(/DATABASE_URL: replicas .* use PostgreSQL/);
  });

  it("turns the Prometheus listener on with METRICS_ADDRESS (host:port), off when unset or empty, and names a bad value", () => {
    expect(loadConfig({ STEVEDORE_DATA_DIR: dataDir }).metricsAddress).toBeUndefined();
    expect(loadConfig({ STEVEDORE_DATA_DIR: dataDir, METRICS_ADDRESS: "" }).metricsAddress).toBeUndefined();
    expect(loadConfig({ STEVEDORE_DATA_DIR: dataDir, METRICS_ADDRESS: "0.0.0.0:9464" }).metricsAddress).toEqual({ host: "0.0.0.0", port: 9464 });
    expect(loadConfig({ STEVEDORE_DATA_DIR: dataDir, METRICS_ADDRESS: "[::1]:9464" }).metricsAddress).toEqual({ host: "::1", port: 9464 });
    for (const bad of ["9464", "http://127.0.0.1:9464", "127.0.0.1:99999", "127.0.0.1:"]) {
      expect(() => loadConfig({ STEVEDORE_DATA_DIR: dataDir, METRICS_ADDRESS: bad }), bad).toThrow(/METRICS_ADDRESS: must be host:port for the Prometheus listener/);
    }
  });

  it("keys the audit trail with AUDIT_KEY or a generated one (0600), and validates the witness settings", () => {
    const generated = loadConfig({ STEVEDORE_DATA_DIR: dataDir });
    expect(generated.auditKey).not.toBe(generated.authSecret);
    expect(loadConfig({ STEVEDORE_DATA_DIR: dataDir }).auditKey).toBe(generated.auditKey);
    expect(fs.statSync(path.join(dataDir, "audit-key")).mode & 0o777).toBe(0o600);
    expect([generated.auditWitnessUrl, generated.auditCheckpointIntervalMs]).toEqual([undefined, 60_000]);
    expect(loadConfig({ STEVEDORE_DATA_DIR: dataDir, AUDIT_WITNESS_URL: "" }).auditWitnessUrl).toBeUndefined();
    const set = loadConfig({ STEVEDORE_DATA_DIR: dataDir, AUDIT_KEY: "k".repeat(32), AUDIT_WITNESS_URL: "https://witness.example.com/stevedore", AUDIT_CHECKPOINT_INTERVAL_S: "300" });
    expect([set.auditKey, set.auditWitnessUrl, set.auditCheckpointIntervalMs]).toEqual(["k".repeat(32), "https://witness.example.com/stevedore", 300_000]);
    const bad = { STEVEDORE_DATA_DIR: dataDir, AUDIT_KEY: "short", AUDIT_WITNESS_URL: "ftp://witness", AUDIT_CHECKPOINT_INTERVAL_S: "0" };
    expect(() => loadConfig(bad)).toThrow(/AUDIT_KEY: must be at least 32 characters/);
    expect(() => loadConfig(bad)).toThrow(/AUDIT_WITNESS_URL: must be the http\(s\):\/\/ URL/);
    expect(() => loadConfig(bad)).toThrow(/AUDIT_CHECKPOINT_INTERVAL_S: must be at least 1 second/);
    // Replicas must share the key: one generated per replica would split the chain.
    const replica = { STEVEDORE_DATA_DIR: dataDir, DATABASE_URL: "postgres://db/stevedore", REDIS_URL: "redis://127.0.0.1:6379", BUS_KEY: "b".repeat(32), SECRETS_KEY: "s".repeat(32) };
    expect(() => loadConfig(replica)).toThrow(/AUDIT_KEY: replicas \(REDIS_URL is set\) key one audit chain/);
    expect(loadConfig({ ...replica, AUDIT_KEY: "k".repeat(32) }).auditKey).toBe("k".repeat(32));
  });
});
