// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RedisBus } from "../server/cluster/bus";
import { loadConfig } from "../server/config";
import { waitFor } from "./support/engine";
import { startRedis, type TestRedis } from "./support/redis";

const USER = { name: "stevedore", password: "acl-user-pass-0123456789" };
const BUS_KEY = "tls-test-bus-key-".repeat(3);
const log = pino({ level: "silent" });

/**
 * Production runs Redis over TLS (rediss://) with an ACL user of its own: a real redis-server with a
 * certificate from a CA made for the test, the default user switched off.
 */
describe("the bus over rediss:// with an ACL user", () => {
  let redis: TestRedis;
  const buses: RedisBus[] = [];
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stv-redis-tls-"));

  beforeAll(async () => {
    redis = await startRedis({ tls: true, user: USER });
  });

  afterAll(async () => {
    await Promise.all(buses.map((b) => b.close()));
    await redis?.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  /** Trusting the test's CA unless `trustCa` is false (then only the system's CAs). */
  const bus = (replicaId: string, url = redis.url, trustCa = true) => {
    const b = new RedisBus(url, replicaId, log, { busKey: BUS_KEY, tlsCa: trustCa ? fs.readFileSync(redis.caFile!, "utf8") : undefined });
    buses.push(b);
    return b;
  };

  it("takes the CA from REDIS_TLS_CA_FILE and the user from the URL; messages and keys cross", async () => {
    const config = loadConfig({ STEVEDORE_DATA_DIR: dataDir, REDIS_URL: redis.url, REDIS_TLS_CA_FILE: redis.caFile!, DATABASE_URL: "postgres://db/stevedore", BUS_KEY, SECRETS_KEY: BUS_KEY, AUDIT_KEY: BUS_KEY });
    const [a, b] = [new RedisBus(config.redisUrl!, "replica-a", log, { busKey: config.busKey, tlsCa: config.redisTlsCa }), bus("replica-b")];
    buses.push(a);
    await Promise.all([a.connect(), b.connect()]);
    expect(await a.ping()).toBe(true);

    const received: unknown[] = [];
    await b.subscribe("presence", (m) => received.push(m));
    a.publish("presence", { t: "alive", id: "replica-a" });
    await waitFor(() => received.length > 0, { what: "the message over TLS" });
    expect(received).toEqual([{ t: "alive", id: "replica-a" }]);

    await a.setKey("stream:s1", "replica-a", 10_000);
    expect(await b.getKey("stream:s1")).toBe("replica-a");
  });

  it("refuses a server whose certificate the CA did not sign, and a wrong ACL password, naming why", async () => {
    await expect(bus("no-ca", redis.url, false).connect()).rejects.toThrow(/cannot use Redis at 127\.0\.0\.1:\d+: self-signed certificate in certificate chain/);
    const wrong = redis.url.replace(encodeURIComponent(USER.password), "not-the-password");
    const refused = await bus("wrong-pass", wrong).connect().then(() => null, (err: Error) => err.message);
    expect(refused).toMatch(/cannot use Redis at 127\.0\.0\.1:\d+: WRONGPASS/);
    // The reason never repeats the URL's password.
    expect(refused).not.toContain("not-the-password");
  });

  it("names a bad REDIS_TLS_CA_FILE and one given for a plain redis:// URL", () => {
    const base = { STEVEDORE_DATA_DIR: dataDir, DATABASE_URL: "postgres://db/stevedore", BUS_KEY, SECRETS_KEY: BUS_KEY, AUDIT_KEY: BUS_KEY };
    expect(() => loadConfig({ ...base, REDIS_URL: redis.url, REDIS_TLS_CA_FILE: path.join(dataDir, "absent.pem") })).toThrow(/REDIS_TLS_CA_FILE: cannot read .*absent\.pem \(ENOENT\)/);
    fs.writeFileSync(path.join(dataDir, "not.pem"), "hello");
    expect(() => loadConfig({ ...base, REDIS_URL: redis.url, REDIS_TLS_CA_FILE: path.join(dataDir, "not.pem") })).toThrow(/holds no PEM certificate/);
    expect(() => loadConfig({ ...base, REDIS_URL: "redis://127.0.0.1:6379", REDIS_TLS_CA_FILE: redis.caFile! })).toThrow(/REDIS_TLS_CA_FILE: only applies to a rediss:\/\/ REDIS_URL/);
  });
});
