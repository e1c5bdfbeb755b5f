import type { ContainerSummary } from "@stevedore/protocol";

/**
 * The containers page's filter language, parsed once per query (pure: unit-tested without a fleet).
 *
 *   label:team=ux  label:team  image:nginx  host:edge-1  status:running,unhealthy  "two words"  web
 *
 * Terms are ANDed; a status term's comma-separated values are ORed. Values may be quoted
 * (`label:team="ux core"`). A free word matches a container's name, image, command, labels
 * (`key=value`, so `team=ux` finds the label) or host name, or its id by prefix.
 */
export type FilterTerm =
  | { kind: "label"; key: string; value: string | null }
  | { kind: "image"; value: string }
  | { kind: "host"; value: string }
  | { kind: "status"; values: StatusWord[] }
  | { kind: "text"; value: string };

/** The engine's states, plus the health a running container reports. */
export const STATUS_WORDS = ["running", "exited", "paused", "restarting", "created", "removing", "dead", "healthy", "unhealthy", "starting"] as const;
export type StatusWord = (typeof STATUS_WORDS)[number];

export interface ParsedFilter {
  terms: FilterTerm[];
  /** What could not be understood, in words the page shows beside the filter. */
  problems: string[];
}

const KEYS = new Set(["label", "image", "host", "status"]);

/** Splits on spaces outside double quotes; quotes group, and are removed. An unclosed quote runs to the end. (The hosts search splits the same way.) */
export function filterTokens(q: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  let any = false;
  for (const ch of q) {
    if (ch === '"') {
      quoted = !quoted;
      any = true;
    } else if (!quoted && /\s/.test(ch)) {
      if (any) out.push(cur);
      cur = "";
      any = false;
    } else {
      cur += ch;
      any = true;
    }
  }
  if (any) out.push(cur);
  return out;
}

export function parseFilter(q: string): ParsedFilter {
  const terms: FilterTerm[] = [];
  const problems: string[] = [];
  for (const token of filterTokens(q)) {
    const colon = token.indexOf(":");
    const key = colon > 0 ? token.slice(0, colon).toLowerCase() : "";
    // "nginx:1.27" or "app:3" are images and words, not terms: only the four keys are special.
    if (!KEYS.has(key)) {
      if (token) terms.push({ kind: "text", value: token.toLowerCase() });
      continue;
    }
    const value = token.slice(colon + 1);
    if (!value) {
      problems.push(`${key}: needs a value`);
      continue;
    }
    if (key === "label") {
      const eq = value.indexOf("=");
      if (eq === 0) problems.push(`label:${value} needs a key before "="`);
      else terms.push(eq < 0 ? { kind: "label", key: value, value: null } : { kind: "label", key: value.slice(0, eq), value: value.slice(eq + 1) });
    } else if (key === "status") {
      const values = value.toLowerCase().split(",").filter(Boolean);
      const unknown = values.filter((v) => !(STATUS_WORDS as readonly string[]).includes(v));
      if (unknown.length) problems.push(`status:${unknown.join(",")} is not a status (try ${STATUS_WORDS.join(", ")})`);
      else terms.push({ kind: "status", values: values as StatusWord[] });
    } else {
      terms.push({ kind: key as "image" | "host", value: value.toLowerCase() });
    }
  }
  return { terms, problems };
}

function statusMatches(c: Pick<ContainerSummary, "state" | "health">, word: StatusWord): boolean {
  if (word === "healthy" || word === "unhealthy" || word === "starting") return c.state === "running" && c.health === word;
  return c.state === word;
}

/** Whether a container passes one structured term (label, image, status); text and host terms are matched by the query. */
export function termMatches(term: Exclude<FilterTerm, { kind: "text" } | { kind: "host" }>, c: ContainerSummary): boolean {
  switch (term.kind) {
    case "label": {
      if (!Object.hasOwn(c.labels, term.key)) return false;
      return term.value === null || c.labels[term.key] === term.value;
    }
    case "image":
      return c.image.toLowerCase().includes(term.value);
    case "status":
      return term.values.some((w) => statusMatches(c, w));
  }
}
