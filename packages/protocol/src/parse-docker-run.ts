import { parse as shellParse } from "shell-quote";
import { RunSpec, parseByteSize, type Healthcheck, type RunSpecInput } from "./run-spec";

/** A pasted `docker run …` line as a spec, with the docker flags a spec cannot carry named as typed. */
export type ParsedDockerRun =
  | { ok: true; spec: RunSpec; unsupported: string[] }
  | { ok: false; errors: DockerRunError[] };
export type DockerRunError = { flag: string | null; message: string };

/** Far above any real line (a spec's own limits are smaller), low enough that parsing stays instant. */
export const MAX_DOCKER_RUN_BYTES = 64 * 1024;

/** Which flag set a part of the spec, so a schema issue there names the flag as it was typed. */
type Origin = { flag: string | null; label: string };

/** The spec as the flags build it, unvalidated: RunSpec itself judges the values at the end. */
class Draft {
  readonly input: Record<string, unknown> = {};
  readonly origins = new Map<string, Origin>();
  readonly aliases: { alias: string; origin: Origin }[] = [];
  readonly unsupported: string[] = [];
  origin: Origin = { flag: null, label: "" };
  typed = "";
  noHealthcheck = false;

  set(key: keyof RunSpecInput, value: unknown): void {
    this.input[key] = value;
    this.origins.set(key, this.origin);
  }
  push(key: "env" | "ports" | "mounts" | "networks", item: unknown): void {
    const list = (this.input[key] ??= []) as unknown[];
    this.origins.set(`${key}.${list.length}`, this.origin);
    this.origins.set(key, this.origin);
    list.push(item);
  }
  label(key: string, value: string): void {
    ((this.input.labels ??= {}) as Record<string, string>)[key] = value;
    this.origins.set(`labels.${key}`, this.origin);
  }
  health(key: keyof Healthcheck, value: unknown): void {
    ((this.input.healthcheck ??= {}) as Record<string, unknown>)[key] = value;
    this.origins.set(`healthcheck.${key}`, this.origin);
  }
  /** A setting docker knows and a spec does not: listed for the user, never silently dropped. */
  notCarried(): void {
    this.unsupported.push(this.typed);
  }
}

/** Sets the spec from one flag's value ("true"/"false" for a switch); returns why it cannot, if it cannot. */
type Apply = (d: Draft, value: string) => string | void;
type Flag = { takesValue: boolean; apply: Apply; shown?: (value: string) => string };

const text = (key: "name" | "hostname" | "user" | "workingDir"): Apply => (d, v) => d.set(key, v);
const toggle = (key: "tty" | "interactive" | "init"): Apply => (d, v) => d.set(key, v === "true");
const integer = (set: (d: Draft, n: number) => void): Apply => (d, v) => (/^-?\d+$/.test(v) ? set(d, Number(v)) : "not a whole number");
const decimal = (key: "cpus"): Apply => (d, v) => (/^\d*\.?\d+$/.test(v) ? d.set(key, Number(v)) : "not a number");
const bytes = (key: "memoryBytes" | "memorySwapBytes"): Apply => (d, v) => {
  const n = key === "memorySwapBytes" && v === "-1" ? -1 : parseByteSize(v);
  return n === null ? "not a size (e.g. 512m, 1g)" : d.set(key, n);
};
const duration = (key: "intervalSeconds" | "timeoutSeconds" | "startPeriodSeconds"): Apply => (d, v) => {
  const s = goDurationSeconds(v);
  return s === null ? "not a duration (e.g. 30s, 1m30s, 500ms)" : d.health(key, s);
};

