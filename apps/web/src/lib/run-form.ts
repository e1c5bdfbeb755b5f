import { type BindMountRule, RunSpec, checkBindMount, describeIssues, parseByteSize, type RunSpecInput } from "@stevedore/protocol";

/** A network the container joins, as the picker holds it: aliases comma-separated. */
export interface NetworkRow {
  name: string;
  aliases: string;
}

/** The run form as a person types it: one text field per option, lists one entry per line. */
export interface RunFormValues {
  image: string;
  name: string;
  command: string;
  env: string;
  ports: string;
  volumes: string;
  labels: string;
  restart: "no" | "always" | "unless-stopped" | "on-failure";
  maxRetries: string;
  init: boolean;
  cpuShares: string;
  memory: string;
  memorySwap: string;
  tty: boolean;
  interactive: boolean;
  // Advanced: what a recreate must keep, editable.
  entrypoint: string;
  /** `--entrypoint ""`: run without the image's entrypoint. */
  clearEntrypoint: boolean;
  hostname: string;
  user: string;
  workingDir: string;
  cpus: string;
  networks: NetworkRow[];
  healthCmd: string;
  /** How the healthcheck runs: through a shell (`--health-cmd`), or as exec words (an image's CMD form). */
  healthForm: "CMD-SHELL" | "CMD";
  noHealthcheck: boolean;
  healthInterval: string;
  healthTimeout: string;
  healthStartPeriod: string;
  healthRetries: string;
  stopSignal: string;
  stopTimeout: string;
  readOnly: boolean;
  /** Capabilities to drop, separated by spaces or commas (NET_RAW, ALL). */
  capDrop: string;
  /** Empty: the engine's default driver. */
  logDriver: string;
  /** key=value, one per line. */
  logOptions: string;
}

export const EMPTY_FORM: RunFormValues = {
  image: "",
  name: "",
  command: "",
  env: "",
  ports: "",
  volumes: "",
  labels: "",
  restart: "no",
  maxRetries: "",
  init: false,
  cpuShares: "",
  memory: "",
  memorySwap: "",
  tty: false,
  interactive: false,
  entrypoint: "",
  clearEntrypoint: false,
  hostname: "",
  user: "",
  workingDir: "",
  cpus: "",
  networks: [],
  healthCmd: "",
  healthForm: "CMD-SHELL",
  noHealthcheck: false,
  healthInterval: "",
  healthTimeout: "",
  healthStartPeriod: "",
  healthRetries: "",
  stopSignal: "",
  stopTimeout: "",
  readOnly: false,
  capDrop: "",
  logDriver: "",
  logOptions: "",
};

