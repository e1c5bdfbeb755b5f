// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { execFileSync, spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import os from "node:os";
import { parse, parseAllDocuments } from "yaml";
import { REPO_ROOT } from "../server/database-url";

const CHART = path.join(REPO_ROOT, "infra", "helm", "stevedore");
const REQUIRED = ["--set", "publicUrl=https://stevedore.example.com", "--set", "database.url=postgres://stv:pw@db:5432/stv", "--set", "redis.url=redis://redis:6379/0"];

/** The real helm binary: the one the test command provides, else scripts/helm.sh fetches it (once). */
let helmBin = process.env.STEVEDORE_HELM;
function helm(args: string[]) {
  helmBin ??= execFileSync("bash", [path.join(REPO_ROOT, "scripts", "helm.sh"), "--path"], { encoding: "utf8" }).trim();
  return spawnSync(helmBin, args, { cwd: REPO_ROOT, encoding: "utf8" });
}

interface K8sObject {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string>; labels?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests, read field by field
  spec: Record<string, any>;
  data?: Record<string, string>;
}

function render(...values: string[]): K8sObject[] {
  const out = helm(["template", "prod", CHART, ...REQUIRED, ...values]);
  if (out.status !== 0) throw new Error(out.stderr);
  return parseAllDocuments(out.stdout).map((d) => d.toJS() as K8sObject).filter(Boolean);
}

const byKind = (objects: K8sObject[], kind: string) => {
  const found = objects.find((o) => o.kind === kind);
  if (!found) throw new Error(`no ${kind} rendered`);
  return found;
};