const CARRIED: [string, Flag][] = [
  ["--name", { takesValue: true, apply: text("name") }],
  // Only the name is repeated in messages: the value may be a secret.
  ["-e --env", { takesValue: true, apply: env, shown: (v) => v.split("=")[0]! }],
  ["-p --publish", { takesValue: true, apply: publish }],
  ["-v --volume", { takesValue: true, apply: volume }],
  ["--mount", { takesValue: true, apply: mount }],
  ["--restart", { takesValue: true, apply: restart }],
  ["-m --memory", { takesValue: true, apply: bytes("memoryBytes") }],
  ["--memory-swap", { takesValue: true, apply: bytes("memorySwapBytes") }],
  ["--cpus", { takesValue: true, apply: decimal("cpus") }],
  ["-c --cpu-shares", { takesValue: true, apply: integer((d, n) => d.set("cpuShares", n)) }],
  ["-l --label", { takesValue: true, apply: (d, v) => d.label(...labelOf(v)) }],
  ["-w --workdir", { takesValue: true, apply: text("workingDir") }],
  ["-u --user", { takesValue: true, apply: text("user") }],
  ["-h --hostname", { takesValue: true, apply: text("hostname") }],
  // docker takes the whole value as the executable (no word splitting); "" clears the image's.
  ["--entrypoint", { takesValue: true, apply: (d, v) => d.set("entrypoint", v === "" ? [] : [v]) }],
  ["--network --net", { takesValue: true, apply: (d, v) => d.push("networks", { name: v, aliases: [] }) }],
  ["--network-alias --net-alias", { takesValue: true, apply: (d, v) => void d.aliases.push({ alias: v, origin: d.origin }) }],
  // docker's --health-cmd always runs through the image's shell.
  ["--health-cmd", { takesValue: true, apply: (d, v) => d.health("test", ["CMD-SHELL", v]) }],
  ["--health-interval", { takesValue: true, apply: duration("intervalSeconds") }],
  ["--health-timeout", { takesValue: true, apply: duration("timeoutSeconds") }],
  ["--health-start-period", { takesValue: true, apply: duration("startPeriodSeconds") }],
  ["--health-retries", { takesValue: true, apply: integer((d, n) => d.health("retries", n)) }],
  ["--no-healthcheck", { takesValue: false, apply: (d, v) => void (d.noHealthcheck = v === "true") }],
  // docker takes TERM for SIGTERM.
  ["--stop-signal", { takesValue: true, apply: (d, v) => d.set("stopSignal", v.toUpperCase().replace(/^(?!SIG)/, "SIG")) }],
  ["--stop-timeout", { takesValue: true, apply: integer((d, n) => d.set("stopTimeoutSeconds", n)) }],
  ["-t --tty", { takesValue: false, apply: toggle("tty") }],
  ["-i --interactive", { takesValue: false, apply: toggle("interactive") }],
  ["--init", { takesValue: false, apply: toggle("init") }],
  ["--read-only", { takesValue: false, apply: (d, v) => d.set("readOnlyRootfs", v === "true" || undefined) }],
  ["--cap-drop", { takesValue: true, apply: (d, v) => d.set("capDrop", [...((d.input.capDrop as string[] | undefined) ?? []), v.toUpperCase()]) }],
  ["--log-driver", { takesValue: true, apply: (d, v) => d.set("logConfig", { options: {}, ...(d.input.logConfig as object | undefined), driver: v }) }],
  ["--log-opt", { takesValue: true, apply: logOpt }],
  // Stevedore always runs detached: -d asks for what happens anyway.
  ["-d --detach", { takesValue: false, apply: () => undefined }],
];

