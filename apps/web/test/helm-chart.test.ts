import { spawnSync } from "node:child_process";
import path from "node:path";
import { describe, expect, it } from "vitest";
import fs from "node:fs";
import { parse, parseAllDocuments } from "yaml";
import { REPO_ROOT } from "../server/database-url";

const CHART = path.join(REPO_ROOT, "infra", "helm", "stevedore");
const REQUIRED = ["--set", "publicUrl=https://stevedore.example.com", "--set", "database.url=postgres://stv:pw@db:5432/stv", "--set", "redis.url=redis://redis:6379/0"];

/** The real helm binary the test command provides (scripts/ensure-helm.sh). */
function helm(args: string[]) {
  const bin = process.env.STEVEDORE_HELM;
  if (!bin) throw new Error("no helm: run this through `npm test`, which provides it (or set STEVEDORE_HELM)");
  return spawnSync(bin, args, { cwd: REPO_ROOT, encoding: "utf8" });
}

interface K8sObject {
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- rendered manifests, read field by field
  spec: Record<string, any>;
  data?: Record<string, string>;
}

function render(...values: string[]): K8sObject[] {
  const out = helm(["template", "prod", CHART, ...REQUIRED, ...values]);
  if (out.status !== 0) throw new Error(out.stderr);
  return parseAllDocuments(out.stdout).map((d) => d.toJS() as K8sObject).filter(Boolean);
}

const byKind = (objects: K8sObject[], kind: string) => objects.find((o) => o.kind === kind)!;

describe("the Helm chart", () => {
  it("passes helm lint", () => {
    const out = helm(["lint", CHART, ...REQUIRED]);
    expect(out.stdout + out.stderr).toContain("0 chart(s) failed");
    expect(out.status).toBe(0);
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
    for (const key of ["DATABASE_URL", "REDIS_URL", "AUTH_SECRET", "SECRETS_KEY", "ADMIN_PASSWORD"]) expect(env[key]).toEqual({ secretKeyRef: { name: "prod-stevedore", key } });
    expect(container.readinessProbe.httpGet.path).toBe("/api/ready");
    expect(container.livenessProbe.httpGet.path).toBe("/api/health");
    expect(deployment.spec.template.spec.securityContext).toMatchObject({ runAsNonRoot: true });
    expect(container.securityContext).toMatchObject({ readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });

    const secret = byKind(objects, "Secret");
    expect(Buffer.from(secret.data!.DATABASE_URL!, "base64").toString()).toBe("postgres://stv:pw@db:5432/stv");
    expect(Buffer.from(secret.data!.AUTH_SECRET!, "base64").toString().length).toBeGreaterThanOrEqual(32);
    expect(byKind(objects, "PodDisruptionBudget").spec.minAvailable).toBe(1);
  });

  it("routes WebSockets through the Ingress without cutting them, on the public URL's host", () => {
    const ingress = byKind(render("--set", "ingress.tls.enabled=true", "--set", "ingress.tls.secretName=stv-tls"), "Ingress");
    expect(ingress.spec.rules[0].host).toBe("stevedore.example.com");
    expect(ingress.spec.tls).toEqual([{ hosts: ["stevedore.example.com"], secretName: "stv-tls" }]);
    expect(Number(ingress.metadata.annotations!["nginx.ingress.kubernetes.io/proxy-read-timeout"])).toBeGreaterThanOrEqual(3600);
    expect(Number(ingress.metadata.annotations!["nginx.ingress.kubernetes.io/proxy-send-timeout"])).toBeGreaterThanOrEqual(3600);
  });

  it("takes URLs and keys from existing Secrets instead, and then keeps none of its own", () => {
    const objects = render("--set", "database.url=", "--set", "database.existingSecret=pg", "--set", "secrets.existingSecret=keys");
    const env = byKind(objects, "Deployment").spec.template.spec.containers[0].env as { name: string; valueFrom?: { secretKeyRef: { name: string } } }[];
    expect(env.find((e) => e.name === "DATABASE_URL")!.valueFrom!.secretKeyRef.name).toBe("pg");
    expect(env.find((e) => e.name === "AUTH_SECRET")!.valueFrom!.secretKeyRef.name).toBe("keys");
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
  });

  it("refuses to start without the secrets it needs, each named in .env.example", () => {
    const env = { ...compose.services["control-plane"]!.environment!, ...compose.services.postgres!.environment! };
    const example = fs.readFileSync(path.join(REPO_ROOT, "infra", ".env.example"), "utf8");
    for (const key of ["PUBLIC_URL", "AUTH_SECRET", "SECRETS_KEY", "ADMIN_PASSWORD", "POSTGRES_PASSWORD"]) {
      expect(env[key]).toMatch(new RegExp(`^\\$\\{${key}:\\?`));
      expect(example).toMatch(new RegExp(`^${key}=`, "m"));
    }
  });
});
