import { spawn, type ChildProcess } from "node:child_process";
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { docker, ensureTestImage, removeTestContainers, waitFor } from "../apps/web/test/support/engine";
import { TestRegistry, pushLayeredImage, startSlowProxy } from "../apps/web/test/support/registry";
import { apiClient, freePort, signIn } from "../apps/web/test/support/stack";

export const E2E_ADMIN = { email: "admin@e2e.stevedore.test", password: "e2e-admin-password" };
export const E2E_OPERATOR = { email: "operator@e2e.stevedore.test", password: "e2e-operator-password" };
export const E2E_VIEWER = { email: "viewer@e2e.stevedore.test", password: "e2e-viewer-password" };
/** A viewer who is given a grant during the tests (the plain viewer above stays a plain viewer). */
export const E2E_GRANTEE = { email: "grantee@e2e.stevedore.test", password: "e2e-grantee-password" };
export const E2E_REGISTRY_USER = { username: "e2e-pusher", password: "e2e-registry-password" };
const ROOT = path.resolve(import.meta.dirname, "..");

function start(cmd: string, args: string[], env: Record<string, string>, log: string): ChildProcess {
  const out = fs.openSync(log, "a");
  return spawn(cmd, args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", out, out] });
}

/**
 * The whole product as a user runs it: the built control plane (production mode) on a fresh
 * database, and a real agent enrolled with a join token against the local Docker Engine.
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  await ensureTestImage();
  await removeTestContainers();
  // A real registry with an image the host does not have, reached over a slowed link so a pull's
  // progress can be watched.
  const registry = await TestRegistry.start();
  const image = await pushLayeredImage(registry, "stevedore-test/e2e-pull:1", 3);
  const proxy = await startSlowProxy(registry.host, 2 * 1024 * 1024);
  process.env.STEVEDORE_E2E_PULL_IMAGE = image.replace(registry.host, proxy.host);
  // Pushed to directly (not slowed) by the updates walkthrough.
  process.env.STEVEDORE_E2E_REGISTRY = registry.host;
  // A private one (htpasswd), also slowed, for adding a registry with credentials and pulling from it.
  const privateRegistry = await TestRegistry.start({ users: { [E2E_REGISTRY_USER.username]: E2E_REGISTRY_USER.password } });
  const privateImage = await pushLayeredImage(privateRegistry, "stevedore-test/e2e-private:2.0.1", 3);
  const privateProxy = await startSlowProxy(privateRegistry.host, 2 * 1024 * 1024);
  process.env.STEVEDORE_E2E_PRIVATE_REGISTRY = privateProxy.host;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-e2e-"));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = { STEVEDORE_DATA_DIR: dataDir, PORT: String(port), ADMIN_EMAIL: E2E_ADMIN.email, ADMIN_PASSWORD: E2E_ADMIN.password, NODE_ENV: "production", LOG_LEVEL: "warn", SIGNIN_RATE_LIMIT: "100/10" };
  const tsx = path.join(ROOT, "node_modules/.bin/tsx");
  const server = start(tsx, ["apps/web/server/main.ts"], env, path.join(dataDir, "server.log"));
  const serverLog = path.join(dataDir, "server.log");
  await waitFor(
    async () => {
      if (server.exitCode !== null) throw new Error(`the control plane exited:\n${fs.readFileSync(serverLog, "utf8")}`);
      return (await fetch(`${url}/api/health`).catch(() => null))?.ok;
    },
    { timeoutMs: 60_000, intervalMs: 250, what: "control plane health" },
  );

  // The other roles, made the way an admin makes them: through the API (users.create, audited) with the
  // admin's session. better-auth's own admin endpoints are not reachable from outside.
  const admin = apiClient(url, await signIn(url, E2E_ADMIN.email, E2E_ADMIN.password));
  for (const [user, role] of [[E2E_OPERATOR, "operator"], [E2E_VIEWER, "viewer"], [E2E_GRANTEE, "viewer"]] as const) {
    await admin.users.create.mutate({ ...user, name: role, role });
  }

  const token = execFileSync(tsx, ["apps/web/server/cli.ts", "join-token"], { cwd: ROOT, env: { ...process.env, ...env } }).toString().trim();
  const agent = start(
    process.execPath,
    ["agent/bin/stevedore-agent.mjs", "--url", url, "--join", token, "--credentials", path.join(dataDir, "agent.json"), "--hostname", "e2e-host"],
    {},
    path.join(dataDir, "agent.log"),
  );
  process.env.STEVEDORE_E2E_URL = url;
  process.env.STEVEDORE_E2E_DATA = dataDir;

  return async () => {
    for (const p of [agent, server]) p.kill("SIGTERM");
    await Promise.all([agent, server].map((p) => new Promise((r) => (p.exitCode !== null ? r(null) : p.once("exit", r)))));
    await removeTestContainers();
    await Promise.all([proxy.close(), privateProxy.close()]);
    await Promise.all([registry.stop(), privateRegistry.stop()]);
    await docker(["rmi", "-f", process.env.STEVEDORE_E2E_PULL_IMAGE!, privateImage.replace(privateRegistry.host, privateProxy.host)]).catch(() => "");
    fs.rmSync(dataDir, { recursive: true, force: true });
  };
}