// Docker's own flags (docker run --help of 20.10, and a few later ones) that a spec has no field for;
// --env-file and --label-file name files on the client, which the host cannot read.
const NOT_CARRIED_WITH_VALUE = `--add-host -a --attach --annotation --blkio-weight --blkio-weight-device --cap-add --cgroup-parent
  --cgroupns --cidfile --cpu-count --cpu-percent --cpu-period --cpu-quota --cpu-rt-period --cpu-rt-runtime --cpuset-cpus --cpuset-mems
  --detach-keys --device --device-cgroup-rule --device-read-bps --device-read-iops --device-write-bps --device-write-iops --dns
  --dns-opt --dns-option --dns-search --domainname --env-file --expose --gpus --group-add --health-start-interval --io-maxbandwidth
  --io-maxiops --ip --ip6 --ipc --isolation --kernel-memory --label-file --link --link-local-ip --mac-address
  --memory-reservation --memory-swappiness --oom-score-adj --pid --pids-limit --platform --pull --runtime --security-opt --shm-size
  --storage-opt --sysctl --tmpfs --ulimit --userns --uts --volume-driver --volumes-from`;
const NOT_CARRIED_SWITCHES = `--disable-content-trust --help --oom-kill-disable -P --publish-all --privileged -q --quiet --rm
  --sig-proxy --use-api-socket`;

const FLAGS = new Map<string, Flag>([
  ...CARRIED.flatMap(([names, flag]) => names.split(" ").map((n) => [n, flag] as const)),
  ...NOT_CARRIED_WITH_VALUE.split(/\s+/).map((n) => [n, { takesValue: true, apply: (d: Draft) => d.notCarried() }] as const),
  ...NOT_CARRIED_SWITCHES.split(/\s+/).map((n) => [n, { takesValue: false, apply: (d: Draft) => d.notCarried() }] as const),
]);

/** `--log-opt key=value`; without --log-driver the options are the engine default's (json-file). */
function logOpt(d: Draft, v: string): string | void {
  const [key, value] = splitOnce(v, "=");
  if (value === null) return "use key=value, e.g. max-size=10m";
  const current = (d.input.logConfig as { driver?: string; options: Record<string, string> } | undefined) ?? { options: {} };
  d.set("logConfig", { driver: "json-file", ...current, options: { ...current.options, [key]: value } });
}

/** docker's `--label key` sets an empty value. */
function labelOf(v: string): [string, string] {
  const [key, value] = splitOnce(v, "=");
  return [key, value ?? ""];
}

function env(d: Draft, v: string): string | void {
  if (!v.includes("=")) return `takes its value from your shell, which Stevedore cannot read: write ${v}=value`;
  d.push("env", v);
}

/** `-p` in all of docker's forms: `80`, `8080:80`, `127.0.0.1:8080:80/udp`, `127.0.0.1::80`, `[::1]:8080:80`. */
function publish(d: Draft, v: string): string | void {
  const [address, protocol] = splitOnce(v, "/");
  // As docker splits it: the last part is the container's port, the one before the host's, the rest the address.
  const parts = address.split(":");
  const container = parts.pop()!;
  const host = parts.pop() ?? "";
  const ip = parts.join(":").replace(/^\[(.*)\]$/, "$1");
  if (container.includes("-") || host.includes("-")) return "port ranges are not carried: publish each port with its own -p";
  if (!/^\d{1,5}$/.test(container) || !/^\d{0,5}$/.test(host)) return "expected [address:][hostPort:]containerPort[/protocol], e.g. 8080:80";
  d.push("ports", { containerPort: Number(container), ...(host ? { hostPort: Number(host) } : {}), ...(ip ? { hostIp: ip } : {}), protocol: (protocol ?? "tcp").toLowerCase() });
}

const ANONYMOUS = "anonymous volumes are not carried: name the volume (data:/data) or give a host path";

/** `-v source:target[:ro]`: a source starting with / is a host path (a bind), anything else a volume's name. */
function volume(d: Draft, v: string): string | void {
  const parts = v.split(":");
  if (parts.length === 1 || (parts.length === 2 && !parts[1]!.startsWith("/"))) return ANONYMOUS;
  if (parts.length > 3) return "expected source:target[:ro]";
  const [source, target, options = ""] = parts as [string, string, string?];
  let readOnly = false;
  for (const option of options.split(",").filter(Boolean)) {
    if (option !== "ro" && option !== "rw") return `mount option ${option} is not carried (only ro and rw)`;
    readOnly = option === "ro";
  }
  return addMount(d, source.startsWith("/") ? "bind" : "volume", source, target, readOnly);
}

