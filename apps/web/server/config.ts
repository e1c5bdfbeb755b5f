import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { isPostgresUrl, resolveDataDir, resolveDatabaseUrl } from "./database-url";
import { AGENT_LIMITS } from "./agents/agent-limits";
import { CREDENTIAL_OVERLAP_MS, type CredentialPolicy } from "./agents/host-credentials";
import { type ListenAddress, parseListenAddress } from "@stevedore/protocol/metrics-listener";
import { type AgentCa, type TlsFiles, readTlsSettings } from "./tls-settings";
import { ClaimName, DEFAULT_SCOPES, Issuer, ProviderFields, ProviderId } from "./sso/sso-settings";

const Env = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("production"),
  HOST: z.string().min(1).default("127.0.0.1"),
  PORT: z.coerce.number({ error: "must be a port number" }).int().min(0).max(65535).default(3000),
  PUBLIC_URL: z.url({ protocol: /^https?$/, error: "must be the http(s):// URL browsers and agents use to reach Stevedore" }).optional(),
  DATABASE_URL: z.string().regex(/^(file:|postgres(ql)?:\/\/)/, "must be file:… (SQLite) or postgres://… (PostgreSQL)"),
  STEVEDORE_DATA_DIR: z.string().min(1),
  AUTH_SECRET: z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional(),
  SECRETS_KEY: z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional(),
  AUDIT_KEY: z.string().min(32, "must be at least 32 characters (openssl rand -base64 32)").optional(),
  // Empty means unset (docker-compose passes `${AUDIT_WITNESS_URL:-}` through).
  AUDIT_WITNESS_URL: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z.url({ protocol: /^https?$/, error: "must be the http(s):// URL that receives the audit trail's signed checkpoints (a POST each)" }).max(2048).optional(),
  ),
  AUDIT_CHECKPOINT_INTERVAL_S: z.coerce.number({ error: "must be a number of seconds" }).int().min(1, "must be at least 1 second").max(86_400, "must be at most 86400 seconds (a day)").default(60),
  ADMIN_EMAIL: z.email("must be an email address").default("admin@stevedore.local"),
  ADMIN_PASSWORD: z.string().min(12, "must be at least 12 characters").optional(),
  AGENT_JOIN_LIMIT: z.coerce.number({ error: "must be a number of agents" }).int().min(1).max(100_000).default(256),
  HOST_CREDENTIAL_ROTATE_HOURS: z.coerce.number({ error: "must be a number of hours" }).min(0.01).max(24 * 365).default(24),
  HOST_CREDENTIAL_TTL_DAYS: z.coerce.number({ error: "must be a number of days" }).min(1).max(3650).default(30),
  ALERT_RETRY_BASE_MS: z.coerce.number({ error: "must be a number of milliseconds" }).int().min(50).max(3_600_000).default(5_000),
  ALERT_MAX_ATTEMPTS: z.coerce.number({ error: "must be a number of attempts" }).int().min(1).max(50).default(10),
  AGENT_EVENT_BACKLOG: z.coerce.number({ error: "must be a number of events" }).int().min(1).max(1_000_000).default(AGENT_LIMITS.maxQueuedEvents),
  JOIN_TOKEN_TTL_MINUTES: z.coerce.number({ error: "must be a number of minutes" }).int().min(1).max(7 * 24 * 60).default(60),
  TRUST_PROXY: z.enum(["true", "false"], { error: 'must be "true" (behind a reverse proxy that sets X-Forwarded-For) or "false"' }).default("false"),
  SIGNIN_RATE_LIMIT: z
    .string()
    .regex(/^\d+\/\d+$/, 'must look like "3/10": at most 3 sign-in attempts per 10 seconds from one address')
    .default("3/10"),
  SIGNIN_ACCOUNT_LIMIT: z
    .string()
    .regex(/^\d+\/\d+$/, 'must look like "10/900": at most 10 sign-in attempts without a success per 900 seconds for one account')
    .default("10/900"),
  SESSION_MAX_HOURS: z.coerce.number({ error: "must be a number of hours" }).positive("must be more than 0 hours").max(30 * 24, "must be at most 720 hours (30 days)").default(12),
  SESSION_IDLE_HOURS: z.coerce.number({ error: "must be a number of hours" }).positive("must be more than 0 hours").max(30 * 24, "must be at most 720 hours (30 days)").default(12),
  LOG_LEVEL: z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
  REDIS_URL: z.url({ protocol: /^rediss?$/, error: "must be a redis:// or rediss:// URL (the bus several replicas share)" }).optional(),
  BUS_KEY: z.string().min(32, "must be at least 32 characters, the same on every replica (openssl rand -base64 32)").optional(),
  REDIS_TLS_CA_FILE: z.string().min(1).optional(),
  TLS_CERT_FILE: z.string().max(4096).optional(),
  TLS_KEY_FILE: z.string().max(4096).optional(),
  TLS_CA_FILE: z.string().max(4096).optional(),
  // Empty means unset, as for AUDIT_WITNESS_URL.
  METRICS_ADDRESS: z.preprocess(
    (v) => (v === "" ? undefined : v),
    z
      .string()
      .max(300)
      .transform((v, ctx) => parseListenAddress(v) ?? (ctx.addIssue({ code: "custom", message: 'must be host:port for the Prometheus listener, e.g. "127.0.0.1:9464" (kept apart from the public port)' }), z.NEVER))
      .optional(),
  ),
  REPLICA_URL: z.url({ protocol: /^http$/, error: "must be the http:// address other replicas reach this one at (e.g. the pod IP and port)" }).optional(),
  // Single sign-on with one provider from the environment (docs/SSO.md); more are added in Settings.
  OIDC_ISSUER: z.preprocess((v) => (v === "" ? undefined : v), Issuer.optional()),
  OIDC_CLIENT_ID: z.string().trim().min(1).max(512).optional(),
  OIDC_CLIENT_SECRET: z.string().min(1).max(4096).optional(),
  OIDC_PROVIDER_ID: ProviderId.default("oidc"),
  OIDC_NAME: z.string().trim().min(1).max(60, "must be at most 60 characters").default("single sign-on"),
  OIDC_SCOPES: z
    .string()
    .max(2000)
    .transform((v) => v.split(/[\s,]+/).filter(Boolean))
    .pipe(ProviderFields.shape.scopes.unwrap())
    .optional(),
  OIDC_GROUPS_CLAIM: ClaimName.default("groups"),
});

