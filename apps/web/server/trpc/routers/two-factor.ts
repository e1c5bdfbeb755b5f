import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { actorOf } from "../../authenticate";
import { TwoFactorPolicy } from "../../two-factor/policy";
import { enrolledUserIds, factorStatus, resetFactors, setPolicy } from "../../two-factor/factor-admin";
import { UserId } from "../../users/user-admin";
import { type AuthedContext, adminProcedure, signedInProcedure } from "../init";

const by = (ctx: AuthedContext) => ({ actor: actorOf(ctx), userId: ctx.user.id });

/**
 * Second factors (two-factor/): enrolment and checks themselves go through better-auth's endpoints
 * (/api/auth/two-factor/*, audited by two-factor/factor-plugin.ts); these are the rest.
 */
export const twoFactorRouter = {
  /** The caller's own: enrolled, required by their role, last verified in this session. */
  status: signedInProcedure.query(({ ctx }) => factorStatus(ctx, ctx.user)),
  policy: adminProcedure.query(({ ctx }) => ctx.settings.get("twoFactor")),
  setPolicy: adminProcedure.input(TwoFactorPolicy).mutation(({ ctx, input }) => setPolicy(ctx, by(ctx), input)),
  enrolled: adminProcedure.query(({ ctx }) => enrolledUserIds(ctx.db)),
  reset: adminProcedure.input(z.object({ userId: UserId })).mutation(({ ctx, input }) => resetFactors(ctx, by(ctx), input.userId)),
} satisfies TRPCRouterRecord;