describe("the Helm chart", () => {
  it("passes helm lint (strict), with the defaults and with other values", () => {
    for (const values of [[], ["--set", "replicaCount=1", "--set", "ingress.enabled=false", "--set", "secrets.existingSecret=keys", "--set", "recordings.existingClaim=rec", "--set", "redis.tlsCaSecret=redis-ca"]]) {
      const out = helm(["lint", "--strict", CHART, ...REQUIRED, ...values]);
      expect(out.stdout + out.stderr).toContain("0 chart(s) failed");
      expect(out.status).toBe(0);
    }
  });

  it("renders the objects a release needs, all labelled as this release", () => {
    const objects = render();
    expect(objects.map((o) => o.kind).sort()).toEqual(["Deployment", "Ingress", "PodDisruptionBudget", "Secret", "Service"]);
    for (const o of objects) expect(o.metadata.labels).toMatchObject({ "app.kubernetes.io/instance": "prod", "app.kubernetes.io/name": "stevedore" });
    const deployment = byKind(objects, "Deployment");
    expect(deployment.spec.replicas).toBe(2);
    expect(byKind(objects, "Service").spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(byKind(objects, "PodDisruptionBudget").spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    const pod = deployment.spec.template.spec;
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
    const container = pod.containers[0];
    expect(container.image).toBe("stevedore-control-plane:0.1.0");
    expect(container.securityContext.capabilities.drop).toEqual(["ALL"]);
    expect(container.resources.requests.memory).toBeDefined();
    expect(container.resources.limits.memory).toBeDefined();
    // The image's writable paths are volumes, since the root filesystem is read-only.
    expect(container.volumeMounts.map((m: { mountPath: string }) => m.mountPath).sort()).toEqual(["/app/apps/web/.next/cache", "/data", "/data/recordings", "/tmp"]);
    // The pod IP comes from the downward API and is declared before REPLICA_URL expands it.
    const names = container.env.map((e: { name: string }) => e.name);
    expect(container.env[names.indexOf("POD_IP")].valueFrom).toEqual({ fieldRef: { fieldPath: "status.podIP" } });
    expect(names.indexOf("POD_IP")).toBeLessThan(names.indexOf("REPLICA_URL"));
    expect(names).toEqual(expect.arrayContaining(["HOST", "PORT", "PUBLIC_URL", "TRUST_PROXY", "DATABASE_URL", "REDIS_URL", "AUTH_SECRET", "SECRETS_KEY", "AUDIT_KEY", "BUS_KEY", "AUDIT_CHECKPOINT_INTERVAL_S", "ADMIN_EMAIL", "ADMIN_PASSWORD"]));
    // No witness URL unless one is given (an empty one would be refused at start).
    expect(names).not.toContain("AUDIT_WITNESS_URL");
    expect(container.ports).toEqual([{ name: "http", containerPort: 3000 }]);
    expect(container.env.find((e: { name: string }) => e.name === "PORT").value).toBe("3000");
  });

  it("generates the keys once and keeps its Secret on uninstall; given values win", () => {
    const a = byKind(render(), "Secret");
    const b = byKind(render(), "Secret");
    expect(a.metadata.annotations!["helm.sh/resource-policy"]).toBe("keep");
    // Without a cluster to look the old ones up in, each render generates new ones: they are random.
    expect(a.data!.SECRETS_KEY).not.toBe(b.data!.SECRETS_KEY);
    expect(a.data!.AUDIT_KEY).not.toBe(b.data!.AUDIT_KEY);
    expect(a.data!.BUS_KEY).not.toBe(b.data!.BUS_KEY);
    expect(Buffer.from(a.data!.BUS_KEY!, "base64").toString().length).toBeGreaterThanOrEqual(32);
    const given = byKind(render("--set", "secrets.secretsKey=0123456789abcdef0123456789abcdef", "--set", "secrets.auditKey=audit-key-0123456789abcdef0123456789", "--set", "secrets.adminPassword=a-long-password"), "Secret");
    expect(Buffer.from(given.data!.AUDIT_KEY!, "base64").toString()).toBe("audit-key-0123456789abcdef0123456789");
    expect(Buffer.from(given.data!.SECRETS_KEY!, "base64").toString()).toBe("0123456789abcdef0123456789abcdef");
    expect(Buffer.from(given.data!.ADMIN_PASSWORD!, "base64").toString()).toBe("a-long-password");
    // A changed Secret rolls the pods.
    const checksum = (objects: K8sObject[]) => byKind(objects, "Deployment").spec.template.metadata.annotations["checksum/secret"];
    expect(checksum(render("--set", "secrets.secretsKey=k1", "--set", "secrets.authSecret=a", "--set", "secrets.adminPassword=p"))).not.toBe(
      checksum(render("--set", "secrets.secretsKey=k2", "--set", "secrets.authSecret=a", "--set", "secrets.adminPassword=p")),
    );
  });

  it("sends audit checkpoints to the witness URL from its Secret (or an existing one), at the interval given", () => {
    const objects = render("--set", "audit.witnessUrl=https://witness.example.com/stv?token=t", "--set", "audit.checkpointIntervalSeconds=30");
    const env = byKind(objects, "Deployment").spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: unknown }[];
    expect(env.find((e) => e.name === "AUDIT_WITNESS_URL")!.valueFrom).toEqual({ secretKeyRef: { name: "prod-stevedore", key: "AUDIT_WITNESS_URL" } });
    expect(env.find((e) => e.name === "AUDIT_CHECKPOINT_INTERVAL_S")!.value).toBe("30");
    // The URL may carry the receiver's credential: in the Secret, not the pod spec.
    expect(Buffer.from(byKind(objects, "Secret").data!.AUDIT_WITNESS_URL!, "base64").toString()).toBe("https://witness.example.com/stv?token=t");
    const existing = render("--set", "audit.existingSecret=witness", "--set", "audit.key=URL");
    const ref = (byKind(existing, "Deployment").spec.template.spec.containers[0].env as { name: string; valueFrom?: unknown }[]).find((e) => e.name === "AUDIT_WITNESS_URL")!.valueFrom;
    expect(ref).toEqual({ secretKeyRef: { name: "witness", key: "URL" } });
    expect(byKind(existing, "Secret").data!.AUDIT_WITNESS_URL).toBeUndefined();
  });

  it("mounts the CA agents pin from its ConfigMap (or an existing one) and names it in TLS_CA_FILE; none by default", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stv-helm-ca-"));
    try {
      execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem", "-days", "1", "-subj", "/CN=ingress CA"], { cwd: dir, stdio: "ignore" });
      const pem = fs.readFileSync(path.join(dir, "ca.pem"), "utf8");
      const objects = render("--set-file", `agentCa.certificate=${path.join(dir, "ca.pem")}`);
      const configMap = objects.find((o) => o.kind === "ConfigMap" && o.metadata.name === "prod-stevedore-agent-ca")!;
      expect(configMap.data!["ca.pem"]).toBe(pem);
      const pod = byKind(objects, "Deployment").spec.template.spec;
      const container = pod.containers[0];
      const mount = container.volumeMounts.find((m: { name: string }) => m.name === "agent-ca");
      expect(mount).toEqual({ name: "agent-ca", mountPath: "/etc/stevedore/agent-ca", readOnly: true });
      expect(container.env.find((e: { name: string }) => e.name === "TLS_CA_FILE").value).toBe("/etc/stevedore/agent-ca/ca.pem");
      expect(pod.volumes.find((v: { name: string }) => v.name === "agent-ca").configMap).toEqual({ name: "prod-stevedore-agent-ca", items: [{ key: "ca.pem", path: "ca.pem" }] });

      const existing = render("--set", "agentCa.existingConfigMap=ingress-ca", "--set", "agentCa.key=root.crt");
      expect(existing.map((o) => o.kind)).not.toContain("ConfigMap");
      expect(byKind(existing, "Deployment").spec.template.spec.volumes.find((v: { name: string }) => v.name === "agent-ca").configMap).toEqual({ name: "ingress-ca", items: [{ key: "root.crt", path: "ca.pem" }] });

      const plain = byKind(render(), "Deployment").spec.template.spec.containers[0];
      expect(plain.env.map((e: { name: string }) => e.name)).not.toContain("TLS_CA_FILE");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("drops the PodDisruptionBudget for one replica and the Ingress when disabled", () => {
    const kinds = render("--set", "replicaCount=1", "--set", "ingress.enabled=false").map((o) => o.kind);
    expect(kinds).not.toContain("PodDisruptionBudget");
    expect(kinds).not.toContain("Ingress");
    expect(kinds).toContain("Deployment");
  });

  it("tells how to sign in and add a host", () => {
    const out = helm(["install", "prod", CHART, "--dry-run=client", ...REQUIRED]);
    expect(out.status).toBe(0);
    const notes = out.stdout.slice(out.stdout.indexOf("NOTES:"));
    expect(notes).toContain("kubectl get secret prod-stevedore -n default -o jsonpath='{.data.ADMIN_PASSWORD}' | base64 -d");
    expect(notes).toContain("Sign in as admin@stevedore.local");
    expect(notes).toContain("curl -fsSL https://stevedore.example.com/install/agent.sh | sudo sh -s -- --join TOKEN");
  });

  it("runs N replicas on PostgreSQL and Redis from its Secret, with probes on the real health endpoints", () => {
    const objects = render("--set", "replicaCount=3");
    const deployment = byKind(objects, "Deployment");
    expect(deployment.spec.replicas).toBe(3);
    const container = deployment.spec.template.spec.containers[0];
    const env = Object.fromEntries(container.env.map((e: { name: string; value?: string; valueFrom?: unknown }) => [e.name, e.value ?? e.valueFrom]));
    expect(env.PUBLIC_URL).toBe("https://stevedore.example.com");
    expect(env.REPLICA_URL).toBe("http://$(POD_IP):3000");
    expect(env.TRUST_PROXY).toBe("true");
    for (const key of ["DATABASE_URL", "REDIS_URL", "AUTH_SECRET", "SECRETS_KEY", "AUDIT_KEY", "ADMIN_PASSWORD"]) expect(env[key]).toEqual({ secretKeyRef: { name: "prod-stevedore", key } });
    // Every replica signs the bus with the same key, from the Secret (optional there: else derived from AUTH_SECRET).
    expect(env.BUS_KEY).toEqual({ secretKeyRef: { name: "prod-stevedore", key: "BUS_KEY", optional: true } });
    expect(env.REDIS_TLS_CA_FILE).toBeUndefined();
    expect(container.readinessProbe.httpGet.path).toBe("/api/ready");
    expect(container.livenessProbe.httpGet.path).toBe("/api/health");
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });

    const secret = byKind(objects, "Secret");
    expect(Buffer.from(secret.data!.DATABASE_URL!, "base64").toString()).toBe("postgres://stv:pw@db:5432/stv");
    expect(Buffer.from(secret.data!.AUTH_SECRET!, "base64").toString().length).toBeGreaterThanOrEqual(32);
    // One audit key for every replica (from the Secret), at least as long as the server requires.
    expect(Buffer.from(secret.data!.AUDIT_KEY!, "base64").toString().length).toBeGreaterThanOrEqual(32);
    expect(secret.data!.AUDIT_KEY).not.toBe(secret.data!.AUTH_SECRET);
    expect(byKind(objects, "PodDisruptionBudget").spec.minAvailable).toBe(1);
  });

  it("sets BUS_KEY when given (at least 32 characters), and mounts a private CA for rediss:// from a Secret", () => {
    const given = byKind(render("--set", "secrets.busKey=0123456789abcdef0123456789abcdef"), "Secret");
    expect(Buffer.from(given.data!.BUS_KEY!, "base64").toString()).toBe("0123456789abcdef0123456789abcdef");
    const short = helm(["template", "prod", CHART, ...REQUIRED, "--set", "secrets.busKey=short"]);
    expect(short.status).not.toBe(0);
    expect(short.stderr).toMatch(/secrets.busKey must be at least 32 characters/);

    const pod = byKind(render("--set", "redis.url=rediss://stevedore:pw@redis:6380/0", "--set", "redis.tlsCaSecret=redis-ca"), "Deployment").spec.template.spec;
    const container = pod.containers[0];
    expect(container.env.find((e: { name: string }) => e.name === "REDIS_TLS_CA_FILE").value).toBe("/etc/stevedore/redis-ca/ca.crt");
    expect(container.volumeMounts).toContainEqual({ name: "redis-ca", mountPath: "/etc/stevedore/redis-ca", readOnly: true });
    expect(pod.volumes).toContainEqual({ name: "redis-ca", secret: { secretName: "redis-ca", items: [{ key: "ca.crt", path: "ca.crt" }] } });
  });

  it("serves metrics on a port of its own when enabled, with an optional ServiceMonitor; the Ingress never routes it", () => {
    const off = render();
    expect(off.map((o) => o.kind)).not.toContain("ServiceMonitor");
    const offContainer = byKind(off, "Deployment").spec.template.spec.containers[0];
    expect(offContainer.env.map((e: { name: string }) => e.name)).not.toContain("METRICS_ADDRESS");
    expect(byKind(off, "Service").spec.ports.map((p: { name: string }) => p.name)).toEqual(["http"]);

    const on = render("--set", "metrics.enabled=true", "--set", "metrics.serviceMonitor.enabled=true", "--set", "metrics.serviceMonitor.labels.release=kps");
    const container = byKind(on, "Deployment").spec.template.spec.containers[0];
    expect(container.env).toContainEqual({ name: "METRICS_ADDRESS", value: "0.0.0.0:9464" });
    expect(container.ports).toContainEqual({ name: "metrics", containerPort: 9464 });
    expect(byKind(on, "Service").spec.ports).toContainEqual({ name: "metrics", port: 9464, targetPort: "metrics" });
    const monitor = byKind(on, "ServiceMonitor");
    expect(monitor.metadata.labels).toMatchObject({ release: "kps", "app.kubernetes.io/instance": "prod" });
    expect(monitor.spec.selector.matchLabels).toEqual(byKind(on, "Deployment").spec.selector.matchLabels);
    expect(monitor.spec.endpoints).toEqual([{ port: "metrics", path: "/metrics", interval: "30s" }]);
    expect(byKind(on, "Ingress").spec.rules[0].http.paths.map((p: { backend: { service: { port: { name: string } } } }) => p.backend.service.port.name)).toEqual(["http"]);
    // A ServiceMonitor without metrics would scrape nothing: it is only rendered with them.
    expect(render("--set", "metrics.serviceMonitor.enabled=true").map((o) => o.kind)).not.toContain("ServiceMonitor");
    const lint = helm(["lint", "--strict", CHART, ...REQUIRED, "--set", "metrics.enabled=true", "--set", "metrics.serviceMonitor.enabled=true"]);
    expect(lint.status).toBe(0);
  });

  it("routes WebSockets through the Ingress without cutting them, on the public URL's host", () => {
    const ingress = byKind(render("--set", "ingress.tls.enabled=true", "--set", "ingress.tls.secretName=stv-tls"), "Ingress");
    expect(ingress.spec.rules[0].host).toBe("stevedore.example.com");
    expect(ingress.spec.tls).toEqual([{ hosts: ["stevedore.example.com"], secretName: "stv-tls" }]);
    expect(Number(ingress.metadata.annotations!["nginx.ingress.kubernetes.io/proxy-read-timeout"])).toBeGreaterThanOrEqual(3600);
    expect(Number(ingress.metadata.annotations!["nginx.ingress.kubernetes.io/proxy-send-timeout"])).toBeGreaterThanOrEqual(3600);
    // Server-sent events (live updates) must not wait in the proxy's buffer.
    expect(ingress.metadata.annotations!["nginx.ingress.kubernetes.io/proxy-buffering"]).toBe("off");
    expect(ingress.spec.ingressClassName).toBe("nginx");
    // One path for everything: /agent, /agent/stream, /terminal and /logs-socket included.
    expect(ingress.spec.rules[0].http.paths).toEqual([{ path: "/", pathType: "Prefix", backend: { service: { name: "prod-stevedore", port: { name: "http" } } } }]);
  });

  it("takes URLs and keys from existing Secrets instead, and then keeps none of its own", () => {
    const objects = render("--set", "database.url=", "--set", "database.existingSecret=pg", "--set", "secrets.existingSecret=keys");
    const env = byKind(objects, "Deployment").spec.template.spec.containers[0].env as { name: string; valueFrom?: { secretKeyRef: { name: string } } }[];
    expect(env.find((e) => e.name === "DATABASE_URL")!.valueFrom!.secretKeyRef.name).toBe("pg");
    expect(env.find((e) => e.name === "AUTH_SECRET")!.valueFrom!.secretKeyRef.name).toBe("keys");
    expect(env.find((e) => e.name === "AUDIT_KEY")!.valueFrom!.secretKeyRef.name).toBe("keys");
    expect(env.find((e) => e.name === "BUS_KEY")!.valueFrom!.secretKeyRef.name).toBe("keys");
    expect(byKind(objects, "Secret").data).toEqual({ REDIS_URL: expect.any(String) });
  });

  it("refuses to render without a database, Redis or public URL, saying which", () => {
    for (const [missing, message] of [
      ["database.url=", /database.url .* is required/],
      ["redis.url=", /redis.url .* is required/],
      ["publicUrl=", /publicUrl is required/],
    ] as const) {
      const out = helm(["template", "prod", CHART, ...REQUIRED, "--set", missing]);
      expect(out.status).not.toBe(0);
      expect(out.stderr).toMatch(message);
    }
  });
});

describe("docker-compose.yml", () => {
  const compose = parse(fs.readFileSync(path.join(REPO_ROOT, "infra", "docker-compose.yml"), "utf8")) as {
    services: Record<string, { environment?: Record<string, string>; depends_on?: Record<string, { condition: string }>; healthcheck?: { test: string[] } }>;
    volumes: Record<string, unknown>;
  };

  it("runs the control plane on PostgreSQL, started once the database is healthy, with its data on volumes", () => {
    const cp = compose.services["control-plane"]!;
    expect(cp.environment!.DATABASE_URL).toBe("postgres://stevedore:${POSTGRES_PASSWORD}@postgres:5432/stevedore");
    expect(cp.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    expect(cp.healthcheck!.test.join(" ")).toContain("/api/ready");
    expect(compose.services.postgres!.healthcheck!.test).toContain("pg_isready");
    expect(Object.keys(compose.volumes).sort()).toEqual(["postgres-data", "stevedore-data"]);
    // Optional: left empty in .env it reaches the server as "", which it reads as no webhook witness.
    expect(cp.environment!.AUDIT_WITNESS_URL).toBe("${AUDIT_WITNESS_URL:-}");
  });

  it("refuses to start without the secrets it needs, each named in .env.example", () => {
    const env = { ...compose.services["control-plane"]!.environment!, ...compose.services.postgres!.environment! };
    const example = fs.readFileSync(path.join(REPO_ROOT, "infra", ".env.example"), "utf8");
    for (const key of ["PUBLIC_URL", "AUTH_SECRET", "SECRETS_KEY", "AUDIT_KEY", "BUS_KEY", "ADMIN_PASSWORD", "POSTGRES_PASSWORD"]) {
      expect(env[key]).toMatch(new RegExp(`^\\$\\{${key}:\\?`));
      expect(example).toMatch(new RegExp(`^${key}=`, "m"));
    }
  });
});
