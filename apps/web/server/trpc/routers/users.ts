import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { actorOf } from "../../authenticate";
import {
  CreateUserInput,
  GrantsInput,
  RoleInput,
  UserId,
  createUser,
  disableUser,
  enableUser,
  listUsers,
  resetPassword,
  setGrants,
  setRole,
} from "../../users/user-admin";
import { type AuthedContext, adminProcedure } from "../init";

const by = (ctx: AuthedContext) => ({ user: ctx.user, actor: actorOf(ctx) });
const ForUser = z.object({ userId: UserId });

/** Account administration (users/user-admin.ts); admins only. */
export const usersRouter = {
  list: adminProcedure.query(({ ctx }) => listUsers(ctx.db)),
  create: adminProcedure.input(CreateUserInput).mutation(({ ctx, input }) => createUser(ctx, by(ctx), input)),
  setRole: adminProcedure.input(ForUser.extend({ role: RoleInput })).mutation(({ ctx, input }) => setRole(ctx, by(ctx), input.userId, input.role)),
  setGrants: adminProcedure.input(ForUser.extend({ grants: GrantsInput })).mutation(({ ctx, input }) => setGrants(ctx, by(ctx), input.userId, input.grants)),
  disable: adminProcedure.input(ForUser).mutation(({ ctx, input }) => disableUser(ctx, by(ctx), input.userId)),
  enable: adminProcedure.input(ForUser).mutation(({ ctx, input }) => enableUser(ctx, by(ctx), input.userId)),
  resetPassword: adminProcedure.input(ForUser).mutation(({ ctx, input }) => resetPassword(ctx, by(ctx), input.userId)),
} satisfies TRPCRouterRecord;
