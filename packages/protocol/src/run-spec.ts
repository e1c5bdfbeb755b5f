import { z } from "zod";

// A first component is a registry only when it looks like one (a dot, a port, or localhost), as in the engine.
const REGISTRY = String.raw`(?:(?:localhost|[a-zA-Z0-9-]+(?:\.[a-zA-Z0-9-]+)+)(?::[0-9]+)?|[a-zA-Z0-9-]+:[0-9]+)\/`;
const PATH_COMPONENT = String.raw`[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*`;
const IMAGE_REF = new RegExp(String.raw`^(?:${REGISTRY})?${PATH_COMPONENT}(?:\/${PATH_COMPONENT})*(?::[\w][\w.-]{0,127})?(?:@sha256:[0-9a-f]{64})?$`);

/**
 * An image reference as the engine accepts it: [registry[:port]/]path[:tag][@digest], lowercase path.
 * A reference without tag or digest means :latest (the form warns about that).
 */
export const ImageReference = z
  .string()
  .trim()
  .min(1, "an image is required")
  .max(512)
  .regex(IMAGE_REF, "not a valid image reference (e.g. busybox:1.36, registry.example.com:5000/team/app:2.1)");

/** Tags that by custom move to newer images. */
const MOVING_TAGS = /^(latest|stable|edge|main|master|nightly|dev|develop|lts|current|beta|canary|mainline|testing|unstable)$/;

/**
 * Why a reference may name a different image tomorrow, or null when it is pinned (a digest) or names a
 * full version. Any tag can be moved; these are the ones that are meant to.
 */
export function mutableTagWarning(ref: string): string | null {
  const r = ref.trim();
  if (!r || r.includes("@")) return null;
  const lastSegment = r.slice(r.lastIndexOf("/") + 1);
  const tag = lastSegment.includes(":") ? lastSegment.slice(lastSegment.indexOf(":") + 1) : null;
  if (tag === null) return "No tag: the engine runs :latest, which can mean a different image tomorrow. Name a version or a digest.";
  if (MOVING_TAGS.test(tag)) return `:${tag} is a moving tag: it can mean a different image tomorrow. Name a version or a digest.`;
  if (/^v?\d+(\.\d+)?$/.test(tag)) return `:${tag} follows new releases of that line; name a full version or a digest to get the same image every time.`;
  return null;
}

/** Sizes as `docker run --memory` takes them: 512m, 1g, 1.5GiB, 1073741824 (binary multiples). */
export function parseByteSize(input: string): number | null {
  const m = /^(\d+(?:\.\d+)?)\s*([kmgtp])?i?b?$/i.exec(input.trim());
  if (!m) return null;
  const power = m[2] ? "kmgtp".indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.round(Number(m[1]) * 1024 ** power);
}

export const CONTAINER_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
export const ContainerName = z.string().regex(CONTAINER_NAME, "names use letters, digits, _ . - and start with a letter or digit");

// Every object of a run spec is strict: a field it does not know ("privileged": true) is an error
// naming the field, never silently dropped, so no one believes a setting took effect when it did not.
export const PortMapping = z.strictObject({
  containerPort: z.number().int().min(1).max(65535),
  hostPort: z.number().int().min(0).max(65535).optional(),
  hostIp: z.union([z.ipv4(), z.ipv6()]).optional(),
  protocol: z.enum(["tcp", "udp", "sctp"]).default("tcp"),
});

/** A named volume, as the engine names them. */
export const VOLUME_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

export const MountSpec = z
  .strictObject({
    type: z.enum(["bind", "volume"]),
    /** A host path for a bind (absolute; the run policy decides which), a volume name for a volume. */
    source: z.string().min(1).max(4096),
    target: z.string().regex(/^\//, "the path in the container must be absolute").max(4096),
    readOnly: z.boolean().default(false),
  })
  .superRefine((m, ctx) => {
    if (m.type === "bind" && !m.source.startsWith("/")) ctx.addIssue({ code: "custom", path: ["source"], message: "a bind mount's source is an absolute host path" });
    if (m.type === "volume" && !VOLUME_NAME.test(m.source)) ctx.addIssue({ code: "custom", path: ["source"], message: "a volume's name uses letters, digits, _ . - (a host path is a bind mount)" });
  });

export const RestartPolicy = z.strictObject({
  name: z.enum(["no", "always", "unless-stopped", "on-failure"]).default("no"),
  maximumRetryCount: z.number().int().min(0).max(1000).optional(),
});

/** A network the container joins, with its DNS aliases there (the engine's own bridge has none). */
export const NETWORK_NAME = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/;
export const NetworkAttachment = z
  .strictObject({
    name: z.string().regex(NETWORK_NAME, "a network's name uses letters, digits, _ . -"),
    aliases: z.array(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,252}$/, "an alias is a host name")).max(32).default([]),
  })
  // Sharing the host's network namespace reaches the host's loopback services: not something Run offers.
  // (Another container's, `container:<id>`, cannot be named: the name pattern has no colon.)
  .refine((n) => n.name !== "host", { message: "host networking is not offered: it reaches the host's own loopback services", path: ["name"] });

