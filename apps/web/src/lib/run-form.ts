import { RunSpec, parseByteSize, type RunSpecInput } from "@stevedore/protocol";

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
};

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
  const m = /^(?:(?:(\[[0-9a-fA-F:]+\]|[0-9.]+):)?(\d+):)?(\d+)(?:\/(tcp|udp|sctp))?$/.exec(line);
  if (!m) throw new Error(`port "${line}": use hostPort:containerPort[/tcp|udp], e.g. 8080:80`);
  return { hostIp: m[1]?.replace(/^\[|\]$/g, ""), hostPort: m[2] ? Number(m[2]) : undefined, containerPort: Number(m[3]), protocol: (m[4] as "tcp" | "udp" | "sctp") ?? "tcp" };
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
  if (errors.length) return { ok: false, errors };
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
  };
  const parsed = RunSpec.safeParse(input);
  if (!parsed.success) return { ok: false, errors: parsed.error.issues.map((i) => `${i.path.join(".") || "form"}: ${i.message}`) };
  return { ok: true, spec: parsed.data };
}
