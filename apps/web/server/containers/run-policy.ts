import { z } from "zod";
import { type BindMountRule, type BindRefusal, BindMountPrefixes, type RunPolicy, type RunSpec, checkBindMount, checkLogConfig, intersectRules, unsafePrefix } from "@stevedore/protocol";
import { GroupName } from "../access/grants";

/**
 * The run policy: which host paths a non-admin's run may bind-mount. A fleet default, and rules per
 * host group that replace it on that group's hosts; a host in several groups with rules gets the
 * stricter of them (a path must be allowed by each). Whatever the rule, the paths that give root on a
 * host (`/`, the engine socket, /etc, …: protocol/run-policy.ts) are refused to non-admins, and a rule
 * cannot name one. Admins (fleet-wide role) may mount anything; the host's own --bind-mounts still
 * binds them, at the agent. The same rule goes to the agent with each run, which checks it again on
 * where the paths really lead.
 */

const Prefixes = BindMountPrefixes.superRefine((prefixes, ctx) => {
  prefixes.forEach((p, i) => {
    const why = unsafePrefix(p);
    if (why) ctx.addIssue({ code: "custom", path: [i], message: why });
  });
});

/** What an admin sets for the fleet or a group: off for non-admins, or only under these prefixes. */
export const BindMountSetting = z.discriminatedUnion("mode", [z.strictObject({ mode: z.literal("none") }), z.strictObject({ mode: z.literal("prefixes"), prefixes: Prefixes })]);
export type BindMountSetting = z.infer<typeof BindMountSetting>;

export const RunPolicySettings = z
  .strictObject({
    fleet: BindMountSetting.default({ mode: "none" }),
    groups: z.array(z.strictObject({ group: GroupName, bindMounts: BindMountSetting })).max(256).default([]),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.groups.forEach((g, i) => {
      if (seen.has(g.group)) ctx.addIssue({ code: "custom", path: ["groups", i, "group"], message: `group ${g.group} has two rules; keep one` });
      seen.add(g.group);
    });
  });
export type RunPolicySettings = z.infer<typeof RunPolicySettings>;

export function toRule(s: BindMountSetting): BindMountRule {
  return s.mode === "none" ? "none" : { prefixes: s.prefixes };
}

export interface EffectiveRule {
  /** What non-admins may bind-mount on the host. */
  rule: BindMountRule;
  /** Where it comes from, for messages: "the fleet default", "group staging", "groups prod, staging". */
  from: string;
}

/** The rule for non-admins on a host in these groups: its groups' rules (the stricter wins), else the fleet default. */
export function effectiveRule(settings: RunPolicySettings, hostGroups: readonly string[]): EffectiveRule {
  const applying = settings.groups.filter((g) => hostGroups.includes(g.group));
  if (applying.length === 0) return { rule: toRule(settings.fleet), from: "the fleet default" };
  const rule = applying.map((g) => toRule(g.bindMounts)).reduce((a, b) => intersectRules(a, b));
  const names = applying.map((g) => g.group).sort();
  return { rule, from: names.length === 1 ? `group ${names[0]}` : `groups ${names.join(", ")} (the stricter of their rules)` };
}

export interface HostRunPolicy {
  hostName: string;
  admin: boolean;
  effective: EffectiveRule;
  /** The host's engine data root from its hello facts (protected beside the default /var/lib/docker). */
  dataRoot: string | null;
  /** The host owner's own --bind-mounts rule, as its agent reports it ("any" when it has none). */
  hostRule: BindMountRule;
}

/** What goes to the agent with the run: admins' runs are limited only by the host's own flag there. */
export function agentPolicy(p: HostRunPolicy): RunPolicy {
  return p.admin ? { bindMounts: "any", admin: true } : { bindMounts: p.effective.rule, admin: false };
}

/**
 * Why the run is refused on this host, or null: its bind mounts, or log options naming host sockets
 * (protocol/run-policy.ts). The message names the policy, the host and the path. Host networking and
 * added capabilities a spec cannot even say (the schema refuses them).
 */
export function refuseRun(spec: Pick<RunSpec, "mounts"> & Partial<Pick<RunSpec, "logConfig">>, p: HostRunPolicy): Pick<BindRefusal, "code" | "message"> | null {
  const log = checkLogConfig(spec.logConfig, p.admin);
  if (log) return { code: log.code, message: `run policy on ${p.hostName}: ${log.message}` };
  for (const m of spec.mounts) {
    if (m.type !== "bind") continue;
    const refusal = checkBindMount({
      source: m.source,
      rule: p.admin ? "any" : p.effective.rule,
      admin: p.admin,
      dataRoots: p.dataRoot ? [p.dataRoot] : [],
      ruleName: `the rule for ${p.effective.from}`,
    });
    // The host's own rule binds admins too; the agent applies it anyway, this only refuses it sooner.
    const own = refusal ?? checkBindMount({ source: m.source, rule: p.hostRule, admin: true, ruleName: `the host's own policy (--bind-mounts ${ruleFlag(p.hostRule)})` });
    if (own) return { ...own, message: `run policy on ${p.hostName}: ${own.message}` };
  }
  return null;
}

/** A rule as the agent's flag spells it: none, any, /a,/b. */
export function ruleFlag(rule: BindMountRule): string {
  return typeof rule === "string" ? rule : rule.prefixes.join(",");
}

/** What the caller may bind-mount on the host: the policy's rule (any for admins) and the host's own, the stricter. */
export function callerRule(p: HostRunPolicy): BindMountRule {
  return intersectRules(p.admin ? "any" : p.effective.rule, p.hostRule);
}