/** `--mount type=bind,source=/srv,target=/data,readonly`: docker's keys and their aliases. */
function mount(d: Draft, v: string): string | void {
  const fields = new Map(v.split(",").map((field) => splitOnce(field, "=")).map(([key, value]) => [key, value ?? ""]));
  const type = fields.get("type") ?? "volume";
  if (type === "tmpfs") return d.notCarried();
  if (type !== "bind" && type !== "volume") return `mount type ${type} is not carried (bind or volume)`;
  let source = "", target = "", readOnly = false;
  for (const [key, value] of fields) {
    if (key === "source" || key === "src") source = value;
    else if (key === "target" || key === "destination" || key === "dst") target = value;
    else if (key === "readonly" || key === "ro") {
      const on = switchValue(value || "true");
      if (on === null) return `${key}=${value} is not true or false`;
      readOnly = on === "true";
    } else if (key !== "type") return `mount option ${key} is not carried (type, source, target, readonly)`;
  }
  if (!source) return type === "bind" ? "a bind mount needs source=/host/path" : ANONYMOUS;
  return addMount(d, type, source, target, readOnly);
}

function addMount(d: Draft, type: "bind" | "volume", source: string, target: string, readOnly: boolean): string | void {
  // The client's shell would resolve these against its own directory, which is not the host's.
  if (/^[.~]/.test(source)) return "a relative host path cannot be resolved on the host: write it absolute (/srv/app/data)";
  d.push("mounts", { type, source, target, readOnly });
}

/** `--restart no|always|unless-stopped|on-failure[:N]` */
function restart(d: Draft, v: string): string | void {
  const [name, count] = splitOnce(v, ":");
  if (count === null) return d.set("restartPolicy", { name });
  if (name !== "on-failure") return "only on-failure takes a retry count (on-failure:5)";
  if (!/^\d+$/.test(count)) return "the retry count is a whole number (on-failure:5)";
  d.set("restartPolicy", { name, maximumRetryCount: Number(count) });
}

const GO_DURATION_UNITS: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, μs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
const GO_DURATION_PART = /(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g;

/** Go's time.ParseDuration, which docker uses for --health-*: `1m30s`, `500ms`; a bare number only as 0. */
function goDurationSeconds(v: string): number | null {
  if (v === "0") return 0;
  if (!v || v.replace(GO_DURATION_PART, "") !== "") return null;
  let seconds = 0;
  for (const [, n, unit] of v.matchAll(GO_DURATION_PART)) seconds += Number(n) * GO_DURATION_UNITS[unit!]!;
  return Math.round(seconds * 1e9) / 1e9;
}

/** pflag's boolean spellings. */
function switchValue(v: string): "true" | "false" | null {
  if (/^(1|t|true)$/i.test(v)) return "true";
  if (/^(0|f|false)$/i.test(v)) return "false";
  return null;
}

/** Before and after the first separator; null after when there is none. */
function splitOnce(s: string, separator: string): [string, string | null] {
  const at = s.indexOf(separator);
  return at < 0 ? [s, null] : [s.slice(0, at), s.slice(at + separator.length)];
}

/**
 * Splits the line into words as a shell does, quotes and escapes left for shell-quote to undo word by word
 * (on a whole line its work grows with the square of the words: 11 s for 32 K of them). On the way: joins
 * `\`-continued lines (as docs print them), keeps a `#` inside a word (shell-quote would start a comment there
 * and cut a value short), and refuses what would make the paste more than one docker command: line breaks,
 * command substitutions, an unclosed quote.
 */
function rawWords(line: string): string[] | string {
  const words: string[] = [];
  let word = "";
  let quote: "'" | '"' | null = null;
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!;
    if (quote === "'") {
      if (c === "'") quote = null;
    } else if (c === "\\") {
      // A continuation into nothing (the last line of a block left out) joins nothing.
      if (line[i + 1] !== "\n" && i + 1 < line.length) word += c + line[i + 1];
      i++;
      continue;
    } else if (c === "`" || (c === "$" && line[i + 1] === "(")) {
      return `${c === "`" ? "`…`" : "$(…)"} runs another command: write its result into the line`;
    } else if (c === "\n" && !quote) {
      return "the line breaks without a \\ at its end: paste one docker run command";
    } else if ((c === " " || c === "\t") && !quote) {
      if (word) words.push(word);
      word = "";
      continue;
    } else if (c === "#" && !quote && word) {
      word += "\\#";
      continue;
    } else if (c === '"' || (c === "'" && !quote)) quote = quote ? null : c;
    word += c;
  }
  if (quote) return `a ${quote} is not closed`;
  return word ? [...words, word] : words;
}

