import { type BindMountRule, RunSpec, checkBindMount, parseByteSize, type RunSpecInput } from "@stevedore/protocol";

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
  /** One per line: `name` or `name alias1,alias2`. */
  networks: string;
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
  networks: "",
  healthCmd: "",
  healthForm: "CMD-SHELL",
  noHealthcheck: false,
  healthInterval: "",
  healthTimeout: "",
  healthStartPeriod: "",
  healthRetries: "",
  stopSignal: "",
  stopTimeout: "",
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
    networks: spec.networks.map((n) => [n.name, n.aliases.join(",")].filter(Boolean).join(" ")).join("\n"),
    healthCmd: health?.test[0] === "CMD-SHELL" ? health.test[1] : health?.test[0] === "CMD" ? joinCommand(health.test.slice(1)) : "",
    healthForm: health?.test[0] === "CMD" ? "CMD" : "CMD-SHELL",
    noHealthcheck: health?.test[0] === "NONE",
    healthInterval: num(health?.intervalSeconds),
    healthTimeout: num(health?.timeoutSeconds),
    healthStartPeriod: num(health?.startPeriodSeconds),
    healthRetries: num(health?.retries),
    stopSignal: spec.stopSignal ?? "",
    stopTimeout: num(spec.stopTimeoutSeconds),
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
  if (quote) throw new Error("unclosed quote in the command");
  if (inWord) out.push(cur);
  return out;
}

const lines = (text: string) => text.split("\n").map((l) => l.trim()).filter(Boolean);

/** `[ip:]hostPort:containerPort[/proto]` or `containerPort[/proto]`, like `docker run -p`. */
function parsePort(line: string): NonNullable<RunSpecInput["ports"]>[number] {
  const m = /^(?:(\[[0-9a-fA-F:]+\]|[0-9.]+):(\d*):|(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(line);
  if (!m) throw new Error(`port "${line}": use hostPort:containerPort[/tcp|udp], e.g. 8080:80`);
  const hostPort = m[2] || m[3];
  return { hostIp: m[1]?.replace(/^\[|\]$/g, ""), hostPort: hostPort ? Number(hostPort) : undefined, containerPort: Number(m[4]), protocol: (m[5] as "tcp" | "udp" | "sctp") ?? "tcp" };
}

/** `source:/target[:ro]`: a bind mount when the source is a path, a named volume otherwise. */
function parseVolume(line: string): NonNullable<RunSpecInput["mounts"]>[number] {
  const parts = line.split(":");
  const readOnly = parts.length === 3 && (parts[2] === "ro" || parts[2] === "rw") ? parts.pop() === "ro" : false;
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new Error(`volume "${line}": use source:/path/in/container[:ro]`);
  return { type: parts[0].startsWith("/") ? "bind" : "volume", source: parts[0], target: parts[1], readOnly };
}

function parseSize(field: string, value: string): number | undefined {
  if (!value.trim()) return undefined;
  if (value.trim() === "-1") return -1;
  const n = parseByteSize(value);
  if (n === null) throw new Error(`${field} "${value}": use a size like 512m or 1g`);
  return n;
}

export type ParsedRunForm = { ok: true; spec: RunSpec } | { ok: false; errors: string[] };

/** Turns the form into the same RunSpec the API and the agent validate, or says what is wrong. */
export function parseRunForm(v: RunFormValues): ParsedRunForm {
  const errors: string[] = [];
  const attempt = <T,>(fn: () => T): T | undefined => {
    try {
      return fn();
    } catch (err) {
      errors.push((err as Error).message);
      return undefined;
    }
  };
  const cmd = attempt(() => splitCommand(v.command));
  const ports = attempt(() => lines(v.ports).map(parsePort));
  const mounts = attempt(() => lines(v.volumes).map(parseVolume));
  const memoryBytes = attempt(() => parseSize("memory", v.memory));
  const memorySwapBytes = attempt(() => parseSize("memory+swap", v.memorySwap));
  const labels = attempt(() =>
    Object.fromEntries(
      lines(v.labels).map((l) => {
        const eq = l.indexOf("=");
        if (eq <= 0) throw new Error(`label "${l}": use key=value`);
        return [l.slice(0, eq), l.slice(eq + 1)];
      }),
    ),
  );
  const entrypoint = attempt(() => (v.clearEntrypoint ? [] : v.entrypoint.trim() ? splitCommand(v.entrypoint) : undefined));
  const networks = attempt(() =>
    lines(v.networks).map((l) => {
      const [name, aliases, ...rest] = l.split(/\s+/);
      if (rest.length) throw new Error(`network "${l}": use name, or name alias1,alias2`);
      return { name: name!, aliases: aliases ? aliases.split(",").filter(Boolean) : [] };
    }),
  );
  const healthcheck = attempt(() => healthOf(v));
  if (errors.length) return { ok: false, errors };
  const optionalNumber = (text: string) => (text.trim() ? Number(text) : undefined);
  const input: RunSpecInput = {
    image: v.image,
    name: v.name.trim() || undefined,
    cmd: cmd?.length ? cmd : undefined,
    env: lines(v.env),
    ports,
    mounts,
    labels,
    restartPolicy: { name: v.restart, maximumRetryCount: v.restart === "on-failure" && v.maxRetries ? Number(v.maxRetries) : undefined },
    init: v.init,
    cpuShares: v.cpuShares.trim() ? Number(v.cpuShares) : undefined,
    memoryBytes: memoryBytes === -1 ? undefined : memoryBytes,
    memorySwapBytes,
    tty: v.tty,
    interactive: v.interactive,
    entrypoint,
    hostname: v.hostname.trim() || undefined,
    user: v.user.trim() || undefined,
    workingDir: v.workingDir.trim() || undefined,
    cpus: optionalNumber(v.cpus),
    networks,
    healthcheck,
    stopSignal: (v.stopSignal.trim() || undefined) as RunSpecInput["stopSignal"],
    stopTimeoutSeconds: optionalNumber(v.stopTimeout),
  };
  const parsed = RunSpec.safeParse(input);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join(".") || "form"}: ${i.message}`) };
  return { ok: true, spec: parsed.data };
}

function healthOf(v: RunFormValues): RunSpecInput["healthcheck"] {
  if (v.noHealthcheck) return { test: ["NONE"] };
  const timing = {
    intervalSeconds: v.healthInterval.trim() ? Number(v.healthInterval) : undefined,
    timeoutSeconds: v.healthTimeout.trim() ? Number(v.healthTimeout) : undefined,
    startPeriodSeconds: v.healthStartPeriod.trim() ? Number(v.healthStartPeriod) : undefined,
    retries: v.healthRetries.trim() ? Number(v.healthRetries) : undefined,
  };
  if (!v.healthCmd.trim()) {
    if (Object.values(timing).some((t) => t !== undefined)) throw new Error("healthcheck: timings need a command");
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
