import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import { AGENT_ENROLL_PATH } from "@stevedore/protocol";
import { createJoinToken } from "../../server/agents/enrollment";
import { loadConfig } from "../../server/config";
import { REPO_ROOT } from "../../server/database-url";
import { startControlPlane, type ControlPlane } from "../../server/http-server";
import { applyMigrations } from "../../server/migrate";
import type { AppRouter } from "../../server/trpc/root";
import { createPostgresDatabase, suiteOnPostgres } from "./shared-database";

export const ADMIN_EMAIL = "admin@stevedore.test";
export const ADMIN_PASSWORD = "correct-horse-battery";

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as net.AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export interface TestStack {
  cp: ControlPlane;
  url: string;
  dataDir: string;
  /** SQLite under dataDir, or the stack's own PostgreSQL database. */
  databaseUrl: string;
  adminId: string;
  joinToken(): Promise<string>;
  close(): Promise<void>;
}

/**
 * A real control plane (without the Next.js UI) in this process, on a fresh database: SQLite, or
 * PostgreSQL when the suite runs on it (STEVEDORE_TEST_DATABASE=postgres).
 */
export async function startStack(env: Record<string, string> = {}): Promise<TestStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-test-"));
  const port = await freePort();
  const database = suiteOnPostgres() && !env.DATABASE_URL ? await createPostgresDatabase() : null;
  const config = loadConfig({
    STEVEDORE_DATA_DIR: dataDir,
    PORT: String(port),
    ADMIN_EMAIL,
    ADMIN_PASSWORD,
    LOG_LEVEL: "silent",
    NODE_ENV: "test",
    SIGNIN_RATE_LIMIT: "1000/10",
    ...(database && { DATABASE_URL: database.url }),
    ...env,
  });
  await applyMigrations(config.databaseUrl);
  const cp = await startControlPlane(config, { ui: false });
  const admin = await cp.services.db.user.findUniqueOrThrow({ where: { email: ADMIN_EMAIL } });
  return {
    cp,
    url: cp.url,
    dataDir,
    databaseUrl: config.databaseUrl,
    adminId: admin.id,
    joinToken: async () => (await createJoinToken(cp.services.db, admin.id, config.joinTokenTtlMs)).token,
    close: async () => {
      await cp.close();
      await database?.drop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Signs in through better-auth's real endpoint and returns the session cookie. */
export async function signIn(url: string, email = ADMIN_EMAIL, password = ADMIN_PASSWORD, origin = url): Promise<string> {
  const res = await fetch(`${url}/api/auth/sign-in/email`, {
    method: "POST",
    headers: { "content-type": "application/json", origin },
    body: JSON.stringify({ email, password }),
  });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

/** A host enrolled through the real endpoint whose agent never connects (offline): a target that exists. */
export async function enrollOfflineHost(stack: TestStack, hostname: string): Promise<string> {
  const res = await fetch(`${stack.url}${AGENT_ENROLL_PATH}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ token: await stack.joinToken(), hostname }) });
  if (!res.ok) throw new Error(`enrollment failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { hostId: string }).hostId;
}

/** Signed in with `cookie`, from a page of `origin` (the public URL; by default the server's own). */
export function apiClient(url: string, cookie?: string, origin = url) {
  return createTRPCClient<AppRouter>({
    links: [httpBatchLink({ url: `${url}/api/trpc`, transformer: superjson, headers: () => (cookie ? { cookie, origin } : { origin }) })],
  });
}

/** A client that authenticates with an API token, as automation does. */
export function tokenClient(url: string, token: string) {
  return createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/api/trpc`, transformer: superjson, headers: { authorization: `Bearer ${token}` } })] });
}

/** A real agent process, as a host would run it. */
export class AgentProcess {
  readonly proc: ChildProcess;
  output = "";
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string> = {}) {
    // STEVEDORE_AGENT_ENTRY=agent/dist/stevedore-agent.mjs runs the bundle the installer serves instead;
    // STEVEDORE_AGENT_NODE_FLAGS passes Node flags to the agent alone.
    const flags = process.env.STEVEDORE_AGENT_NODE_FLAGS?.split(" ").filter(Boolean) ?? [];
    this.proc = spawn(process.execPath, [...flags, path.resolve(REPO_ROOT, process.env.STEVEDORE_AGENT_ENTRY ?? "agent/bin/stevedore-agent.mjs"), ...args], {
      env: { ...process.env, LOG_LEVEL: "info", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.proc.stdout!.on("data", (d: Buffer) => (this.output += d.toString()));
    this.proc.stderr!.on("data", (d: Buffer) => (this.output += d.toString()));
    this.exited = new Promise((resolve) => this.proc.once("exit", (code) => resolve(code)));
  }

  static start(opts: { url?: string; token?: string; credentials: string; socket?: string; hostname?: string; statsIntervalSeconds?: number; metricsAddress?: string }): AgentProcess {
    const args = ["--credentials", opts.credentials];
    if (opts.url) args.push("--url", opts.url);
    if (opts.token) args.push("--join", opts.token);
    if (opts.socket) args.push("--docker-socket", opts.socket);
    if (opts.hostname) args.push("--hostname", opts.hostname);
    if (opts.statsIntervalSeconds) args.push("--stats-interval", String(opts.statsIntervalSeconds));
    if (opts.metricsAddress) args.push("--metrics-address", opts.metricsAddress);
    return new AgentProcess(args);
  }

  async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (this.proc.exitCode !== null || this.proc.signalCode !== null) return;
    this.proc.kill(signal);
    await this.exited;
  }
}

export interface StackWithHost {
  stack: TestStack;
  /** Signed in as the admin. */
  api: ReturnType<typeof apiClient>;
  /** The admin's session cookie. */
  cookie: string;
  agent: AgentProcess;
  hostId: string;
  /** The agent's credentials file, to restart it without a token. */
  credentials: string;
}

/** A control plane with one real agent enrolled against the local engine, online. */
export async function startStackWithHost(hostname: string): Promise<StackWithHost> {
  const stack = await startStack();
  const cookie = await signIn(stack.url);
  const api = apiClient(stack.url, cookie);
  const credentials = path.join(stack.dataDir, "agent", "credentials.json");
  const agent = AgentProcess.start({ url: stack.url, token: await stack.joinToken(), credentials, hostname });
  const deadline = Date.now() + 15_000;
  for (;;) {
    const host = (await api.hosts.list.query()).find((h) => h.name === hostname && h.status === "online");
    if (host) return { stack, api, cookie, agent, hostId: host.id, credentials };
    if (Date.now() > deadline) throw new Error(`agent "${hostname}" did not come online:\n${agent.output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