export interface ServerConfig {
  dev: boolean;
  host: string;
  port: number;
  publicUrl: string;
  databaseUrl: string;
  dataDir: string;
  authSecret: string;
  /** Encrypts stored credentials (registry passwords). */
  secretsKey: string;
  /** Alert notifications: the first retry's delay (doubling each time, at most 10 min) and when to give up. */
  alertDelivery: { retryBaseMs: number; maxAttempts: number };
  /** Keys the audit chain's links and signs its checkpoints; never stored in the database. */
  auditKey: string;
  /** Receives each signed audit checkpoint too (besides the file in the data directory). */
  auditWitnessUrl: string | undefined;
  /** How often a checkpoint is written while the audit trail grows. */
  auditCheckpointIntervalMs: number;
  adminEmail: string;
  adminPassword: string | undefined;
  joinTokenTtlMs: number;
  /** Agents that may be connecting at once; more are told to retry (503). */
  agentJoinLimit: number;
  /** Engine events from all hosts that may wait for the audit trail; past it, a host's surplus is summarized. */
  agentEventBacklog: number;
  hostCredentials: CredentialPolicy;
  signInRateLimit: { max: number; windowSeconds: number };
  /** Sign-in attempts per account (by email, whether or not it exists) without a success in between. */
  signInAccountLimit: { max: number; windowSeconds: number };
  /** Absolute: a session this old is refused and deleted, however active it was. */
  sessionMaxMs: number;
  /** Idle: a session unused this long has expired (better-auth's sliding window). */
  sessionIdleMs: number;
  trustProxy: boolean;
  logLevel: z.infer<typeof Env>["LOG_LEVEL"];
  /** The bus (Redis) shared by replicas; without it this process is the only one. */
  redisUrl: string | undefined;
  /** PEM of the CA that signed a private Redis's certificate (rediss://), else the system's CAs. */
  redisTlsCa: string | undefined;
  /** Signs (and seals) what replicas put on the bus: BUS_KEY, else derived from AUTH_SECRET. */
  busKey: string;
  /** Where other replicas reach this one directly, for connections handed over to it. */
  replicaUrl: string;
  /** The server listens with https (TLS_CERT_FILE, TLS_KEY_FILE). */
  tls: TlsFiles | undefined;
  /** The CA agents pin (--ca-pin in Add host), served at /install/ca.pem (tls-settings.ts). */
  agentCa: AgentCa | undefined;
  /** Where Prometheus scrapes /metrics (METRICS_ADDRESS); off when unset. */
  metricsAddress: ListenAddress | undefined;
  /** The OIDC provider set by OIDC_* (read-only in Settings), besides those admins add there. */
  oidc: EnvOidcProvider | undefined;
}

