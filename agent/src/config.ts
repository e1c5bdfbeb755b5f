import os from "node:os";
import path from "node:path";
import { type ParseArgsConfig, parseArgs } from "node:util";
import { z } from "zod";
import { parseListenAddress } from "@stevedore/protocol/metrics-listener";
import { AGENT_VERSION } from "./version";
import { type BindMountRule, CaPin, DEFAULT_STATS_INTERVAL_MS, insecureUrlMessage, isInsecureUrl, parseBindMountsFlag } from "@stevedore/protocol";

const ConfigFields = z.object({
  // Several replicas without a load balancer in front: a comma-separated list, tried in turn.
  url: z
    .string()
    .refine((v) => v.split(",").every((u) => z.url({ protocol: /^https?$/ }).safeParse(u.trim()).success), "must be the control plane's http(s):// URL (or several, comma-separated), e.g. https://stevedore.example.com")
    .optional(),
  joinToken: z.string().min(16, "a join token is at least 16 characters").optional(),
  credentialsFile: z.string().min(1),
  dockerSocket: z.string().min(1).optional(),
  hostname: z.string().min(1).max(255),
  logLevel: z.enum(["trace", "debug", "info", "warn", "error", "fatal"]),
  enrollOnly: z.boolean(),
  statsIntervalMs: z.coerce.number({ error: "must be a number of seconds" }).min(1_000, "must be at least 1 second").max(3_600_000),
  /** The host owner's rule for bind mounts, on top of the control plane's (the stricter wins; binds admins too). */
  bindMounts: z.string().transform((text, ctx): BindMountRule => {
    const parsed = parseBindMountsFlag(text);
    if (parsed.ok) return parsed.rule;
    ctx.addIssue({ code: "custom", message: `--bind-mounts (STEVEDORE_BIND_MOUNTS): ${parsed.reason}` });
    return z.NEVER;
  }),
  /** The control plane's CA, pinned by the SHA-256 of its public key: from then on the only CA trusted. */
  caPin: CaPin.optional(),
  /** The owner accepts plain http to a non-loopback control plane (warned at every connect, shown in red). */
  insecureHttp: z.boolean(),
  /** Where Prometheus scrapes the agent's /metrics; off when unset. */
  metricsAddress: z
    .string()
    .max(300)
    .transform((v, ctx) => parseListenAddress(v) ?? (ctx.addIssue({ code: "custom", message: '--metrics-address (STEVEDORE_METRICS_ADDRESS): must be host:port, e.g. "127.0.0.1:9465"' }), z.NEVER))
    .optional(),
});
const Config = ConfigFields.superRefine((c, ctx) => {
  if (c.url) for (const message of transportProblems(c.url, c)) ctx.addIssue({ code: "custom", path: ["url"], message });
});
export type AgentConfig = z.infer<typeof Config>;

const USAGE = `Usage: stevedore-agent [--url URL --join TOKEN] [options]

  --url URL[,URL…]       control plane URL, or its replicas' URLs tried in turn (STEVEDORE_URL)
  --join TOKEN           one-time join token from "Add host" (STEVEDORE_JOIN_TOKEN)
  --credentials FILE     where the host credential is kept (STEVEDORE_CREDENTIALS_FILE)
  --docker-socket PATH   engine socket; DOCKER_HOST is honoured when unset (STEVEDORE_DOCKER_SOCKET)
  --hostname NAME        name to report for this host (STEVEDORE_HOSTNAME)
  --log-level LEVEL      trace|debug|info|warn|error (LOG_LEVEL)
  --stats-interval SECS  how often containers' resource use is sampled, default 5 (STEVEDORE_STATS_INTERVAL)
  --bind-mounts RULE     which host paths runs may bind-mount, whatever the control plane allows, admins
                         included: none, any (default: the control plane's run policy decides), or
                         PREFIX[,PREFIX…] to allow only under those absolute paths (STEVEDORE_BIND_MOUNTS)
  --ca-pin sha256:HEX    trust only the control plane's CA with this public-key digest (from "Add host"):
                         fetched once from /install/ca.pem, checked, kept beside the credentials
                         (STEVEDORE_CA_PIN); without it the system's CAs are trusted
  --insecure-http        allow a plain http:// URL to another machine: the credential and every command
                         cross the network readable and alterable (STEVEDORE_INSECURE_HTTP=true)
  --metrics-address H:P  serve Prometheus metrics at http://H:P/metrics (engine latency, events seen,
                         reconnects), e.g. 127.0.0.1:9465; off by default (STEVEDORE_METRICS_ADDRESS)
  --version              print the agent's version and exit
  --enroll               enroll (unless already enrolled) and exit, without connecting: used by the installer`;