/** The words of the line, or why it is not one plain command. */
function words(line: string): string[] | DockerRunError {
  const raw = rawWords(line.replace(/\r\n?/g, "\n").trim().replace(/^\$\s+/, ""));
  if (typeof raw === "string") return { flag: null, message: raw };
  const out: string[] = [];
  for (const word of raw) {
    let entries;
    try {
      entries = shellParse(word, (name) => ({ variable: name }));
    } catch {
      return { flag: null, message: `${word} is a shell substitution, unknown here: write its value` }; // "${" unclosed
    }
    for (const entry of entries) {
      if (typeof entry === "string") out.push(entry);
      else if ("comment" in entry) return out;
      // An unmatched glob stays as typed in a shell too (`http://x/?a=1`).
      else if ("pattern" in entry) out.push(entry.pattern);
      else if ("op" in entry) return { flag: null, message: `${entry.op} makes this more than one docker run command: paste one command` };
      else return { flag: null, message: `$${entry.variable} is a shell variable, unknown here: write its value` };
    }
  }
  return out;
}

/** The inverse of dockerRunCommand: a pasted `docker run` (or `sudo docker container run`) line as a RunSpec. */
export function parseDockerRun(line: string): ParsedDockerRun {
  const fail = (message: string): ParsedDockerRun => ({ ok: false, errors: [{ flag: null, message }] });
  if (new TextEncoder().encode(line).length > MAX_DOCKER_RUN_BYTES) return fail("the line is longer than 64 KiB");
  const all = words(line);
  if (!Array.isArray(all)) return { ok: false, errors: [all] };
  if (all.length === 0) return fail("paste a docker run command");
  const docker = all[0] === "sudo" ? 1 : 0;
  const verb = all[docker + 1] === "container" ? docker + 2 : docker + 1;
  if (all[docker] !== "docker" || all[verb] !== "run") return fail(`not a docker run command: it starts with "${all.slice(0, verb + 1).join(" ")}"`);

  const args = all.slice(verb + 1);
  const d = new Draft();
  const errors: DockerRunError[] = [];
  const use = (flag: string, def: Flag, value: string, typed: string) => {
    d.origin = { flag, label: `${flag}${def.takesValue ? ` ${def.shown?.(value) ?? value}` : ""}` };
    d.typed = typed;
    const problem = def.apply(d, value);
    if (problem) errors.push({ flag, message: `${d.origin.label}: ${problem}` });
  };

  let i = 0;
  for (; i < args.length && args[i]!.startsWith("-") && args[i] !== "-"; i++) {
    if (args[i] === "--") {
      i++;
      break;
    }
    for (const [name, attached, equals] of spellings(args[i]!)) {
      const def = FLAGS.get(name);
      if (!def) {
        errors.push({ flag: name, message: `unknown flag ${name}` });
        break;
      }
      if (!def.takesValue) {
        const on = equals ? switchValue(attached!) : "true";
        if (on === null) errors.push({ flag: name, message: `${name}=${attached}: not true or false` });
        else use(name, def, on, equals ? `${name}=${attached}` : name);
        if (equals) break;
        continue;
      }
      const value = attached ?? args[++i];
      if (value === undefined) errors.push({ flag: name, message: `${name} needs a value` });
      else use(name, def, value, `${name} ${value}`);
      break;
    }
  }

  const [image, ...cmd] = args.slice(i);
  d.origin = { flag: null, label: image ? `image ${image}` : "" };
  d.set("image", image ?? "");
  d.origin = { flag: null, label: "command" };
  if (cmd.length) d.set("cmd", cmd);
  errors.push(...finishNetworks(d), ...finishHealthcheck(d));

  const parsed = RunSpec.safeParse(d.input);
  if (!parsed.success) {
    // One message per field: an empty image is "required", not also "not a valid reference".
    const seen = new Set<string>();
    for (const issue of parsed.error.issues) {
      const path = issue.path.map(String);
      if (seen.has(path.join("."))) continue;
      seen.add(path.join("."));
      const origin = originOf(d, path);
      errors.push({ flag: origin?.flag ?? null, message: origin?.label ? `${origin.label}: ${issue.message}` : issue.message });
    }
  }
  return errors.length || !parsed.success ? { ok: false, errors } : { ok: true, spec: parsed.data, unsupported: d.unsupported };
}