/** Words back into a line `splitCommand` reads the same. */
export function joinCommand(words: readonly string[]): string {
  return words.map((w) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`)).join(" ");
}

const num = (n: number | undefined) => (n === undefined ? "" : String(n));

function portLine(p: RunSpec["ports"][number]): string {
  const ip = p.hostIp ? (p.hostIp.includes(":") ? `[${p.hostIp}]` : p.hostIp) : "";
  const host = p.hostPort ? String(p.hostPort) : "";
  return `${ip ? `${ip}:${host}:` : host ? `${host}:` : ""}${p.containerPort}/${p.protocol}`;
}

function sizeText(n: number): string {
  for (const [unit, size] of [["g", 1024 ** 3], ["m", 1024 ** 2], ["k", 1024]] as const) if (n % size === 0) return `${n / size}${unit}`;
  return `${n}b`;
}

/** A spec as the form shows it (Edit and recreate, Duplicate, a pasted docker run line): parseRunForm gives the same spec back. */
export function specToForm(spec: RunSpec): RunFormValues {
  const health = spec.healthcheck;
  return {
    image: spec.image,
    name: spec.name ?? "",
    command: spec.cmd ? joinCommand(spec.cmd) : "",
    env: spec.env.join("\n"),
    ports: spec.ports.map(portLine).join("\n"),
    volumes: spec.mounts.map((m) => `${m.source}:${m.target}${m.readOnly ? ":ro" : ""}`).join("\n"),
    labels: Object.entries(spec.labels).map(([k, v]) => `${k}=${v}`).join("\n"),
    restart: spec.restartPolicy.name,
    maxRetries: num(spec.restartPolicy.maximumRetryCount),
    init: spec.init,
    cpuShares: num(spec.cpuShares),
    memory: spec.memoryBytes === undefined ? "" : sizeText(spec.memoryBytes),
    memorySwap: spec.memorySwapBytes === undefined ? "" : spec.memorySwapBytes === -1 ? "-1" : sizeText(spec.memorySwapBytes),
    tty: spec.tty,
    interactive: spec.interactive,
    entrypoint: spec.entrypoint ? joinCommand(spec.entrypoint) : "",
    clearEntrypoint: spec.entrypoint?.length === 0,
    hostname: spec.hostname ?? "",
    user: spec.user ?? "",
    workingDir: spec.workingDir ?? "",
    cpus: num(spec.cpus),
    networks: spec.networks.map((n) => ({ name: n.name, aliases: n.aliases.join(", ") })),
    healthCmd: health?.test[0] === "CMD-SHELL" ? health.test[1] : health?.test[0] === "CMD" ? joinCommand(health.test.slice(1)) : "",
    healthForm: health?.test[0] === "CMD" ? "CMD" : "CMD-SHELL",
    noHealthcheck: health?.test[0] === "NONE",
    healthInterval: num(health?.intervalSeconds),
    healthTimeout: num(health?.timeoutSeconds),
    healthStartPeriod: num(health?.startPeriodSeconds),
    healthRetries: num(health?.retries),
    stopSignal: spec.stopSignal ?? "",
    stopTimeout: num(spec.stopTimeoutSeconds),
    readOnly: spec.readOnlyRootfs === true,
    capDrop: (spec.capDrop ?? []).join(" "),
    logDriver: spec.logConfig?.driver ?? "",
    logOptions: Object.entries(spec.logConfig?.options ?? {}).map(([k, v]) => `${k}=${v}`).join("\n"),
  };
}

/** Splits a command line like a shell would for words and quotes (no expansion). */
export function splitCommand(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quote: '"' | "'" | null = null;
  let inWord = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === "\\" && quote === '"' && i + 1 < line.length) cur += line[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      inWord = true;
    } else if (ch === "\\" && i + 1 < line.length) {
      cur += line[++i];
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) out.push(cur);
      cur = "";
      inWord = false;
    } else {
      cur += ch;
      inWord = true;
    }
  }
  if (quote) throw new Error("a quote is not closed");
  if (inWord) out.push(cur);
  return out;
}

const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);

/** `[ip:]hostPort:containerPort[/proto]` or `containerPort[/proto]`, like `docker run -p`. */
function parsePort(line: string): NonNullable<RunSpecInput["ports"]>[number] {
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[0-9.]+):(\d*):|(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(line);
  if (!m) throw new Error(`"${line}" is not a port mapping; use hostPort:containerPort[/udp], e.g. 8080:80`);
  const hostPort = m[2] || m[3];
  return { hostIp: m[1]?.replace(/^\[|\]$/g, ""), hostPort: hostPort ? Number(hostPort) : undefined, containerPort: Number(m[4]), protocol: (m[5] as "tcp" | "udp" | "sctp") ?? "tcp" };
}

/** `source:/target[:ro]`: a bind mount when the source is a path, a named volume otherwise. */
function parseVolume(line: string): NonNullable<RunSpecInput["mounts"]>[number] {
  const parts = line.split(":");
  const readOnly = parts.length === 3 && (parts[2] === "ro" || parts[2] === "rw") ? parts.pop() === "ro" : false;
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`"${line}" is not a mount; use source:/path/in/container[:ro]`);
  return { type: parts[0].startsWith("/") ? "bind" : "volume", source: parts[0], target: parts[1], readOnly };
}

function parseSize(label: string, value: string): number | undefined {
  if (!value.trim()) return undefined;
  if (value.trim() === "-1") return -1;
  const n = parseByteSize(value);
  if (n === null) throw new Error(`${label}: "${value}" is not a size; use one like 512m or 1g`);
  return n;
}

/** A field of the form, or "form" for a problem no one field owns. */
export type FormField = keyof RunFormValues | "form";
export interface FieldError {
  field: FormField;
  message: string;
}

const HEALTH_FIELDS: Record<string, FormField> = { test: "healthCmd", intervalSeconds: "healthInterval", timeoutSeconds: "healthTimeout", startPeriodSeconds: "healthStartPeriod", retries: "healthRetries" };
const SPEC_FIELDS: Record<string, FormField> = {
  image: "image", name: "name", cmd: "command", env: "env", ports: "ports", mounts: "volumes", labels: "labels", init: "init", cpuShares: "cpuShares",
  memoryBytes: "memory", memorySwapBytes: "memorySwap", tty: "tty", interactive: "interactive", entrypoint: "entrypoint", hostname: "hostname", user: "user",
  workingDir: "workingDir", cpus: "cpus", networks: "networks", stopSignal: "stopSignal", stopTimeoutSeconds: "stopTimeout", readOnlyRootfs: "readOnly", capDrop: "capDrop",
};

/** The form field a spec path ("cpuShares", "healthcheck.retries", "logConfig.options.x") is typed in. */
export function fieldOfPath(path: readonly (string | number)[]): FormField {
  const [head, next] = path;
  if (head === "restartPolicy") return next === "maximumRetryCount" ? "maxRetries" : "restart";
  if (head === "healthcheck") return HEALTH_FIELDS[String(next)] ?? "healthCmd";
  if (head === "logConfig") return next === "driver" ? "logDriver" : "logOptions";
  return SPEC_FIELDS[String(head)] ?? "form";
}

/**
 * Where a refusal from the server belongs on the form: the run policy's words name what they refuse
 * (a bind mount, a log option), an input error names its spec path. Null: it belongs to no one field.
 */
export function fieldOfRefusal(message: string, problems?: readonly { path: readonly string[]; message: string }[] | null): FieldError[] {
  if (problems?.length) return problems.map((p) => ({ field: p.path[0] === "spec" ? fieldOfPath(p.path.slice(1)) : "form", message: p.message }));
  if (/\bbind mount\b/.test(message)) return [{ field: "volumes", message }];
  if (/\blog option\b/.test(message)) return [{ field: "logOptions", message }];
  if (/\bhost networking\b|\bnetwork\b.*\bnot found\b/i.test(message)) return [{ field: "networks", message }];
  if (/\bNo such image\b|\bimage\b.*\bnot found\b|manifest unknown/i.test(message)) return [{ field: "image", message }];
  return [];
}

export type ParsedRunForm = { ok: true; spec: RunSpec } | { ok: false; errors: FieldError[] };

/** A whole number or a decimal as typed; anything else goes to the schema as NaN, which names the field. */
const numberOf = (text: string) => (text.trim() ? Number(text.trim()) : undefined);

/**
 * Turns the form into the same RunSpec the API and the agent validate, or says everything that is
 * wrong at once, each problem with its field: a line that does not parse is left out of the spec, so
 * the schema still judges every other field in the same round.
 */
export function parseRunForm(v: RunFormValues): ParsedRunForm {
  const errors: FieldError[] = [];
  const attempt = <T,>(field: FormField, fn: () => T, label?: string): T | undefined => {
    try {
      return fn();
    } catch (err) {
      errors.push({ field, message: label ? `${label}: ${(err as Error).message}` : (err as Error).message });
      return undefined;
    }
  };
  const perLine = <T,>(field: FormField, text: string, fn: (line: string) => T): T[] =>
    lines(text).flatMap((l, i) => {
      const out = attempt(field, () => fn(l));
      if (out === undefined) errors[errors.length - 1]!.message = `${FIELD_LABELS[field as keyof RunFormValues] ?? field}, line ${i + 1}: ${errors[errors.length - 1]!.message}`;
      return out === undefined ? [] : [out];
    });
  const cmd = attempt("command", () => splitCommand(v.command), "Command");
  const ports = perLine("ports", v.ports, parsePort);
  const mounts = perLine("volumes", v.volumes, parseVolume);
  const memoryBytes = attempt("memory", () => parseSize("Memory", v.memory));
  const memorySwapBytes = attempt("memorySwap", () => parseSize("Memory + swap", v.memorySwap));
  const labels = Object.fromEntries(
    perLine("labels", v.labels, (l) => {
      const eq = l.indexOf("=");
      if (eq <= 0) throw new Error(`"${l}" is not key=value`);
      return [l.slice(0, eq), l.slice(eq + 1)] as const;
    }),
  );
  const entrypoint = attempt("entrypoint", () => (v.clearEntrypoint ? [] : v.entrypoint.trim() ? splitCommand(v.entrypoint) : undefined), "Entrypoint");
  const networks = v.networks
    .filter((n) => n.name.trim())
    .map((n) => ({ name: n.name.trim(), aliases: n.aliases.split(/[\s,]+/).filter(Boolean) }));
  const healthcheck = attempt("healthCmd", () => healthOf(v));
  const logOptions = Object.fromEntries(
    perLine("logOptions", v.logOptions, (l) => {
      const eq = l.indexOf("=");
      if (eq <= 0) throw new Error(`"${l}" is not key=value (e.g. max-size=10m)`);
      return [l.slice(0, eq).trim(), l.slice(eq + 1).trim()] as const;
    }),
  );
  if (!v.logDriver && Object.keys(logOptions).length) errors.push({ field: "logDriver", message: "Log options need a log driver: choose the one they are for" });
  const capDrop = v.capDrop.split(/[\s,]+/).filter(Boolean).map((c) => c.toUpperCase());
  const input: RunSpecInput = {
    image: v.image,
    name: v.name.trim() || undefined,
    cmd: cmd?.length ? cmd : undefined,
    env: lines(v.env),
    ports,
    mounts,
    labels,
    restartPolicy: { name: v.restart, maximumRetryCount: v.restart === "on-failure" ? numberOf(v.maxRetries) : undefined },
    init: v.init,
    cpuShares: numberOf(v.cpuShares),
    memoryBytes: memoryBytes === -1 ? undefined : memoryBytes,
    memorySwapBytes,
    tty: v.tty,
    interactive: v.interactive,
    entrypoint,
    hostname: v.hostname.trim() || undefined,
    user: v.user.trim() || undefined,
    workingDir: v.workingDir.trim() || undefined,
    cpus: numberOf(v.cpus),
    networks,
    healthcheck,
    stopSignal: (v.stopSignal.trim() || undefined) as RunSpecInput["stopSignal"],
    stopTimeoutSeconds: numberOf(v.stopTimeout),
    readOnlyRootfs: v.readOnly || undefined,
    capDrop: capDrop.length ? capDrop : undefined,
    logConfig: v.logDriver ? { driver: v.logDriver as NonNullable<RunSpecInput["logConfig"]>["driver"], options: logOptions } : undefined,
  };
  const parsed = RunSpec.safeParse(input);
  // A field that already has its own message (a line that did not parse) is not judged twice.
  const own = new Set(errors.map((e) => e.field));
  if (!parsed.success) for (const p of describeIssues(parsed.error.issues)) if (!own.has(fieldOfPath(p.path))) errors.push({ field: fieldOfPath(p.path), message: p.message });
  if (errors.length || !parsed.success) return { ok: false, errors };
  return { ok: true, spec: parsed.data };
}

/** The form's labels, for messages that name a field. */
export const FIELD_LABELS: Partial<Record<keyof RunFormValues, string>> = {
  ports: "Published ports",
  volumes: "Volumes and binds",
  labels: "Labels",
  logOptions: "Log options",
};

function healthOf(v: RunFormValues): RunSpecInput["healthcheck"] {
  if (v.noHealthcheck) return { test: ["NONE"] };
  const timing = {
    intervalSeconds: v.healthInterval.trim() ? Number(v.healthInterval) : undefined,
    timeoutSeconds: v.healthTimeout.trim() ? Number(v.healthTimeout) : undefined,
    startPeriodSeconds: v.healthStartPeriod.trim() ? Number(v.healthStartPeriod) : undefined,
    retries: v.healthRetries.trim() ? Number(v.healthRetries) : undefined,
  };
  if (!v.healthCmd.trim()) {
    if (Object.values(timing).some((t) => t !== undefined)) throw new Error("Healthcheck timings need a command: give one, or clear the timings");
    return undefined;
  }
  if (v.healthForm === "CMD-SHELL") return { test: ["CMD-SHELL", v.healthCmd.trim()], ...timing };
  const [first, ...rest] = splitCommand(v.healthCmd);
  return { test: ["CMD", first!, ...rest], ...timing };
}

/** The run policy on one host as the server states it (containers.runPolicy). */
export interface HostPolicy {
  hostId: string;
  hostName: string;
  rule: BindMountRule;
  admin: boolean;
  from: string;
  dataRoot: string | null;
}

/** "only under /srv/data on staging-1", "off on prod-1, prod-2": hosts with the same rule together. */
export function policySummary(policies: readonly HostPolicy[]): string[] {
  const groups = new Map<string, string[]>();
  for (const p of policies) {
    const words = p.rule === "any" ? (p.admin ? "any path (you are an admin)" : "any path") : p.rule === "none" ? "off (named volumes only)" : `only under ${p.rule.prefixes.join(", ")}`;
    groups.set(words, [...(groups.get(words) ?? []), p.hostName]);
  }
  return [...groups].map(([words, hosts]) => `${words} on ${hosts.join(", ")}`);
}

/**
 * What the server will refuse, per host, for the binds typed so far: the same check it runs (the
 * agent also resolves symlinks, which only it can see). The server's answer is still the one that counts.
 */
export function predictedRefusals(spec: Pick<RunSpec, "mounts">, policies: readonly HostPolicy[]): { hostName: string; message: string }[] {
  const out: { hostName: string; message: string }[] = [];
  for (const p of policies) {
    for (const m of spec.mounts) {
      if (m.type !== "bind") continue;
      const r = checkBindMount({ source: m.source, rule: p.rule, admin: p.admin, dataRoots: p.dataRoot ? [p.dataRoot] : [], ruleName: `the rule for ${p.from}` });
      if (r) {
        out.push({ hostName: p.hostName, message: r.message });
        break;
      }
    }
  }
  return out;
}