/**
 * Why these control-plane URLs may not be used with these settings: plain http to another machine
 * without --insecure-http, or a CA pin with a URL that has no TLS to pin. Checked on the flags and
 * again on the URL an enrolled host keeps in its credentials file.
 */
export function transportProblems(url: string, opts: { insecureHttp: boolean; caPin?: string }): string[] {
  const problems: string[] = [];
  for (const u of url.split(",").map((v) => v.trim())) {
    if (isInsecureUrl(u) && !opts.insecureHttp) problems.push(`--url (STEVEDORE_URL): ${insecureUrlMessage(u)} (STEVEDORE_INSECURE_HTTP=true)`);
    if (opts.caPin && !u.startsWith("https://")) problems.push(`--ca-pin (STEVEDORE_CA_PIN) pins the control plane's TLS certificate: ${u} must be https://`);
  }
  return problems;
}

export function defaultCredentialsFile(): string {
  return process.getuid?.() === 0
    ? "/var/lib/stevedore-agent/credentials.json"
    : path.join(os.homedir(), ".config", "stevedore-agent", "credentials.json");
}

/** Flags win over environment variables; every bad value is reported by name before the agent starts. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): AgentConfig {
  const { values } = parseArgsOrUsage({
    args: argv,
    options: {
      url: { type: "string" },
      join: { type: "string" },
      credentials: { type: "string" },
      "docker-socket": { type: "string" },
      hostname: { type: "string" },
      "log-level": { type: "string" },
      "stats-interval": { type: "string" },
      "bind-mounts": { type: "string" },
      "ca-pin": { type: "string" },
      "insecure-http": { type: "boolean" },
      "metrics-address": { type: "string" },
      enroll: { type: "boolean" },
      help: { type: "boolean" },
      version: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  if (values.version) {
    console.log(AGENT_VERSION);
    process.exit(0);
  }
  const result = Config.safeParse({
    url: values.url ?? env.STEVEDORE_URL,
    joinToken: values.join ?? env.STEVEDORE_JOIN_TOKEN,
    credentialsFile: values.credentials ?? env.STEVEDORE_CREDENTIALS_FILE ?? defaultCredentialsFile(),
    dockerSocket: values["docker-socket"] ?? env.STEVEDORE_DOCKER_SOCKET,
    hostname: values.hostname ?? env.STEVEDORE_HOSTNAME ?? os.hostname(),
    logLevel: values["log-level"] ?? env.LOG_LEVEL ?? "info",
    enrollOnly: values.enroll ?? false,
    statsIntervalMs: Number(values["stats-interval"] ?? env.STEVEDORE_STATS_INTERVAL ?? DEFAULT_STATS_INTERVAL_MS / 1000) * 1000,
    bindMounts: values["bind-mounts"] ?? env.STEVEDORE_BIND_MOUNTS ?? "any",
    caPin: values["ca-pin"] ?? (env.STEVEDORE_CA_PIN || undefined),
    insecureHttp: values["insecure-http"] ?? ["true", "1", "yes"].includes(env.STEVEDORE_INSECURE_HTTP?.toLowerCase() ?? ""),
    metricsAddress: values["metrics-address"] ?? (env.STEVEDORE_METRICS_ADDRESS || undefined),
  });
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`);
    throw new ConfigError(`invalid agent configuration:\n${lines.join("\n")}\n\n${USAGE}`);
  }
  return result.data;
}

export class ConfigError extends Error {}

/** A flag the agent does not know, or one missing its value: a mistake in the command line, not the configuration. */
export class UsageError extends Error {}

function parseArgsOrUsage<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  try {
    return parseArgs(config);
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
}