/**
 * pflag's spellings: --flag value, --flag=value, -f value, -f=value, -fvalue, and grouped switches (-dit,
 * -itp 8080:80). Each flag with what was typed onto it (null: nothing, its value may be the next word).
 */
function* spellings(arg: string): Generator<[name: string, attached: string | null, equals: boolean]> {
  if (arg.startsWith("--")) {
    const [name, value] = splitOnce(arg, "=");
    return yield [name, value, value !== null];
  }
  for (let j = 1; j < arg.length; j++) {
    const rest = arg.slice(j + 1);
    yield [`-${arg[j]}`, rest.startsWith("=") ? rest.slice(1) : rest || null, rest.startsWith("=")];
  }
}

/** Aliases belong to the network the container is created on: the first. */
function finishNetworks(d: Draft): DockerRunError[] {
  const [first] = (d.input.networks ?? []) as { aliases: string[] }[];
  if (!first) return d.aliases.map(({ origin }) => ({ flag: origin.flag, message: `${origin.label}: an alias needs a --network (the default bridge has none)` }));
  for (const { alias, origin } of d.aliases) {
    d.origins.set(`networks.0.aliases.${first.aliases.length}`, origin);
    first.aliases.push(alias);
  }
  return [];
}

/** As docker: --no-healthcheck with any --health-* is a conflict, and timings alone need a check to time. */
function finishHealthcheck(d: Draft): DockerRunError[] {
  const used = [...d.origins].filter(([path]) => path.startsWith("healthcheck.")).map(([, origin]) => origin.flag);
  if (d.noHealthcheck) {
    if (used.length) return [{ flag: "--no-healthcheck", message: "--no-healthcheck conflicts with --health-* options" }];
    d.origin = { flag: "--no-healthcheck", label: "--no-healthcheck" };
    d.health("test", ["NONE"]);
  } else if (used.length && !(d.input.healthcheck as { test?: unknown }).test) {
    delete d.input.healthcheck; // said here once, not again as the schema's "test is required"
    return [{ flag: used[0]!, message: `${used[0]} needs a --health-cmd: a spec cannot change only the image's check timings` }];
  }
  return [];
}

/** The origin recorded for the longest prefix of a schema issue's path. */
function originOf(d: Draft, path: string[]): Origin | undefined {
  for (let n = path.length; n > 0; n--) {
    const origin = d.origins.get(path.slice(0, n).join("."));
    if (origin) return origin;
  }
  return undefined;
}
