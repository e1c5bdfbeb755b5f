import { z } from "zod";

/**
 * Bind mounts are the one part of a run spec that reaches the host's own files: a bind of `/` or of
 * the engine socket is root on the host. This is the rule both sides apply (the control plane before
 * it sends a run, the agent before it creates the container), as pure functions over path strings.
 * The agent adds what only it can know: where symlinks on the host really lead.
 */

/** A host path written the one way it is compared: absolute, no `..`, no `.`, no `//`, no trailing `/`. */
export type NormalizedPath = string & { readonly __normalized: true };

export type Normalized = { ok: true; path: NormalizedPath } | { ok: false; reason: string };

/**
 * Cleans a host path as the engine would (`//`, `/./` and a trailing `/` collapse: `/etc/` is `/etc`),
 * but refuses `..` outright: what it means depends on symlinks on the host, so it is never guessed.
 */
export function normalizeHostPath(raw: string): Normalized {
  if (!raw.startsWith("/")) return { ok: false, reason: `"${raw}" is not an absolute path` };
  if (/[\0\n\r]/.test(raw)) return { ok: false, reason: `"${raw.replace(/[\0\n\r]/g, "?")}" contains a control character` };
  const segments = raw.split("/").filter((s) => s !== "" && s !== ".");
  if (segments.includes("..")) return { ok: false, reason: `"${raw}" has a ".." segment; give the path without it` };
  return { ok: true, path: `/${segments.join("/")}` as NormalizedPath };
}

/** Whether `path` is `prefix` or inside it, by whole segments (`/data` does not hold `/database`). */
export function isUnderPath(path: string, prefix: string): boolean {
  return prefix === "/" || path === prefix || path.startsWith(`${prefix}/`);
}

/** Paths whose bind gives root on the host, with why. Anything inside them, or holding them, too. */
export const ROOT_GIVING_PATHS: readonly { path: string; why: string }[] = [
  { path: "/var/run/docker.sock", why: "the engine socket" },
  { path: "/run/docker.sock", why: "the engine socket" },
  { path: "/run/docker", why: "the engine's runtime state" },
  { path: "/var/run/docker", why: "the engine's runtime state" },
  { path: "/etc", why: "the host's configuration" },
  { path: "/proc", why: "the host's processes and kernel settings" },
  { path: "/sys", why: "the host's kernel and devices" },
  { path: "/dev", why: "the host's devices" },
  { path: "/boot", why: "the host's kernel and boot loader" },
  { path: "/root", why: "root's home" },
  // The engine's default data root; the host's own (hello facts, `docker info`) is added beside it.
  { path: "/var/lib/docker", why: "the engine's data root" },
];

/**
 * The root-giving path `path` touches, or null: `path` is one of them, inside one, or holds one
 * (`/` holds them all, `/var` holds the engine's data root, `/run` its socket). `dataRoots` are the
 * host's engine data roots (`docker info` DockerRootDir) beside the default.
 */
export function rootGivingPath(path: string, dataRoots: readonly string[] = []): { path: string; why: string } | null {
  if (path === "/") return { path: "/", why: "the host's whole filesystem" };
  const extra = dataRoots.flatMap((d) => {
    const n = d ? normalizeHostPath(d) : null;
    return n?.ok && n.path !== "/" ? [{ path: n.path, why: "the engine's data root" }] : [];
  });
  for (const p of [...ROOT_GIVING_PATHS, ...extra]) if (isUnderPath(path, p.path) || isUnderPath(p.path, path)) return p;
  return null;
}

/** A prefix an admin (or a host owner) allows bind mounts under: normalized when parsed. */
export const HostPathPrefix = z
  .string()
  .max(4096)
  .transform((raw, ctx) => {
    const n = normalizeHostPath(raw.trim());
    if (!n.ok) {
      ctx.addIssue({ code: "custom", message: n.reason });
      return z.NEVER;
    }
    return n.path as string;
  });

/**
 * What bind mounts a run may have: any, none, or only under these host path prefixes. Named volumes
 * are not bind mounts and are never limited by it.
 */
export const BindMountPrefixes = z.array(HostPathPrefix).min(1, "give at least one path prefix").max(64);
export const BindMountRule = z.union([z.literal("any"), z.literal("none"), z.strictObject({ prefixes: BindMountPrefixes })]);
export type BindMountRule = z.infer<typeof BindMountRule>;

/** The part of a `container.run` request that says what the control plane allows this run. */
export const RunPolicy = z.strictObject({
  bindMounts: BindMountRule,
  /** The requester is a fleet-wide admin: root-giving paths are theirs to mount (the host's own flag still binds). */
  admin: z.boolean(),
});
export type RunPolicy = z.infer<typeof RunPolicy>;

/** Without a policy (an older control plane) the agent allows no bind mounts: fail closed. */
export const DEFAULT_RUN_POLICY: RunPolicy = { bindMounts: "none", admin: false };

/** Whether the rule lets this (normalized) path be bind-mounted. */
export function ruleAllows(rule: BindMountRule, path: string): boolean {
  if (rule === "any") return true;
  if (rule === "none") return false;
  return rule.prefixes.some((p) => isUnderPath(path, p));
}

/**
 * The stricter of two rules: a path is allowed only when both allow it. Prefix lists intersect by
 * keeping, of each pair where one holds the other, the deeper one (`/srv` ∧ `/srv/data` = `/srv/data`).
 */
