import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { highestRole } from "../../access";
import { createApiToken } from "../../api-tokens";
import { ROLES, roleAtLeast } from "../../auth";
import { newId } from "../../agents/secrets";
import { actorOf, viewerProcedure } from "../init";

/** Tokens are managed from a browser session, never with another token. */
const sessionProcedure = viewerProcedure.use(({ ctx, next }) => {
  if (ctx.user.token) throw new TRPCError({ code: "FORBIDDEN", message: "API tokens are managed from a signed-in session, not with a token" });
  return next();
});

export const tokensRouter = {
  /** The caller's own tokens; the secret itself is never shown again. */
  list: viewerProcedure.query(({ ctx }) =>
    ctx.db.apiToken.findMany({
      where: { userId: ctx.user.id },
      select: { id: true, name: true, role: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true },
      orderBy: { createdAt: "desc" },
    }),
  ),

  create: sessionProcedure
    .input(z.object({ name: z.string().trim().min(1, "give the token a name").max(100), role: z.enum(ROLES), expiresInDays: z.number().int().min(1).max(3650).optional() }))
    .mutation(async ({ ctx, input }) => {
      // A grant counts: operator on "staging" may make an operator token, which is operator only there.
      const mine = highestRole(ctx.user);
      if (!roleAtLeast(mine, input.role)) throw new TRPCError({ code: "FORBIDDEN", message: `a token can have at most your own role (${mine})` });
      const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : undefined;
      const { token, id } = await createApiToken(ctx.db, ctx.user, { name: input.name, role: input.role, expiresAt });
      await ctx.audit.append({ requestId: newId("req"), phase: "succeeded", action: "token.create", actor: actorOf(ctx), targetType: "token", targetId: id, targetName: input.name, params: { role: input.role, expiresAt } });
      return { id, token, expiresAt: expiresAt ?? null };
    }),

  revoke: sessionProcedure.input(z.object({ id: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    const token = await ctx.db.apiToken.findUnique({ where: { id: input.id } });
    // Admins may revoke anyone's token (a leaked one cannot wait for its owner).
    if (!token || (token.userId !== ctx.user.id && ctx.user.role !== "admin")) throw new TRPCError({ code: "NOT_FOUND", message: "no such token" });
    if (!token.revokedAt) await ctx.db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
    await ctx.audit.append({ requestId: newId("req"), phase: "succeeded", action: "token.revoke", actor: actorOf(ctx), targetType: "token", targetId: token.id, targetName: token.name });
    return { revoked: true };
  }),
} satisfies TRPCRouterRecord;
