import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DeliveryQueue } from "../server/alerts/delivery-queue";
import { newId } from "../server/agents/secrets";
import { TEST_IMAGE, docker, ensureTestImage, removeTestContainers, waitFor } from "./support/engine";
import { AgentProcess, type TestStack, apiClient, signIn, startStack } from "./support/stack";

const HMAC_KEY = "alerts-test-hmac-key";

interface Received {
  event: string;
  deliveryId: string;
  alert: { id: string; rule: string; count: number; container: string | null; summary: string } | null;
  signatureOk: boolean;
}

/** A real webhook receiver: checks each request's HMAC, answers 500 while `failNext` lasts. */
class Receiver {
  readonly received: Received[] = [];
  failNext = 0;
  refused = 0;
  private readonly server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString()));
    req.on("end", () => {
      const ts = String(req.headers["x-stevedore-timestamp"] ?? "");
      const expected = `sha256=${crypto.createHmac("sha256", HMAC_KEY).update(`${ts}.${body}`).digest("hex")}`;
      const given = String(req.headers["x-stevedore-signature"] ?? "");
      const signatureOk = given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
      if (this.failNext > 0) {
        this.failNext--;
        this.refused++;
        res.writeHead(500).end("receiver is down");
        return;
      }
      this.received.push({ ...(JSON.parse(body) as Omit<Received, "signatureOk">), signatureOk });
      res.writeHead(204).end();
    });
  });
  url = "";
  async start(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, "127.0.0.1", r));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }
  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe("alerts: rules on the live fleet, delivered from the database", () => {
  let stack: TestStack;
  let agent: AgentProcess;
  let api: ReturnType<typeof apiClient>;
  let hostId: string;
  let channelId: string;
  const receiver = new Receiver();

  beforeAll(async () => {
    await ensureTestImage();
    await receiver.start();
    stack = await startStack({ ALERT_RETRY_BASE_MS: "200" });
    api = apiClient(stack.url, await signIn(stack.url));
    agent = AgentProcess.start({ url: stack.url, token: await stack.joinToken(), credentials: path.join(stack.dataDir, "agent.json"), hostname: "alerting" });
    hostId = await waitFor(async () => (await api.hosts.list.query()).find((h) => h.name === "alerting" && h.status === "online")?.id, { timeoutMs: 20_000, what: "the host online" });
    channelId = (await api.alerts.addChannel.mutate({ name: "hook", kind: "webhook", secrets: { url: receiver.url, hmacKey: HMAC_KEY } })).id;
  }, 60_000);

  let restarted: Awaited<ReturnType<typeof import("../server/http-server").startControlPlane>> | null = null;

  afterAll(async () => {
    await agent?.stop();
    if (restarted) await restarted.close();
    // The first control plane is already closed when the restart case ran; this removes the data.
    await stack?.close().catch(() => undefined);
    await receiver.close();
    await removeTestContainers();
  });

  it("never returns a channel's secrets, only which are set", async () => {
    const [channel] = await api.alerts.channels.query();
    expect(channel).toMatchObject({ id: channelId, kind: "webhook", destination: new URL(receiver.url).host, secretsSet: { url: true, hmacKey: true, smtpPassword: false } });
    expect(JSON.stringify(channel)).not.toContain(HMAC_KEY);
    expect(JSON.stringify(channel)).not.toContain("/hook");
    const row = await stack.cp.services.db.alertChannel.findUniqueOrThrow({ where: { id: channelId } });
    expect(row.secretsEnc).not.toContain(HMAC_KEY);
  });

  it("a container exiting 1 raises one alert, counted on repeats, retried past a 500, resolved when removed", async () => {
    await api.alerts.addRule.mutate({ name: "crashes", kind: "container.exit", severity: "critical", scope: { name: "stv-test-crash*" }, channelIds: [channelId] });
    receiver.failNext = 1;
    const name = `stv-test-crash-${Date.now()}`;
    // docker run reports the container's exit code 1 as its own failure.
    await docker(["run", "--name", name, "--label", "stevedore.test=1", TEST_IMAGE, "sh", "-c", "exit 1"]).catch(() => "exited 1");
    const firing = await waitFor(() => receiver.received.find((r) => r.event === "firing" && r.alert?.container === name), { timeoutMs: 10_000, what: "the firing notification" });
    expect(receiver.refused).toBe(1);
    expect(firing).toMatchObject({ signatureOk: true, alert: { rule: "crashes", summary: `${name} on alerting exited with code 1` } });
    const [delivery] = await api.alerts.deliveries.query({ alertId: firing.alert!.id });
    expect(delivery).toMatchObject({ status: "delivered", attempts: 2, lastStatus: 204 });
    expect(delivery!.log.map((a) => a.status)).toEqual([500, 204]);

    // The same crash again: the same alert, counted, not a second notification.
    await docker(["start", "-a", name]).catch(() => "exit 1");
    await waitFor(async () => (await api.alerts.list.query({ state: "open" })).find((a) => a.id === firing.alert!.id && a.count === 2), { what: "the alert counted twice" });
    expect(receiver.received.filter((r) => r.alert?.id === firing.alert!.id)).toHaveLength(1);
    expect(await api.alerts.firingCount.query()).toBe(1);

    await api.alerts.acknowledge.mutate({ alertId: firing.alert!.id });
    expect(await api.alerts.firingCount.query()).toBe(0);
    const [ack] = (await api.audit.list.query({ action: "alert.acknowledge", limit: 1 })).items;
    expect(ack).toMatchObject({ phase: "succeeded", hostId, targetId: firing.alert!.id });

    await docker(["rm", name]);
    const resolved = await waitFor(() => receiver.received.find((r) => r.event === "resolved" && r.alert?.id === firing.alert!.id), { timeoutMs: 10_000, what: "the resolve notification" });
    expect(resolved.signatureOk).toBe(true);
    expect((await api.alerts.list.query({ state: "resolved" })).map((a) => a.id)).toContain(firing.alert!.id);
  });

  it("sends a test email through a real SMTP server, with authentication", async () => {
    const mails: { from: string; to: string[]; body: string; user: string }[] = [];
    const smtp = new SMTPServer({
      authMethods: ["PLAIN", "LOGIN"],
      allowInsecureAuth: true,
      disabledCommands: ["STARTTLS"],
      onAuth: (auth, _session, cb) => (auth.username === "alerts" && auth.password === "smtp-secret" ? cb(null, { user: auth.username }) : cb(new Error("bad credentials"))),
      onData: (stream, session, cb) => {
        let body = "";
        stream.on("data", (d: Buffer) => (body += d.toString()));
        stream.on("end", () => {
          mails.push({ from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "", to: session.envelope.rcptTo.map((r) => r.address), body, user: String(session.user) });
          cb();
        });
      },
    });
    await new Promise<void>((r) => smtp.listen(0, "127.0.0.1", r));
    const port = (smtp.server.address() as AddressInfo).port;
    try {
      const channel = { name: "mail", kind: "email" as const, settings: { smtpHost: "127.0.0.1", smtpPort: port, smtpSecurity: "none" as const, smtpUser: "alerts", from: "stevedore@example.test", to: "oncall@example.test" }, secrets: { smtpPassword: "smtp-secret" } };
      expect(await api.alerts.testChannel.mutate({ channel })).toEqual({ ok: true, status: null });
      expect(mails).toHaveLength(1);
      expect(mails[0]).toMatchObject({ from: "stevedore@example.test", to: ["oncall@example.test"], user: "alerts" });
      expect(mails[0]!.body).toContain("Subject: Stevedore test notification");
      const wrong = await api.alerts.testChannel.mutate({ channel: { ...channel, secrets: { smtpPassword: "wrong" } } });
      expect(wrong).toMatchObject({ ok: false });
      const [audited] = (await api.audit.list.query({ action: "alert.channel-test", limit: 1 })).items;
      // The refused send is audited as failed, in the server's words, not as a success.
      expect(audited).toMatchObject({ phase: "failed", error: (wrong as { error: string }).error });
      expect((await api.audit.list.query({ action: "alert.channel-test", phase: "succeeded" })).items).toHaveLength(1);
      expect(JSON.stringify(audited)).not.toContain("smtp-secret");
      expect(JSON.stringify(audited)).not.toContain("\"wrong\"");
    } finally {
      await new Promise<void>((r) => smtp.close(() => r()));
    }
  });

  it("two replicas' queues on one database deliver each notification once", async () => {
    const { db, alerts } = stack.cp.services;
    const before = receiver.received.length;
    const ids = Array.from({ length: 12 }, () => newId("dlv"));
    const log = stack.cp.services.log;
    const queues = ["replica-x", "replica-y"].map((replicaId) => new DeliveryQueue({ db, channels: alerts.channels, replicaId, publicUrl: stack.url, retryBaseMs: 200, maxAttempts: 3, log }));
    await db.alertDelivery.createMany({ data: ids.map((id) => ({ id, channelId, event: "test", nextAt: new Date() })) });
    for (const q of queues) q.start();
    try {
      await waitFor(async () => (await db.alertDelivery.count({ where: { id: { in: ids }, status: "delivered" } })) === ids.length, { what: "every delivery delivered" });
    } finally {
      await Promise.all(queues.map((q) => q.stop()));
    }
    const got = receiver.received.slice(before).map((r) => r.deliveryId).filter((id) => ids.includes(id));
    expect(got.sort()).toEqual([...ids].sort());
    expect(new Set(got).size).toBe(ids.length);
  });

  it("a delivery pending when the control plane stops is delivered after it starts again", async () => {
    const { db } = stack.cp.services;
    const id = newId("dlv");
    // Due only once this control plane is gone.
    await stack.cp.services.alerts.stop();
    await db.alertDelivery.create({ data: { id, channelId, event: "test", nextAt: new Date() } });
    await agent.stop();
    const { databaseUrl, dataDir } = stack;
    await stack.cp.close();
    const { loadConfig } = await import("../server/config");
    const { startControlPlane } = await import("../server/http-server");
    const config = loadConfig({ STEVEDORE_DATA_DIR: dataDir, PORT: String(new URL(stack.url).port), ADMIN_EMAIL: "admin@stevedore.test", ADMIN_PASSWORD: "correct-horse-battery", LOG_LEVEL: "silent", NODE_ENV: "test", DATABASE_URL: databaseUrl });
    expect(receiver.received.some((r) => r.deliveryId === id)).toBe(false);
    const cp = (restarted = await startControlPlane(config, { ui: false }));
    await waitFor(() => receiver.received.some((r) => r.deliveryId === id), { what: "the pending delivery after the restart" });
    expect((await cp.services.db.alertDelivery.findUniqueOrThrow({ where: { id } })).status).toBe("delivered");
  });
});
