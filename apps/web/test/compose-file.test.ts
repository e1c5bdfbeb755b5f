import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { REPO_ROOT } from "../server/database-url";

/**
 * infra/docker-compose.yml cannot be started here (no registry to pull postgres or redis from), so it
 * is checked as data: what each service gets, and that the example env file names every required value.
 */
const COMPOSE_FILE = path.join(REPO_ROOT, "infra", "docker-compose.yml");
const composeText = fs.readFileSync(COMPOSE_FILE, "utf8");
const envExample = fs.readFileSync(path.join(REPO_ROOT, "infra", ".env.example"), "utf8");

interface Service {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
  volumes?: string[];
  ports?: string[];
}
const compose = parse(composeText) as { services: Record<string, Service>; volumes: Record<string, unknown> };
const { postgres, redis, "control-plane": controlPlane } = compose.services;

describe("the single-host compose file", () => {
  it("runs the control plane on PostgreSQL and Redis once both are healthy", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["control-plane", "postgres", "redis"]);
    expect(controlPlane!.depends_on).toEqual({ postgres: { condition: "service_healthy" }, redis: { condition: "service_healthy" } });
    expect(postgres!.healthcheck!.test).toEqual(["CMD", "pg_isready", "-U", postgres!.environment!.POSTGRES_USER, "-d", postgres!.environment!.POSTGRES_DB]);
    expect(redis!.healthcheck!.test).toEqual(["CMD", "redis-cli", "ping"]);
  });

  it("points the control plane at those services with their credentials", () => {
    const env = controlPlane!.environment!;
    const { POSTGRES_USER, POSTGRES_DB } = postgres!.environment!;
    expect(env.DATABASE_URL).toBe(`\${DATABASE_URL:-postgres://${POSTGRES_USER}:\${POSTGRES_PASSWORD}@postgres:5432/${POSTGRES_DB}}`);
    expect(postgres!.environment!.POSTGRES_PASSWORD).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
    expect(env.REDIS_URL).toBe("redis://:${REDIS_PASSWORD}@redis:6379/0");
    expect(redis!.command!.slice(0, 2)).toEqual(["redis-server", "--requirepass"]);
    expect(redis!.command![2]).toMatch(/^\$\{REDIS_PASSWORD:\?/);
    expect(redis!.environment!.REDISCLI_AUTH).toBe("${REDIS_PASSWORD}");
    for (const name of ["PUBLIC_URL", "AUTH_SECRET", "ADMIN_PASSWORD"]) expect(env[name]).toMatch(new RegExp(`^\\$\\{${name}:\\?`));
  });

  it("keeps every service's state in a declared volume, and exposes only the control plane", () => {
    const mounted = (s: Service, at: string) => s.volumes!.find((v) => v.endsWith(`:${at}`))?.split(":")[0];
    expect(mounted(postgres!, "/var/lib/postgresql/data")).toBe("postgres-data");
    expect(mounted(redis!, "/data")).toBe("redis-data");
    expect(mounted(controlPlane!, "/data")).toBe("stevedore-data");
    expect(Object.keys(compose.volumes).sort()).toEqual(["postgres-data", "redis-data", "stevedore-data"]);
    expect(postgres!.ports).toBeUndefined();
    expect(redis!.ports).toBeUndefined();
    expect(controlPlane!.ports).toEqual(["${STEVEDORE_PORT:-3000}:3000"]);
  });

  it("names every required value in .env.example", () => {
    const required = [...composeText.matchAll(/\$\{([A-Z_]+):\?/g)].map((m) => m[1]!);
    expect(new Set(required)).toEqual(new Set(["POSTGRES_PASSWORD", "REDIS_PASSWORD", "PUBLIC_URL", "AUTH_SECRET", "ADMIN_PASSWORD"]));
    for (const name of required) expect(envExample).toMatch(new RegExp(`^${name}=`, "m"));
  });

  const composeCli = spawnSync("docker", ["compose", "version"], { encoding: "utf8" }).status === 0;
  it.runIf(composeCli)("is accepted by docker compose config", () => {
    const env = { ...process.env, PUBLIC_URL: "https://s.example.com", AUTH_SECRET: "x".repeat(32), ADMIN_PASSWORD: "a-long-password", POSTGRES_PASSWORD: "pg", REDIS_PASSWORD: "rd" };
    const out = spawnSync("docker", ["compose", "-f", COMPOSE_FILE, "--env-file", "/dev/null", "config"], { encoding: "utf8", env });
    expect(out.stderr).toBe("");
    expect(out.stdout).toContain("postgres://stevedore:pg@postgres:5432/stevedore");
  });
});
