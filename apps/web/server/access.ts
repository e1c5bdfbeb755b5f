import { z } from "zod";
import { ROLES, type Role, roleAtLeast } from "./auth";
import type { Db } from "./db";

/**
 * Host groups and per-group grants. A user's fleet-wide role applies on every host; a grant raises
 * it on the hosts of one group ("operator on staging"), never lowers it. API tokens are capped at
 * their own role everywhere. Terminals (remote root) need a grant of their own: "terminal" is
 * operator plus terminals; admins have it everywhere. Logs often hold secrets: operators read them,
 * viewers only with a "logs" grant (which reads logs and nothing more: it does not make an operator).
 */

/** What a grant can give on a group; admin stays fleet-wide (it manages users, hosts and tokens). */
export const GRANT_ROLES = ["operator", "terminal", "logs"] as const;
export type GrantRole = (typeof GRANT_ROLES)[number];

/** A grant on this pseudo-group applies to every host. */
export const ALL_HOSTS = "*";

export interface Grant {
  group: string;
  role: GrantRole;
}

export const GroupName = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9._-]{0,62}$/, "a group name is 1–63 letters, digits, dots, dashes or underscores, starting with a letter or digit");

/** What a grant names: a group, or every host. */
export const GrantGroup = z.union([z.literal(ALL_HOSTS), GroupName]);

/** The groups of one host: unique, sorted, at most 32. */
export const HostGroups = z
  .array(GroupName)
  .max(32, "a host can be in at most 32 groups")
  .transform((groups) => [...new Set(groups)].sort());

export function higherRole(a: Role, b: Role): Role {
  return roleAtLeast(a, b) ? a : b;
}

export function lesserRole(a: Role, b: Role): Role {
  return roleAtLeast(b, a) ? a : b;
}

export function asRole(value: string | null | undefined): Role {
  return (ROLES as readonly string[]).includes(value ?? "") ? (value as Role) : "viewer";
}

export interface AccessSubject {
  role: Role;
  grants: readonly Grant[];
  /** An API token's own role: nothing done with the token goes above it. */
  ceiling?: Role;
}

const appliesTo = (g: Grant, hostGroups: readonly string[]) => g.group === ALL_HOSTS || hostGroups.includes(g.group);

/** Grants that make an operator: "operator" and "terminal" (a "logs" grant only reads logs). */
const makesOperator = (g: Grant) => g.role === "operator" || g.role === "terminal";

/** The subject's role on a host in these groups ("terminal" grants count as operator). */
export function roleOnHost(subject: AccessSubject, hostGroups: readonly string[]): Role {
  let role = subject.role;
  for (const g of subject.grants) if (makesOperator(g) && appliesTo(g, hostGroups)) role = higherRole(role, "operator");
  return subject.ceiling ? lesserRole(role, subject.ceiling) : role;
}

/** The highest role the subject has anywhere (what a token they create may carry at most). */
export function highestRole(subject: AccessSubject): Role {
  const role = subject.grants.some(makesOperator) ? higherRole(subject.role, "operator") : subject.role;
  return subject.ceiling ? lesserRole(role, subject.ceiling) : role;
}

/**
 * Whether the subject may read container logs on a host in these groups: an operator there (fleet-wide
 * or by grant) or a "logs" grant on it. A token only if its own role is operator or above.
 */
export function mayReadLogs(subject: AccessSubject, hostGroups: readonly string[]): boolean {
  if (subject.ceiling && !roleAtLeast(subject.ceiling, "operator")) return false;
  if (roleAtLeast(roleOnHost(subject, hostGroups), "operator")) return true;
  return subject.grants.some((g) => g.role === "logs" && appliesTo(g, hostGroups));
}

/** Whether the subject may open terminals on a host in these groups. Never with an API token. */
export function mayUseTerminal(subject: AccessSubject, hostGroups: readonly string[]): boolean {
  if (subject.ceiling) return false;
  return subject.role === "admin" || subject.grants.some((g) => g.role === "terminal" && appliesTo(g, hostGroups));
}

export async function loadGrants(db: Pick<Db, "accessGrant">, userId: string): Promise<Grant[]> {
  const rows = await db.accessGrant.findMany({ where: { userId }, select: { group: true, role: true }, orderBy: { group: "asc" } });
  return rows.filter((r): r is Grant => (GRANT_ROLES as readonly string[]).includes(r.role));
}