/** The image's HEALTHCHECK, or one of the container's own (`--health-cmd` …); `["NONE"]` turns the image's off. */
export const Healthcheck = z.strictObject({
  test: z.union([z.tuple([z.literal("NONE")]), z.tuple([z.literal("CMD-SHELL"), z.string().min(1).max(8192)]), z.tuple([z.literal("CMD"), z.string().min(1).max(8192)], z.string().max(8192))]),
  intervalSeconds: z.number().min(0).max(86_400).optional(),
  timeoutSeconds: z.number().min(0).max(86_400).optional(),
  startPeriodSeconds: z.number().min(0).max(86_400).optional(),
  retries: z.number().int().min(0).max(1000).optional(),
});
export type Healthcheck = z.infer<typeof Healthcheck>;

/** A Linux capability as `--cap-drop` takes it (with or without CAP_), or ALL. */
export const Capability = z.string().regex(/^(ALL|(CAP_)?[A-Z][A-Z_]{1,31})$/, "a capability is a name like NET_RAW (or ALL)");

/** The engine's built-in log drivers; a plugin driver is whatever its installer made it, so Run does not offer one. */
export const LOG_DRIVERS = ["json-file", "local", "journald", "syslog", "gelf", "fluentd", "awslogs", "splunk", "gcplogs", "logentries", "etwlogs", "none"] as const;
export const LogConfig = z.strictObject({
  driver: z.enum(LOG_DRIVERS, { message: `a log driver is one of ${LOG_DRIVERS.join(", ")}` }),
  /** `--log-opt key=value`: the driver's own options (max-size, syslog-address…). */
  options: z.record(z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,63}$/, "a log option's name uses letters, digits, _ . -"), z.string().max(4096)).default({}),
});
export type LogConfig = z.infer<typeof LogConfig>;

