import { loadGrants } from "../access/grants";
import { GRANT_ROLES, type Grant, type GrantRole, type Role, asRole, higherRole, isDisabled } from "../access/roles";
import { newId } from "../agents/secrets";
import type { Actor, AuditLog } from "../audit/audit-log";
import { recordAction } from "../audit/audited";
import type { Db } from "../db";
import type { MappingRule, SsoPolicy } from "./sso-settings";

/** The claim's values: a list of strings, or one string (some IdPs send a single group so). */
export function claimGroups(profile: Record<string, unknown>, claim: string): string[] {
  const value = profile[claim];
  if (typeof value === "string") return [value];
  if (Array.isArray(value)) return value.filter((v): v is string => typeof v === "string").slice(0, 1000);
  return [];
}

/** What the rules give someone in these IdP groups: the highest fleet role and the highest grant per host group. */
export function mappedAccess(groups: readonly string[], rules: readonly MappingRule[], defaultRole: Role): { role: Role; grants: Grant[] } {
  const member = new Set(groups);
  let role = defaultRole;
  const grants = new Map<string, GrantRole>();
  for (const rule of rules) {
    if (!member.has(rule.idpGroup)) continue;
    if (rule.hostGroup === null) {
      role = higherRole(role, asRole(rule.role));
      continue;
    }
    const given = rule.role as GrantRole;
    const held = grants.get(rule.hostGroup);
    if (!held || GRANT_ROLES.indexOf(given) > GRANT_ROLES.indexOf(held)) grants.set(rule.hostGroup, given);
  }
  return { role, grants: [...grants].map(([group, r]) => ({ group, role: r })).sort((a, b) => a.group.localeCompare(b.group)) };
}

const sameGrants = (a: readonly Grant[], b: readonly Grant[]) => JSON.stringify(a) === JSON.stringify(b);

export interface MappingOutcome {
  changed: boolean;
  /** Why part of the mapping was not applied (the last admin kept). */
  kept?: string;
}

/**
 * Sets a user's role and grants to what the rules give their IdP groups, at every SSO sign-in, so a
 * group the IdP no longer lists takes its access away. The break-glass account is never changed,
 * and the last enabled admin is not demoted (the fleet would have no admin). A change is one
 * `auth.sso-access` entry with the groups, what was before and what is now.
 */
export async function applyGroupMapping(deps: { db: Db; audit: AuditLog }, policy: SsoPolicy, user: { id: string; email: string }, groups: readonly string[], provider: string, actor: Actor): Promise<MappingOutcome> {
  if (!policy.mapGroups || user.email === policy.breakGlassEmail) return { changed: false };
  const target = mappedAccess(groups, policy.rules, policy.defaultRole);
  const result = await deps.db.$transaction(async (tx) => {
    const row = await tx.user.findUniqueOrThrow({ where: { id: user.id } });
    const fromRole = asRole(row.role);
    const fromGrants = await loadGrants(tx, user.id);
    let toRole = target.role;
    let kept: string | undefined;
    if (fromRole === "admin" && toRole !== "admin" && !isDisabled(row)) {
      const now = new Date();
      const others = await tx.user.count({ where: { role: "admin", id: { not: user.id }, OR: [{ banned: null }, { banned: false }, { banExpires: { lt: now } }] } });
      if (others === 0) {
        toRole = "admin";
        kept = "the last enabled admin keeps the admin role; make another user an admin first";
      }
    }
    const changed = toRole !== fromRole || !sameGrants(fromGrants, target.grants);
    if (changed) {
      await tx.user.update({ where: { id: user.id }, data: { role: toRole } });
      await tx.accessGrant.deleteMany({ where: { userId: user.id } });
      await tx.accessGrant.createMany({ data: target.grants.map((g) => ({ id: newId("grant"), userId: user.id, group: g.group, role: g.role, createdById: null })) });
    }
    return { changed, kept, from: { role: fromRole, grants: fromGrants }, to: { role: toRole, grants: target.grants } };
  });
  if (result.changed || result.kept) {
    await recordAction(deps.audit, {
      action: "auth.sso-access",
      actor,
      targetType: "user",
      targetId: user.id,
      targetName: user.email,
      params: { provider, groups: groups.slice(0, 100), from: result.from, to: result.to, ...(result.kept && { kept: result.kept }) },
    });
  }
  return { changed: result.changed, kept: result.kept };
}
