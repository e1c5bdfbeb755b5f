import crypto from "node:crypto";
import { z } from "zod";
import type { Prisma, User } from "../../src/generated/prisma/client";
import { GrantGroup, loadGrants } from "../access/grants";
import { GRANT_ROLES, ROLES, type Role, asRole, isDisabled } from "../access/roles";
import { newId } from "../agents/secrets";
import type { Actor, AuditLog } from "../audit/audit-log";
import { recordAction } from "../audit/audited";
import type { Auth, SessionUser } from "../auth";
import type { Db } from "../db";
import { DomainError } from "../domain-error";
import { NewPassword, setPassword } from "./passwords";
import type { AuditAction } from "../audit/audit-actions";

/**
 * What admins do to accounts: create, role, group grants, disable/enable, password reset. Each change
 * is one audited `user.*` entry, and none leaves the fleet without an enabled admin.
 */

// ---- inputs ------------------------------------------------------------------------------------

export const UserId = z.string().min(1, "a user id is required").max(64);
export const RoleInput = z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}` });

export const CreateUserInput = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("enter a valid email address").max(254, "that email address is too long")),
  name: z.string().trim().min(1, "a name is required").max(100, "a name may have at most 100 characters"),
  role: RoleInput,
  /** Left out: the server generates one and returns it once. */
  password: NewPassword.optional(),
});

export const GrantsInput = z
  .array(z.object({ group: GrantGroup, role: z.enum(GRANT_ROLES, { error: `a grant's role must be one of ${GRANT_ROLES.join(", ")}` }) }))
  .max(100, "at most 100 grants per user")
  .refine((grants) => new Set(grants.map((g) => g.group)).size === grants.length, "one grant per group");

export interface UserAdminDeps {
  db: Db;
  auth: Auth;
  audit: AuditLog;
}

/** The admin making the change: checked by the caller (adminProcedure), named in the audit trail. */
export interface ByAdmin {
  user: Pick<SessionUser, "id" | "email">;
  actor: Actor;
}

// ---- reads -------------------------------------------------------------------------------------

/** Every user (a handful to a few hundred, so the page filters them itself), oldest first. */
export async function listUsers(db: Db) {
  const [users, lastSessions] = await Promise.all([
    db.user.findMany({ orderBy: { createdAt: "asc" }, include: { grants: { select: { group: true, role: true }, orderBy: { group: "asc" } } } }),
    db.session.groupBy({ by: ["userId"], _max: { updatedAt: true } }),
  ]);
  const lastSessionAt = new Map(lastSessions.map((s) => [s.userId, s._max.updatedAt]));
  const now = new Date();
  return users.map((u) => ({
    id: u.id,
    email: u.email,
    name: u.name,
    role: asRole(u.role),
    grants: u.grants,
    disabled: isDisabled(u, now),
    createdAt: u.createdAt,
    /** The latest activity of a session that still exists (sessions end on sign-out and when disabled). */
    lastSessionAt: lastSessionAt.get(u.id) ?? null,
  }));
}

// ---- changes -----------------------------------------------------------------------------------

/** Without a password, a generated one is returned once; it is never stored in clear. */
export async function createUser(deps: UserAdminDeps, by: ByAdmin, input: z.infer<typeof CreateUserInput>) {
  if (await deps.db.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
    throw new DomainError("conflict", `a user with the email ${input.email} already exists`);
  }
  const password = input.password ?? generatePassword();
  // Called without request headers, better-auth's createUser runs as the server (the admin check was ours).
  const { user } = await deps.auth.api.createUser({ body: { email: input.email, name: input.name, role: input.role, password } });
  await audit(deps, by, "user.create", user, { name: input.name, role: input.role, handover: input.password ? "chosen-by-admin" : "generated" });
  return { user: { id: user.id, email: user.email, name: user.name, role: input.role }, generatedPassword: input.password ? null : password };
}

/** Takes effect on the user's next request: sessions read the role from the user row. */
export async function setRole(deps: UserAdminDeps, by: ByAdmin, userId: string, role: Role) {
  const { target, from } = await deps.db.$transaction(async (tx) => {
    const target = await findUserOrThrow(tx, userId);
    const from = asRole(target.role);
    if (from === "admin" && role !== "admin") await assertAdminAccessKept(tx, target, by.user.id, "demote");
    if (from !== role) await tx.user.update({ where: { id: target.id }, data: { role } });
    return { target, from };
  });
  if (from !== role) await audit(deps, by, "user.set-role", target, { from, to: role });
  return { id: target.id, role, changed: from !== role };
}

