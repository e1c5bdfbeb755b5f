import type { BindMountRule } from "@stevedore/protocol";
import type { Actor } from "../audit/audit-log";
import { recordAction } from "../audit/audited";
import type { Services } from "../services";
import { type HostRunPolicy, RunPolicySettings, callerRule, effectiveRule, ruleFlag } from "./run-policy";

/** The run policy as it applies to a caller on each host, from the stored settings and the fleet's groups. */
export async function runPolicies(svc: Pick<Services, "settings" | "fleet">, admin: boolean, hostIds: readonly string[]): Promise<Map<string, HostRunPolicy>> {
  const settings = await svc.settings.get("runPolicy");
  return new Map(
    hostIds.map((hostId) => {
      const host = svc.fleet.getHost(hostId);
      return [hostId, { hostName: host?.name ?? hostId, admin, effective: effectiveRule(settings, svc.fleet.hostGroups(hostId)), dataRoot: host?.engine?.dockerRootDir || null, hostRule: host?.facts.bindMounts ?? "any" }];
    }),
  );
}

export interface HostPolicyView {
  hostId: string;
  hostName: string;
  /** What the caller's runs may bind-mount there: the policy's rule ("any" for admins) and the host's own, the stricter. */
  rule: BindMountRule;
  /** The host owner's own --bind-mounts rule ("any": none of its own). */
  hostRule: BindMountRule;
  admin: boolean;
  /** "the fleet default", "group staging", … */
  from: string;
  dataRoot: string | null;
  /** In words, for the run form: "only under /srv/data", "off (named volumes only)". */
  summary: string;
}

/** What the run form shows for the chosen hosts (known hosts only), before anyone types a mount. */
export async function runPolicyView(svc: Pick<Services, "settings" | "fleet">, admin: boolean, hostIds: readonly string[]): Promise<HostPolicyView[]> {
  const known = [...new Set(hostIds)].filter((id) => svc.fleet.getHost(id));
  const policies = await runPolicies(svc, admin, known);
  return known.map((hostId) => {
    const p = policies.get(hostId)!;
    const rule = callerRule(p);
    const from = p.hostRule === "any" ? p.effective.from : admin ? `the host's own --bind-mounts ${ruleFlag(p.hostRule)}` : `${p.effective.from} and the host's own --bind-mounts ${ruleFlag(p.hostRule)}`;
    const summary =
      rule === "any"
        ? "any host path (you are an admin)"
        : rule === "none"
          ? `${admin ? "off" : "off for non-admins"} (${from}); named volumes are fine`
          : `only under ${rule.prefixes.join(", ")} (${from})`;
    return { hostId, hostName: p.hostName, rule, hostRule: p.hostRule, admin, from, dataRoot: p.dataRoot, summary };
  });
}

/** Saves the run policy and audits the change (from → to), like the other settings. */
export async function setRunPolicy(svc: Pick<Services, "settings" | "audit">, actor: Actor, userId: string, input: RunPolicySettings): Promise<RunPolicySettings> {
  const from = await svc.settings.get("runPolicy");
  const to = await svc.settings.set("runPolicy", input, userId);
  await recordAction(svc.audit, { action: "settings.run-policy", actor, targetType: "settings", targetName: "run-policy", params: { from, to } });
  return to;
}
