import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { DEFAULT_DETACH_KEYS, DetachKeys } from "@stevedore/protocol";
import { highestRole } from "../../access/roles";
import { actorOf } from "../../authenticate";
import { ChangePasswordInput, changeOwnPassword } from "../../users/change-password";
import { sessionProcedure, signedInProcedure } from "../init";

export const meRouter = {
  /** Who is signed in: fleet-wide role, group grants, and the highest role they hold anywhere. */
  get: signedInProcedure.query(({ ctx }) => ({ ...ctx.user, highestRole: highestRole(ctx.user) })),

  preferences: signedInProcedure.query(async ({ ctx }) => {
    const p = await ctx.db.userPreference.findUnique({ where: { userId: ctx.user.id } });
    return { detachKeys: p?.detachKeys ?? DEFAULT_DETACH_KEYS };
  }),

  /** The detach sequence for attached terminals, like `docker attach --detach-keys`. */
  setPreferences: signedInProcedure.input(z.object({ detachKeys: DetachKeys })).mutation(async ({ ctx, input }) => {
    await ctx.db.userPreference.upsert({ where: { userId: ctx.user.id }, create: { userId: ctx.user.id, detachKeys: input.detachKeys }, update: { detachKeys: input.detachKeys } });
    return input;
  }),

  /** Own password, proving the current one; ends the user's other sessions (users/change-password.ts). */
  changePassword: sessionProcedure.input(ChangePasswordInput).mutation(({ ctx, input }) => changeOwnPassword(ctx, ctx.user, actorOf(ctx), input)),
} satisfies TRPCRouterRecord;
