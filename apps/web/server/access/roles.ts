/**
 * Who may do what, as pure functions over a user's fleet-wide role and their group grants: the server
 * checks with these and the UI imports them to offer only what will be allowed.
 *
 * A fleet-wide role applies on every host; "none" sees nothing until granted. A grant raises the role
 * on the hosts of one group ("operator on staging"), never lowers it. API tokens are capped at their
 * own role everywhere. Terminals (remote root) need a grant of their own: "terminal" is operator plus
 * terminals; admins have it everywhere. Logs (and a container's env values and command lines, which
 * hold the same secrets) need operator there or a "logs" grant, which reads them and nothing more.
 */

/** In rising order: each role may do everything the ones before it may. */
export const ROLES = ["none", "viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];

/** What a grant can give on a group; admin stays fleet-wide (it manages users, hosts and tokens). */
export const GRANT_ROLES = ["viewer", "logs", "operator", "terminal"] as const;
export type GrantRole = (typeof GRANT_ROLES)[number];

/** A grant on this pseudo-group applies to every host. */
export const ALL_HOSTS = "*";

export interface Grant {
  group: string;
  role: GrantRole;
}

export interface AccessSubject {
  role: Role;
  grants: readonly Grant[];
  /** An API token's own role: nothing done with the token goes above it. */
  ceiling?: Role;
}

/** What a procedure can need on a host. */
export type HostPermission = "view" | "operate" | "logs" | "terminal";

export function roleAtLeast(role: Role, min: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(min);
}

export function higherRole(a: Role, b: Role): Role {
  return roleAtLeast(a, b) ? a : b;
}

export function lesserRole(a: Role, b: Role): Role {
  return roleAtLeast(b, a) ? a : b;
}

/** A stored role; anything unknown is no access at all (fail closed). */
export function asRole(value: string | null | undefined): Role {
  return (ROLES as readonly string[]).includes(value ?? "") ? (value as Role) : "none";
}

/** better-auth's ban fields: a ban with an expiry in the past no longer counts. */
export function isDisabled(user: { banned?: boolean | null; banExpires?: Date | null }, now = new Date()): boolean {
  return user.banned === true && (!user.banExpires || user.banExpires > now);
}

const appliesTo = (g: Grant, hostGroups: readonly string[]) => g.group === ALL_HOSTS || hostGroups.includes(g.group);

/** The role a grant gives on its hosts: "terminal" counts as operator, "logs" as viewer. */
const GRANTED: Record<GrantRole, Role> = { viewer: "viewer", logs: "viewer", operator: "operator", terminal: "operator" };

function capped(subject: AccessSubject, role: Role): Role {
  return subject.ceiling ? lesserRole(role, subject.ceiling) : role;
}

/** The subject's role on a host in these groups. */
export function roleOnHost(subject: AccessSubject, hostGroups: readonly string[]): Role {
  let role = subject.role;
  for (const g of subject.grants) if (appliesTo(g, hostGroups)) role = higherRole(role, GRANTED[g.role]);
  return capped(subject, role);
}

/** The highest role the subject has anywhere (what a token they create may carry at most). */
export function highestRole(subject: AccessSubject): Role {
  return capped(subject, subject.grants.reduce<Role>((role, g) => higherRole(role, GRANTED[g.role]), subject.role));
}

/** Whether the subject sees every host (no per-host filtering needed). */
export function seesWholeFleet(subject: AccessSubject): boolean {
  return roleAtLeast(capped(subject, subject.role), "viewer");
}

/**
 * Whether the subject may read container logs (and env values, command lines) on a host in these
 * groups: an operator there or a "logs" grant on it. A token only if its own role is operator or above.
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

export function permits(subject: AccessSubject, hostGroups: readonly string[], permission: HostPermission): boolean {
  switch (permission) {
    case "view":
      return roleAtLeast(roleOnHost(subject, hostGroups), "viewer");
    case "operate":
      return roleAtLeast(roleOnHost(subject, hostGroups), "operator");
    case "logs":
      return mayReadLogs(subject, hostGroups);
    case "terminal":
      return mayUseTerminal(subject, hostGroups);
  }
}

/** A permission in words, for refusals ("this needs the operator role on …"). */
export const PERMISSION_WORDS: Record<HostPermission, string> = {
  view: "access (viewer or above)",
  operate: "the operator role",
  logs: "the logs permission (operator, or a logs grant)",
  terminal: "the terminal permission (an admin grants it per host group; never with an API token)",
};
