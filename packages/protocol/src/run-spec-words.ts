import type { z } from "zod";

/**
 * A run spec's problems in the words of the form a person filled in ("CPU shares must be at least 2",
 * "Environment, line 2: entries look like KEY=value"), not the schema's ("cpuShares: Too small:
 * expected number to be >=2"). The run form shows them beside its fields; the API's callers get the same.
 */

/** What each spec field is called on the form. */
const LABELS: Record<string, string> = {
  image: "Image",
  name: "Name",
  cmd: "Command",
  env: "Environment",
  ports: "Published ports",
  mounts: "Volumes and binds",
  restartPolicy: "Restart policy",
  "restartPolicy.maximumRetryCount": "Max retries",
  labels: "Labels",
  init: "Init process",
  cpuShares: "CPU shares",
  memoryBytes: "Memory",
  memorySwapBytes: "Memory + swap",
  tty: "TTY",
  interactive: "Interactive",
  entrypoint: "Entrypoint",
  hostname: "Host name",
  user: "User",
  workingDir: "Working directory",
  cpus: "CPUs",
  networks: "Networks",
  healthcheck: "Healthcheck",
  "healthcheck.test": "Healthcheck command",
  "healthcheck.intervalSeconds": "Check every",
  "healthcheck.timeoutSeconds": "Healthcheck timeout",
  "healthcheck.startPeriodSeconds": "Start period",
  "healthcheck.retries": "Healthcheck retries",
  stopSignal: "Stop signal",
  stopTimeoutSeconds: "Stop timeout",
  readOnlyRootfs: "Read-only root filesystem",
  capDrop: "Capabilities to drop",
  logConfig: "Logging",
  "logConfig.driver": "Log driver",
  "logConfig.options": "Log options",
};

/** Lists whose entries are lines on the form: an issue in entry i is on line i + 1. */
const LINE_LISTS = new Set(["env", "ports", "mounts", "networks", "capDrop"]);

export interface SpecProblem {
  /** The spec path it concerns ("cpuShares", "env.1", "logConfig.options"), as the schema names it. */
  path: (string | number)[];
  /** The whole sentence, naming the field. */
  message: string;
}

function labelOf(path: readonly (string | number)[]): string {
  const names = path.filter((p): p is string => typeof p === "string");
  for (let n = names.length; n > 0; n--) {
    const label = LABELS[names.slice(0, n).join(".")];
    if (label) return label;
  }
  return names.join(".") || "The spec";
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;

/** One schema issue as a sentence about the field it concerns. */
export function describeIssue(issue: z.core.$ZodIssue): SpecProblem {
  const path = issue.path.filter((p): p is string | number => typeof p !== "symbol");
  const label = labelOf(path);
  // The form picks networks one per row ("Network 2"), the other lists are lines of text.
  const entry = typeof path[0] === "string" && LINE_LISTS.has(path[0]) && typeof path[1] === "number" ? path[1] + 1 : null;
  const list = entry === null ? label : path[0] === "networks" ? `Network ${entry}` : `${label}, line ${entry}`;
  const units = path[0] === "stopTimeoutSeconds" || (path[0] === "healthcheck" && path[1] !== "retries") ? " seconds" : "";
  const i = issue as z.core.$ZodIssue & { minimum?: number | bigint; maximum?: number | bigint; origin?: string; expected?: string; keys?: string[]; values?: unknown[] };
  switch (issue.code) {
    case "too_small":
      if (i.origin === "number" || i.origin === "int") return { path, message: `${list} must be at least ${i.minimum}${units}` };
      if (i.origin === "string" && Number(i.minimum) === 1) return { path, message: `${list} is required` };
      if (i.origin === "array") return { path, message: `${list} needs at least ${plural(Number(i.minimum), "entry")}` };
      break;
    case "too_big":
      if (i.origin === "number" || i.origin === "int") return { path, message: `${list} must be at most ${i.maximum}${units}` };
      if (i.origin === "string") return { path, message: `${list} is too long (at most ${plural(Number(i.maximum), "character")})` };
      if (i.origin === "array") return { path, message: `${list}: at most ${plural(Number(i.maximum), "entry")}` };
      break;
    case "invalid_type":
      if (i.expected === "int") return { path, message: `${list} must be a whole number` };
      if (i.expected === "number") return { path, message: `${list} must be a number` };
      break;
    case "invalid_value":
      return { path, message: `${list} must be one of ${(i.values ?? []).join(", ")}` };
    case "unrecognized_keys":
      return { path, message: `${(i.keys ?? []).map((k) => [...path, k].join(".")).join(", ")}: not a setting a run spec has (nothing is dropped silently)` };
    default:
  }
  // Our own messages (regexes, refinements) are already words: they get the field in front.
  return { path, message: `${list}: ${issue.message}` };
}

/** Every issue, one per field (an empty image is "required", not also "not a valid reference"). */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): SpecProblem[] {
  const seen = new Set<string>();
  return issues.map(describeIssue).filter((p) => {
    const key = p.path.join(".");
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
