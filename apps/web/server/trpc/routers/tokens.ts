import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { CreateTokenInput, createApiToken, listOwnTokens, revokeApiToken } from "../../api-tokens";
import { actorOf } from "../../authenticate";
import { sessionProcedure, signedInProcedure } from "../init";

/** The caller's API tokens (api-tokens.ts); made and revoked only from a browser session. */
export const tokensRouter = {
  list: signedInProcedure.query(({ ctx }) => listOwnTokens(ctx.db, ctx.user.id)),
  create: sessionProcedure.input(CreateTokenInput).mutation(({ ctx, input }) => createApiToken(ctx, ctx.user, actorOf(ctx), input)),
  revoke: sessionProcedure
    .input(z.object({ id: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => revokeApiToken(ctx, { userId: ctx.user.id, isAdmin: ctx.access.isAdmin }, actorOf(ctx), input.id)),
} satisfies TRPCRouterRecord;
