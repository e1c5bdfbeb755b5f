import fs from "node:fs/promises";
import path from "node:path";
import { type BindMountRule, type RunPolicy, type RunSpec, checkBindMount, checkLogConfig, describeRule, normalizeHostPath } from "@stevedore/protocol";

/** A request a policy refused; the code and message travel back to the control plane as they are. */
export class RequestRefused extends Error {
  constructor(
    message: string,
    readonly code: "forbidden" | "bad_request",
  ) {
    super(message);
  }
}

/**
 * Where a host path really leads: the `realpath` of its longest existing ancestor, with the rest
 * appended (a bind's source may not exist yet; the engine then refuses it). A symlink that leads
 * nowhere is refused: what it names could appear between this check and the engine's.
 */
export async function resolveOnHost(p: string): Promise<string> {
  const rest: string[] = [];
  let head = p;
  for (;;) {
    try {
      const real = await fs.realpath(head);
      return rest.length ? path.posix.join(real, ...rest.reverse()) : real;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ELOOP") throw new RequestRefused(`bind mount of ${p} refused: ${head} is a loop of symlinks`, "bad_request");
      if (code !== "ENOENT" && code !== "ENOTDIR") throw err;
      const dangling = await fs.lstat(head).then((s) => s.isSymbolicLink(), () => false);
      if (dangling) throw new RequestRefused(`bind mount of ${p} refused: ${head} is a symlink to a path that does not exist`, "bad_request");
      if (head === "/") return p;
      rest.push(path.posix.basename(head));
      head = path.posix.dirname(head);
    }
  }
}

/** A prefix rule plus where its prefixes really lead, so a path resolved through a linked prefix still matches. */
async function withResolvedPrefixes(rule: BindMountRule): Promise<BindMountRule> {
  if (typeof rule === "string") return rule;
  const resolved = await Promise.all(rule.prefixes.map((p) => resolveOnHost(p).catch(() => p)));
  return { prefixes: [...new Set([...rule.prefixes, ...resolved])] };
}

export interface HostRunPolicy {
  /** The host owner's `--bind-mounts` rule: binds admins too. */
  local: BindMountRule;
  /** The engine's data root (`docker info` DockerRootDir), when known. */
  dataRoot: string | null;
}

/**
 * Applies the control plane's policy and the host's own to a run's bind mounts, each on the path as
 * given and on where it leads on this host. Returns the spec with each bind's source replaced by the
 * resolved path, so the engine mounts what was checked, not whatever a symlink points to a moment later.
 */
export async function enforceRunPolicy(spec: RunSpec, policy: RunPolicy, host: HostRunPolicy): Promise<RunSpec> {
  const log = checkLogConfig(spec.logConfig, policy.admin);
  if (log) throw new RequestRefused(log.message, log.code);
  const binds = spec.mounts.filter((m) => m.type === "bind");
  if (binds.length === 0) return spec;
  const dataRoots = host.dataRoot ? [host.dataRoot, await resolveOnHost(host.dataRoot).catch(() => host.dataRoot!)] : [];
  const sent = await withResolvedPrefixes(policy.bindMounts);
  const local = await withResolvedPrefixes(host.local);
  // Where a rule limits this run, the agent must see the path exist (the engine refuses a missing bind
  // source anyway): a path it cannot see, it cannot resolve, as when it runs in a container without
  // that directory or in a private /tmp, and it then fails closed rather than trusting the name.
  const limited = !policy.admin || host.local !== "any";
  const resolvedSources = new Map<string, string>();
  for (const m of binds) {
    const n = normalizeHostPath(m.source);
    const resolved = n.ok ? await resolveOnHost(n.path) : undefined;
    const refusal =
      checkBindMount({ source: m.source, resolved, rule: sent, admin: policy.admin, dataRoots, ruleName: `the control plane's run policy (${describeRule(policy.bindMounts)})` }) ??
      checkBindMount({ source: m.source, resolved, rule: local, admin: true, ruleName: `this host's own policy (--bind-mounts ${flagText(host.local)})` });
    if (refusal) throw new RequestRefused(refusal.message, refusal.code);
    if (resolved !== undefined && limited && !(await fs.stat(resolved).then(() => true, () => false))) {
      throw new RequestRefused(`bind mount of ${n.ok ? n.path : m.source} refused: the agent cannot see it on this host, so it cannot check where it leads (it does not exist, or the agent runs without that directory: see infra/README.md)`, "bad_request");
    }
    if (resolved) resolvedSources.set(m.source, resolved);
  }
  return { ...spec, mounts: spec.mounts.map((m) => (m.type === "bind" ? { ...m, source: resolvedSources.get(m.source) ?? m.source } : m)) };
}

export function flagText(rule: BindMountRule): string {
  return typeof rule === "string" ? rule : rule.prefixes.join(",");
}
