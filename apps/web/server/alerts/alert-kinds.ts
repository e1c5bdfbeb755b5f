import picomatch from "picomatch";
import { z } from "zod";

/**
 * What an alert rule can watch, its scope and its numbers: the one list, pure (the browser imports
 * it for the rule form). A rule's numbers are validated here on both sides.
 */
export const RULE_KINDS = ["container.exit", "container.oom", "container.unhealthy", "container.restart-loop", "container.disappeared", "host.offline"] as const;
export type RuleKind = (typeof RULE_KINDS)[number];

export const RULE_KIND_WORDS: Record<RuleKind, string> = {
  "container.exit": "Container exited with a non-zero code",
  "container.oom": "Container killed for lack of memory (OOM)",
  "container.unhealthy": "Container became unhealthy",
  "container.restart-loop": "Container restart loop",
  "container.disappeared": "Container disappeared (removed outside Stevedore)",
  "host.offline": "Host agent offline",
};

export const SEVERITIES = ["info", "warning", "critical"] as const;
export type Severity = (typeof SEVERITIES)[number];

const Pattern = z.string().trim().max(256);

/** Empty lists and patterns match everything; patterns are globs (`web-*`, `registry.local/**`), a label `key=glob`. */
export const RuleScope = z.object({
  hostIds: z.array(z.string().min(1).max(64)).max(500).default([]),
  groups: z.array(z.string().min(1).max(64)).max(100).default([]),
  name: Pattern.default(""),
  image: Pattern.default(""),
  label: Pattern.regex(/^$|^[^=]+(=.*)?$/, "a label pattern is key or key=value").default(""),
});
export type RuleScope = z.output<typeof RuleScope>;

export const RuleParams = z.object({
  /** Restart loop: this many starts within `minutes`. */
  restarts: z.number().int().min(2, "at least 2 restarts").max(1000).default(3),
  minutes: z.number().int().min(1).max(1440).default(5),
  /** Host offline: for this long. */
  seconds: z.number().int().min(5, "at least 5 seconds").max(86_400).default(60),
  /** Exit, OOM, restart loop: resolved once the container has run this long without another. */
  stableSeconds: z.number().int().min(1).max(86_400).default(120),
});
export type RuleParams = z.output<typeof RuleParams>;

export const RuleInput = z.object({
  name: z.string().trim().min(1, "give it a name").max(100),
  kind: z.enum(RULE_KINDS),
  severity: z.enum(SEVERITIES).default("warning"),
  enabled: z.boolean().default(true),
  scope: RuleScope.default({ hostIds: [], groups: [], name: "", image: "", label: "" }),
  params: RuleParams.default({ restarts: 3, minutes: 5, seconds: 60, stableSeconds: 120 }),
  channelIds: z.array(z.string().min(1).max(64)).max(20).default([]),
});
export type RuleInput = z.input<typeof RuleInput>;

export interface ScopeHost {
  id: string;
  groups: readonly string[];
}

export interface ScopeContainer {
  name: string;
  image: string;
  labels: Record<string, string>;
}

const glob = (pattern: string, value: string) => picomatch.isMatch(value, pattern, { dot: true, nocase: true });

export function hostInScope(scope: RuleScope, host: ScopeHost): boolean {
  if (scope.hostIds.length && !scope.hostIds.includes(host.id)) return false;
  if (scope.groups.length && !scope.groups.some((g) => host.groups.includes(g))) return false;
  return true;
}

export function containerInScope(scope: RuleScope, container: ScopeContainer): boolean {
  if (scope.name && !glob(scope.name, container.name)) return false;
  if (scope.image && !glob(scope.image, container.image)) return false;
  if (scope.label) {
    const at = scope.label.indexOf("=");
    const key = at < 0 ? scope.label : scope.label.slice(0, at);
    const value = container.labels[key];
    if (value === undefined) return false;
    if (at >= 0 && !glob(scope.label.slice(at + 1), value)) return false;
  }
  return true;
}