/** Replaces a user's group grants ("operator on staging"); takes effect on their next request. */
export async function setGrants(deps: UserAdminDeps, by: ByAdmin, userId: string, grants: z.infer<typeof GrantsInput>) {
  const { target, from } = await deps.db.$transaction(async (tx) => {
    const target = await findUserOrThrow(tx, userId);
    const from = await loadGrants(tx, target.id);
    await tx.accessGrant.deleteMany({ where: { userId: target.id } });
    await tx.accessGrant.createMany({ data: grants.map((g) => ({ id: newId("grant"), userId: target.id, group: g.group, role: g.role, createdById: by.user.id })) });
    return { target, from };
  });
  const to = [...grants].sort((a, b) => a.group.localeCompare(b.group));
  await audit(deps, by, "user.set-grants", target, { from, to });
  return { id: target.id, grants: to };
}

/** Disables the account and deletes its sessions, so the user is signed out at once. */
export async function disableUser(deps: UserAdminDeps, by: ByAdmin, userId: string) {
  const { target, sessionsRevoked } = await deps.db.$transaction(async (tx) => {
    const target = await findUserOrThrow(tx, userId);
    await assertAdminAccessKept(tx, target, by.user.id, "disable");
    await tx.user.update({ where: { id: target.id }, data: { banned: true, banReason: `disabled by ${by.user.email}`, banExpires: null } });
    const { count } = await tx.session.deleteMany({ where: { userId: target.id } });
    return { target, sessionsRevoked: count };
  });
  await audit(deps, by, "user.disable", target, { sessionsRevoked });
  return { id: target.id, disabled: true, sessionsRevoked };
}

export async function enableUser(deps: UserAdminDeps, by: ByAdmin, userId: string) {
  const target = await findUserOrThrow(deps.db, userId);
  await deps.db.user.update({ where: { id: target.id }, data: { banned: false, banReason: null, banExpires: null } });
  await audit(deps, by, "user.enable", target);
  return { id: target.id, disabled: false };
}

/**
 * A new generated password, returned once. The user's sessions end too (whoever knew the old
 * password is signed out), except an admin's own, who is resetting it while signed in.
 */
export async function resetPassword(deps: UserAdminDeps, by: ByAdmin, userId: string) {
  const target = await findUserOrThrow(deps.db, userId);
  const password = generatePassword();
  await setPassword(deps.auth, target.id, password);
  const sessionsRevoked = target.id === by.user.id ? 0 : (await deps.db.session.deleteMany({ where: { userId: target.id } })).count;
  await audit(deps, by, "user.reset-password", target, { sessionsRevoked });
  return { id: target.id, generatedPassword: password, sessionsRevoked };
}

// ---- helpers -----------------------------------------------------------------------------------

/** Letters and digits that cannot be misread when a password is handed over by voice or on paper. */
const PASSWORD_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/** Four groups of five (about 115 bits), e.g. `k7Qmz-…`: strong, and easy to type from a note. */
function generatePassword(): string {
  const group = () => Array.from({ length: 5 }, () => PASSWORD_ALPHABET[crypto.randomInt(PASSWORD_ALPHABET.length)]).join("");
  return [group(), group(), group(), group()].join("-");
}

function enabledWhere(now = new Date()): Prisma.UserWhereInput {
  return { OR: [{ banned: null }, { banned: false }, { banExpires: { lt: now } }] };
}

async function findUserOrThrow(tx: Prisma.TransactionClient, id: string): Promise<User> {
  const user = await tx.user.findUnique({ where: { id } });
  if (!user) throw new DomainError("not_found", "no such user");
  return user;
}

/**
 * Refuses a change that would leave no enabled admin, or that takes an admin's own access away
 * (they would lock themselves out mid-click). Runs inside the transaction that makes the change, so
 * two admins demoting each other at once cannot both pass.
 */
async function assertAdminAccessKept(tx: Prisma.TransactionClient, target: User, callerId: string, change: "disable" | "demote"): Promise<void> {
  const removesAnAdmin = asRole(target.role) === "admin" && !isDisabled(target);
  if (removesAnAdmin) {
    const otherAdmins = await tx.user.count({ where: { role: "admin", id: { not: target.id }, ...enabledWhere() } });
    if (otherAdmins === 0) {
      throw new DomainError("conflict", `${target.email} is the last enabled admin; make another user an admin first`);
    }
  }
  if (target.id === callerId) {
    throw new DomainError("bad_request", change === "disable" ? "you cannot disable your own account; ask another admin" : "you cannot change your own role; ask another admin");
  }
}

function audit(deps: UserAdminDeps, by: ByAdmin, action: AuditAction, target: Pick<User, "id" | "email">, params?: Record<string, unknown>) {
  return recordAction(deps.audit, { action, actor: by.actor, targetType: "user", targetId: target.id, targetName: target.email, params });
}