export function intersectRules(a: BindMountRule, b: BindMountRule): BindMountRule {
  if (a === "none" || b === "none") return "none";
  if (a === "any") return b;
  if (b === "any") return a;
  const kept = new Set<string>();
  for (const x of a.prefixes) for (const y of b.prefixes) {
    if (isUnderPath(x, y)) kept.add(x);
    else if (isUnderPath(y, x)) kept.add(y);
  }
  // Drop a prefix another kept one holds: the list stays minimal.
  const list = [...kept].filter((p) => ![...kept].some((q) => q !== p && isUnderPath(p, q))).sort();
  return list.length ? { prefixes: list } : "none";
}

/** The rule in words: "any path", "none", "only under /srv/data, /opt/app". */
export function describeRule(rule: BindMountRule): string {
  if (rule === "any") return "any host path";
  if (rule === "none") return "no bind mounts";
  return `only under ${rule.prefixes.join(", ")}`;
}

/**
 * `--bind-mounts none|any|PREFIX[,PREFIX…]` (STEVEDORE_BIND_MOUNTS): the host owner's own rule,
 * applied by the agent on top of whatever the control plane sends, to admins too.
 */
export function parseBindMountsFlag(text: string): { ok: true; rule: BindMountRule } | { ok: false; reason: string } {
  const t = text.trim();
  if (t === "any" || t === "none") return { ok: true, rule: t };
  const parts = t.split(",").map((s) => s.trim()).filter(Boolean);
  if (parts.length === 0) return { ok: false, reason: `use none, any, or absolute path prefixes separated by commas (e.g. /srv/data,/opt/app)` };
  const parsed = BindMountPrefixes.safeParse(parts);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues.map((i) => i.message).join("; ") };
  return { ok: true, rule: { prefixes: parsed.data } };
}

export type BindRefusal = {
  /** `bad_request`: the path itself is not acceptable; `forbidden`: the policy refuses it. */
  code: "bad_request" | "forbidden";
  source: string;
  message: string;
};

export interface BindCheck {
  /** The bind's source as given. */
  source: string;
  /** Where it really leads on the host (symlinks resolved by the agent), when known. */
  resolved?: string;
  rule: BindMountRule;
  /** Admins may mount root-giving paths (only `rule` limits them). */
  admin: boolean;
  /** The engine's data roots to protect beside the default. */
  dataRoots?: readonly string[];
  /** Names the rule in a refusal: "the run policy (fleet default)", "this host's --bind-mounts flag". */
  ruleName: string;
}

/** Why this bind is refused, or null when it may go ahead. */
export function checkBindMount(c: BindCheck): BindRefusal | null {
  const n = normalizeHostPath(c.source);
  if (!n.ok) return { code: "bad_request", source: c.source, message: `bind mount source refused: ${n.reason}` };
  const paths = [n.path as string];
  if (c.resolved !== undefined && c.resolved !== n.path) paths.push(c.resolved);
  const shown = (p: string) => (p === n.path ? p : `${n.path} (which leads to ${p} on the host)`);
  if (!c.admin) {
    for (const p of paths) {
      const hit = rootGivingPath(p, c.dataRoots);
      if (hit) {
        const relation = isUnderPath(p, hit.path) ? (p === hit.path ? "is" : "is inside") : "holds";
        return { code: "forbidden", source: c.source, message: `bind mount of ${shown(p)} refused: it ${relation} ${hit.path} (${hit.why}), which gives root on the host; only admins may mount it` };
      }
    }
  }
  for (const p of paths) {
    if (!ruleAllows(c.rule, p)) {
      return { code: "forbidden", source: c.source, message: `bind mount of ${shown(p)} refused by ${c.ruleName}: ${describeRule(c.rule)}${c.rule === "none" ? " (named volumes are allowed)" : ""}` };
    }
  }
  return null;
}

/**
 * A log option whose value names a host socket or file (`syslog-address=unix:///var/run/docker.sock`,
 * `fluentd-address=unix://…`, a path): the engine, as root, would open it on the host, which no
 * container could. Refused to non-admins, like a bind mount of the same path; network addresses
 * (`udp://…`, `tcp://…`) and sizes are anyone's.
 */
export function checkLogConfig(logConfig: { driver: string; options: Record<string, string> } | undefined, admin: boolean): { code: "forbidden"; option: string; message: string } | null {
  if (!logConfig || admin) return null;
  for (const [option, value] of Object.entries(logConfig.options)) {
    if (/^(unix|unixgram|file|npipe):/i.test(value.trim()) || value.trim().startsWith("/")) {
      return { code: "forbidden", option, message: `log option ${option}=${value} refused: it names a socket or file on the host, which the engine would open as root; only admins may` };
    }
  }
  return null;
}

/** A rule an admin may save for non-admins: no prefix may be, be inside, or hold a root-giving path. */
export function unsafePrefix(prefix: string): string | null {
  const hit = rootGivingPath(prefix);
  if (!hit) return null;
  const relation = isUnderPath(prefix, hit.path) ? (prefix === hit.path ? "is" : "is inside") : "holds";
  return `${prefix} ${relation} ${hit.path} (${hit.why}), which gives root on the host: it cannot be allowed to non-admins`;
}

/**
 * zod issues as "path: message", one per problem; an unknown key is named in the path
 * ("spec.privileged: unknown field") rather than left in the message.
 */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .flatMap((i) => {
      if (i.code === "unrecognized_keys") return i.keys.map((k) => `${[...i.path, k].join(".")}: unknown field`);
      return [`${i.path.join(".") || "input"}: ${i.message}`];
    })
    .join("; ");
}