export const SIGNALS = ["SIGKILL", "SIGTERM", "SIGHUP", "SIGINT", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGWINCH", "SIGSTOP", "SIGCONT"] as const;
export const Signal = z.enum(SIGNALS);

/** Everything "Run container" can ask of an engine: the same shape for the form, the API and the agent. */
export const RunSpec = z
  .strictObject({
    image: ImageReference,
    name: ContainerName.optional(),
    /** Command and arguments, replacing the image's CMD. */
    cmd: z.array(z.string().max(8192)).max(256).optional(),
    env: z.array(z.string().regex(/^[^=\s]+=/, "environment entries look like KEY=value").max(32_768)).max(512).default([]),
    ports: z.array(PortMapping).max(256).default([]),
    mounts: z.array(MountSpec).max(128).default([]),
    restartPolicy: RestartPolicy.default({ name: "no" }),
    labels: z.record(z.string().min(1).max(256), z.string().max(4096)).default({}),
    /** An init process as PID 1 that forwards signals and reaps children (docker run --init). */
    init: z.boolean().default(false),
    /** Relative CPU weight; 1024 is the engine's default share. */
    cpuShares: z.number().int().min(2).max(262_144).optional(),
    memoryBytes: z.number().int().positive().optional(),
    /** Memory plus swap; -1 for unlimited swap. */
    memorySwapBytes: z.number().int().min(-1).optional(),
    tty: z.boolean().default(false),
    interactive: z.boolean().default(false),
    /** Replaces the image's ENTRYPOINT (`--entrypoint`); `[]` clears it. */
    entrypoint: z.array(z.string().max(8192)).max(64).optional(),
    hostname: z.string().regex(/^[a-zA-Z0-9]([a-zA-Z0-9.-]{0,252})$/, "a host name uses letters, digits, . -").optional(),
    /** `user`, `uid`, `user:group` or `uid:gid`, as `--user` takes it. */
    user: z.string().regex(/^[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,63}(:[a-zA-Z0-9_][a-zA-Z0-9_.-]{0,63})?$/, "a user is a name or uid, with an optional :group").optional(),
    workingDir: z.string().regex(/^\//, "the working directory is an absolute path").max(4096).optional(),
    /** CPUs the container may use in total (`--cpus 1.5`). */
    cpus: z.number().min(0.01).max(1024).optional(),
    /** The first is the one it is created on; the others are joined before it starts. Empty: the engine's default bridge. */
    networks: z.array(NetworkAttachment).max(16).default([]),
    healthcheck: Healthcheck.optional(),
    stopSignal: Signal.optional(),
    /** Seconds `docker stop` waits before SIGKILL (`--stop-timeout`); the engine's default is 10. */
    stopTimeoutSeconds: z.number().int().min(0).max(3600).optional(),
    // Added in protocol 5. Optional without defaults, so a spec that does not use them still reaches an
    // older agent (whose strict spec refuses a field it does not know, even a false one).
    /** `--read-only`: the container's root filesystem is mounted read-only (volumes and binds as they say). */
    readOnlyRootfs: z.boolean().optional(),
    /** `--cap-drop`: capabilities taken away from the engine's default set. (Adding any, `--cap-add`, is not offered.) */
    capDrop: z.array(Capability).max(64).optional(),
    /** `--log-driver` and `--log-opt`; absent, the engine's default driver. */
    logConfig: LogConfig.optional(),
  })
  .refine((s) => new Set(s.networks.map((n) => n.name)).size === s.networks.length, { message: "a network is named twice", path: ["networks"] })
  .refine((s) => s.memorySwapBytes === undefined || s.memorySwapBytes === -1 || (s.memoryBytes !== undefined && s.memorySwapBytes >= s.memoryBytes), {
    message: "memory+swap must be at least the memory limit (or -1 for unlimited), and needs a memory limit",
    path: ["memorySwapBytes"],
  });
export type RunSpec = z.infer<typeof RunSpec>;
export type RunSpecInput = z.input<typeof RunSpec>;

const shellSafe = /^[A-Za-z0-9_./:=@%+,-]+$/;
function quote(arg: string): string {
  return shellSafe.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

function byteFlag(n: number): string {
  for (const [unit, size] of [["g", 1024 ** 3], ["m", 1024 ** 2], ["k", 1024]] as const) if (n % size === 0) return `${n / size}${unit}`;
  return String(n);
}

/** The equivalent `docker run` line, copyable into a shell on the host. */
export function dockerRunCommand(spec: RunSpec): string {
  const args = ["docker", "run", "-d"];
  if (spec.interactive) args.push("-i");
  if (spec.tty) args.push("-t");
  if (spec.name) args.push("--name", spec.name);
  if (spec.init) args.push("--init");
  if (spec.hostname) args.push("--hostname", spec.hostname);
  if (spec.user) args.push("--user", spec.user);
  if (spec.workingDir) args.push("--workdir", spec.workingDir);
  if (spec.entrypoint) args.push("--entrypoint", spec.entrypoint.length === 0 ? "" : spec.entrypoint[0]!);
  if (spec.cpus !== undefined) args.push("--cpus", String(spec.cpus));
  if (spec.cpuShares !== undefined) args.push("--cpu-shares", String(spec.cpuShares));
  if (spec.memoryBytes !== undefined) args.push("--memory", byteFlag(spec.memoryBytes));
  if (spec.memorySwapBytes !== undefined) args.push("--memory-swap", spec.memorySwapBytes === -1 ? "-1" : byteFlag(spec.memorySwapBytes));
  if (spec.restartPolicy.name !== "no") {
    const { name, maximumRetryCount } = spec.restartPolicy;
    args.push("--restart", name + (name === "on-failure" && maximumRetryCount !== undefined ? `:${maximumRetryCount}` : ""));
  }
  for (const p of spec.ports) {
    const ip = p.hostIp?.includes(":") ? `[${p.hostIp}]` : p.hostIp;
    // An address without a host port (`127.0.0.1::80`) still keeps the port off the other interfaces.
    const host = p.hostPort ? `${ip ? `${ip}:` : ""}${p.hostPort}:` : ip ? `${ip}::` : "";
    args.push("-p", `${host}${p.containerPort}/${p.protocol}`);
  }
  // docker run joins one network; the others are `docker network connect` afterwards, which one line cannot say.
  const [network] = spec.networks;
  if (network) args.push("--network", network.name, ...network.aliases.flatMap((a) => ["--network-alias", a]));
  if (spec.healthcheck) {
    const h = spec.healthcheck;
    if (h.test[0] === "NONE") args.push("--no-healthcheck");
    else {
      args.push("--health-cmd", h.test[0] === "CMD-SHELL" ? h.test[1] : h.test.slice(1).map(quote).join(" "));
      if (h.intervalSeconds !== undefined) args.push("--health-interval", `${h.intervalSeconds}s`);
      if (h.timeoutSeconds !== undefined) args.push("--health-timeout", `${h.timeoutSeconds}s`);
      if (h.startPeriodSeconds !== undefined) args.push("--health-start-period", `${h.startPeriodSeconds}s`);
      if (h.retries !== undefined) args.push("--health-retries", String(h.retries));
    }
  }
  if (spec.readOnlyRootfs) args.push("--read-only");
  for (const c of spec.capDrop ?? []) args.push("--cap-drop", c);
  if (spec.logConfig) {
    args.push("--log-driver", spec.logConfig.driver);
    for (const [k, v] of Object.entries(spec.logConfig.options)) args.push("--log-opt", `${k}=${v}`);
  }
  if (spec.stopSignal) args.push("--stop-signal", spec.stopSignal);
  if (spec.stopTimeoutSeconds !== undefined) args.push("--stop-timeout", String(spec.stopTimeoutSeconds));
  for (const m of spec.mounts) args.push("-v", `${m.source}:${m.target}${m.readOnly ? ":ro" : ""}`);
  for (const e of spec.env) args.push("-e", e);
  for (const [k, v] of Object.entries(spec.labels)) args.push("--label", `${k}=${v}`);
  args.push(spec.image, ...(spec.entrypoint?.slice(1) ?? []), ...(spec.cmd ?? []));
  return args.map(quote).join(" ");
}