export interface EnvOidcProvider {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: string[];
  groupsClaim: string;
}

export class ConfigError extends Error {}

/** Validates the environment once at start; every bad value is named with what it should be. */
export function loadConfig(env: Record<string, string | undefined> = process.env): ServerConfig {
  const dataDir = resolveDataDir(env);
  const parsed = Env.safeParse({ ...env, DATABASE_URL: resolveDatabaseUrl(env), STEVEDORE_DATA_DIR: dataDir });
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
  }
  const e = parsed.data;
  if (e.REDIS_URL && !isPostgresUrl(e.DATABASE_URL)) {
    throw new ConfigError("invalid configuration:\n  DATABASE_URL: replicas (REDIS_URL is set) share one database: use PostgreSQL (postgres://…)");
  }
  if (e.REDIS_URL && !e.AUDIT_KEY) {
    // A key generated per replica would make each one's audit entries unverifiable by the others.
    throw new ConfigError("invalid configuration:\n  AUDIT_KEY: replicas (REDIS_URL is set) key one audit chain: set the same AUDIT_KEY (at least 32 characters) on every replica");
  }
  if (e.REDIS_URL && !e.BUS_KEY && !e.AUTH_SECRET) {
    throw new ConfigError("invalid configuration:\n  BUS_KEY: replicas (REDIS_URL is set) sign the bus with a shared key: set BUS_KEY (or AUTH_SECRET) to the same value on every replica");
  }
  if (e.REDIS_URL && !e.SECRETS_KEY) {
    // A relayed pull's credentials are opened by the replica holding the agent, not sent to it.
    throw new ConfigError("invalid configuration:\n  SECRETS_KEY: replicas (REDIS_URL is set) open each other's stored credentials: set it to the same value on every replica");
  }
  if (e.REDIS_TLS_CA_FILE && !e.REDIS_URL?.startsWith("rediss://")) {
    throw new ConfigError("invalid configuration:\n  REDIS_TLS_CA_FILE: only applies to a rediss:// REDIS_URL");
  }
  const tlsSettings = readTlsSettings(e);
  if (!tlsSettings.ok) throw new ConfigError(`invalid configuration:\n${tlsSettings.issues.map((i) => `  ${i}`).join("\n")}`);
  const { tls, agentCa } = tlsSettings;
  if (tls && e.REDIS_URL) {
    // Replicas reach each other over plain http (REPLICA_URL): TLS belongs at the ingress in front of them.
    throw new ConfigError("invalid configuration:\n  TLS_CERT_FILE: replicas (REDIS_URL is set) terminate TLS at the ingress or load balancer; set TLS_CA_FILE there for the agents' CA pin instead");
  }
  if (e.OIDC_ISSUER && !e.OIDC_CLIENT_ID) throw new ConfigError("invalid configuration:\n  OIDC_CLIENT_ID: OIDC_ISSUER is set: set the client id registered with that provider too");
  if (!e.OIDC_ISSUER && (e.OIDC_CLIENT_ID || e.OIDC_CLIENT_SECRET)) throw new ConfigError("invalid configuration:\n  OIDC_ISSUER: OIDC_CLIENT_ID/OIDC_CLIENT_SECRET are set: set the provider's issuer URL too");
  fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const authSecret = e.AUTH_SECRET ?? persistentSecret(dataDir, "auth-secret");
  return {
    dev: e.NODE_ENV === "development",
    host: e.HOST,
    port: e.PORT,
    publicUrl: (e.PUBLIC_URL ?? `${tls ? "https" : "http"}://${e.HOST === "0.0.0.0" ? "127.0.0.1" : e.HOST}:${e.PORT}`).replace(/\/$/, ""),
    databaseUrl: e.DATABASE_URL,
    dataDir,
    authSecret,
    secretsKey: e.SECRETS_KEY ?? persistentSecret(dataDir, "secrets-key"),
    auditKey: e.AUDIT_KEY ?? persistentSecret(dataDir, "audit-key"),
    auditWitnessUrl: e.AUDIT_WITNESS_URL,
    auditCheckpointIntervalMs: e.AUDIT_CHECKPOINT_INTERVAL_S * 1000,
    adminEmail: e.ADMIN_EMAIL,
    adminPassword: e.ADMIN_PASSWORD,
    joinTokenTtlMs: e.JOIN_TOKEN_TTL_MINUTES * 60_000,
    agentJoinLimit: e.AGENT_JOIN_LIMIT,
    agentEventBacklog: e.AGENT_EVENT_BACKLOG,
    alertDelivery: { retryBaseMs: e.ALERT_RETRY_BASE_MS, maxAttempts: e.ALERT_MAX_ATTEMPTS },
    hostCredentials: { rotateEveryMs: e.HOST_CREDENTIAL_ROTATE_HOURS * 3_600_000, expiresAfterMs: e.HOST_CREDENTIAL_TTL_DAYS * 86_400_000, overlapMs: CREDENTIAL_OVERLAP_MS },
    trustProxy: e.TRUST_PROXY === "true",
    signInRateLimit: perWindow(e.SIGNIN_RATE_LIMIT),
    signInAccountLimit: perWindow(e.SIGNIN_ACCOUNT_LIMIT),
    sessionMaxMs: e.SESSION_MAX_HOURS * 3_600_000,
    sessionIdleMs: e.SESSION_IDLE_HOURS * 3_600_000,
    logLevel: e.LOG_LEVEL,
    redisUrl: e.REDIS_URL,
    redisTlsCa: e.REDIS_TLS_CA_FILE ? readCaFile(e.REDIS_TLS_CA_FILE) : undefined,
    // Its own key, so a bus key never doubles as the session secret (or the other way round).
    busKey: e.BUS_KEY ?? Buffer.from(crypto.hkdfSync("sha256", authSecret, "", "stevedore bus key", 32)).toString("base64url"),
    replicaUrl: (e.REPLICA_URL ?? `http://${e.HOST === "0.0.0.0" ? "127.0.0.1" : e.HOST}:${e.PORT}`).replace(/\/$/, ""),
    tls,
    agentCa,
    metricsAddress: e.METRICS_ADDRESS,
    oidc:
      e.OIDC_ISSUER && e.OIDC_CLIENT_ID ?
        { id: e.OIDC_PROVIDER_ID, name: e.OIDC_NAME, issuer: e.OIDC_ISSUER, clientId: e.OIDC_CLIENT_ID, clientSecret: e.OIDC_CLIENT_SECRET, scopes: e.OIDC_SCOPES ?? DEFAULT_SCOPES, groupsClaim: e.OIDC_GROUPS_CLAIM }
      : undefined,
  };
}

function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = fs.readFileSync(file, "utf8");
  } catch (err) {
    throw new ConfigError(`invalid configuration:\n  REDIS_TLS_CA_FILE: cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
  }
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new ConfigError(`invalid configuration:\n  REDIS_TLS_CA_FILE: ${file} holds no PEM certificate`);
  return pem;
}

/** "3/10" → at most 3 per 10 seconds. */
function perWindow(value: string): { max: number; windowSeconds: number } {
  const [max, windowSeconds] = value.split("/").map(Number);
  return { max: max!, windowSeconds: windowSeconds! };
}

/**
 * The embedded default needs no configuration: without AUTH_SECRET (SECRETS_KEY, AUDIT_KEY) a random one is made
 * once and kept (0600) in the data directory, so sessions (stored credentials) survive restarts.
 * Production sets them from a secret store, so a copy of the database alone reveals nothing.
 */
function persistentSecret(dataDir: string, name: string): string {
  const file = path.join(dataDir, name);
  try {
    return fs.readFileSync(file, "utf8").trim();
  } catch {
    const secret = crypto.randomBytes(32).toString("base64url");
    fs.writeFileSync(file, secret + "\n", { mode: 0o600, flag: "wx" });
    return secret;
  }
}
