import crypto from "node:crypto";
import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import type { Prisma, User } from "../../../src/generated/prisma/client";
import { GrantGroup, loadGrants } from "../../access/grants";
import { GRANT_ROLES, ROLES, asRole, isDisabled } from "../../access/roles";
import { newId } from "../../agents/secrets";
import { recordAction } from "../../audit/audited";
import { DomainError } from "../../domain-error";
import { actorOf } from "../../authenticate";
import { NewPassword, setPassword } from "../../users/passwords";
import { type AuthedContext, adminProcedure } from "../init";

// ---- inputs ------------------------------------------------------------------------------------

const UserId = z.string().min(1, "a user id is required").max(64);
const RoleInput = z.enum(ROLES, { error: `role must be one of ${ROLES.join(", ")}` });

const CreateUserInput = z.object({
  email: z.string().trim().toLowerCase().pipe(z.email("enter a valid email address").max(254, "that email address is too long")),
  name: z.string().trim().min(1, "a name is required").max(100, "a name may have at most 100 characters"),
  role: RoleInput,
  /** Left out: the server generates one and returns it once. */
  password: NewPassword.optional(),
});

const GrantsInput = z
  .array(z.object({ group: GrantGroup, role: z.enum(GRANT_ROLES, { error: `a grant's role must be one of ${GRANT_ROLES.join(", ")}` }) }))
  .max(100, "at most 100 grants per user")
  .refine((grants) => new Set(grants.map((g) => g.group)).size === grants.length, "one grant per group");

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

function audit(ctx: AuthedContext, action: string, target: Pick<User, "id" | "email">, params?: Record<string, unknown>) {
  return recordAction(ctx.audit, { action, actor: actorOf(ctx), targetType: "user", targetId: target.id, targetName: target.email, params });
}

// ---- procedures --------------------------------------------------------------------------------

export const usersRouter = {
  /** Every user (a handful to a few hundred, so the page filters them itself), oldest first. */
  list: adminProcedure.query(async ({ ctx }) => {
    const [users, lastSessions] = await Promise.all([
      ctx.db.user.findMany({ orderBy: { createdAt: "asc" }, include: { grants: { select: { group: true, role: true }, orderBy: { group: "asc" } } } }),
      ctx.db.session.groupBy({ by: ["userId"], _max: { updatedAt: true } }),
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
  }),

  /** Without a password, a generated one is returned here once; it is never stored in clear. */
  create: adminProcedure.input(CreateUserInput).mutation(async ({ ctx, input }) => {
    if (await ctx.db.user.findUnique({ where: { email: input.email }, select: { id: true } })) {
      throw new DomainError("conflict", `a user with the email ${input.email} already exists`);
    }
    const password = input.password ?? generatePassword();
    // Called without request headers, better-auth's createUser runs as the server (the admin check was ours).
    const { user } = await ctx.auth.api.createUser({ body: { email: input.email, name: input.name, role: input.role, password } });
    await audit(ctx, "user.create", user, { name: input.name, role: input.role, handover: input.password ? "chosen-by-admin" : "generated" });
    return { user: { id: user.id, email: user.email, name: user.name, role: input.role }, generatedPassword: input.password ? null : password };
  }),

  /** Takes effect on the user's next request: sessions read the role from the user row. */
  setRole: adminProcedure.input(z.object({ userId: UserId, role: RoleInput })).mutation(async ({ ctx, input }) => {
    const { target, from } = await ctx.db.$transaction(async (tx) => {
      const target = await findUserOrThrow(tx, input.userId);
      const from = asRole(target.role);
      if (from === "admin" && input.role !== "admin") await assertAdminAccessKept(tx, target, ctx.user.id, "demote");
      if (from !== input.role) await tx.user.update({ where: { id: target.id }, data: { role: input.role } });
      return { target, from };
    });
    if (from !== input.role) await audit(ctx, "user.set-role", target, { from, to: input.role });
    return { id: target.id, role: input.role, changed: from !== input.role };
  }),

  /** Replaces a user's group grants ("operator on staging"); takes effect on their next request. */
  setGrants: adminProcedure.input(z.object({ userId: UserId, grants: GrantsInput })).mutation(async ({ ctx, input }) => {
    const { target, from } = await ctx.db.$transaction(async (tx) => {
      const target = await findUserOrThrow(tx, input.userId);
      const from = await loadGrants(tx, target.id);
      await tx.accessGrant.deleteMany({ where: { userId: target.id } });
      await tx.accessGrant.createMany({ data: input.grants.map((g) => ({ id: newId("grant"), userId: target.id, group: g.group, role: g.role, createdById: ctx.user.id })) });
      return { target, from };
    });
    const to = [...input.grants].sort((a, b) => a.group.localeCompare(b.group));
    await audit(ctx, "user.set-grants", target, { from, to });
    return { id: target.id, grants: to };
  }),

  /** Disables the account and deletes its sessions, so the user is signed out at once. */
  disable: adminProcedure.input(z.object({ userId: UserId })).mutation(async ({ ctx, input }) => {
    const { target, sessionsRevoked } = await ctx.db.$transaction(async (tx) => {
      const target = await findUserOrThrow(tx, input.userId);
      await assertAdminAccessKept(tx, target, ctx.user.id, "disable");
      await tx.user.update({ where: { id: target.id }, data: { banned: true, banReason: `disabled by ${ctx.user.email}`, banExpires: null } });
      const { count } = await tx.session.deleteMany({ where: { userId: target.id } });
      return { target, sessionsRevoked: count };
    });
    await audit(ctx, "user.disable", target, { sessionsRevoked });
    return { id: target.id, disabled: true, sessionsRevoked };
  }),

  enable: adminProcedure.input(z.object({ userId: UserId })).mutation(async ({ ctx, input }) => {
    const target = await findUserOrThrow(ctx.db, input.userId);
    await ctx.db.user.update({ where: { id: target.id }, data: { banned: false, banReason: null, banExpires: null } });
    await audit(ctx, "user.enable", target);
    return { id: target.id, disabled: false };
  }),

  /**
   * A new generated password, returned once. The user's sessions end too (whoever knew the old
   * password is signed out), except an admin's own, who is resetting it while signed in.
   */
  resetPassword: adminProcedure.input(z.object({ userId: UserId })).mutation(async ({ ctx, input }) => {
    const target = await findUserOrThrow(ctx.db, input.userId);
    const password = generatePassword();
    await setPassword(ctx.auth, target.id, password);
    const sessionsRevoked = target.id === ctx.user.id ? 0 : (await ctx.db.session.deleteMany({ where: { userId: target.id } })).count;
    await audit(ctx, "user.reset-password", target, { sessionsRevoked });
    return { id: target.id, generatedPassword: password, sessionsRevoked };
  }),
} satisfies TRPCRouterRecord;
