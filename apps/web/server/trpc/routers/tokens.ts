import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { highestRole, roleAtLeast } from "../../access/roles";
import { createApiToken } from "../../api-tokens";
import { recordAction } from "../../audit/audited";
import { DomainError } from "../../domain-error";
import { actorOf } from "../../authenticate";
import { sessionProcedure, signedInProcedure } from "../init";

/** A token carries a role of its own, at most its maker's ("none" would be a token for nothing). */
const TOKEN_ROLES = ["viewer", "operator", "admin"] as const;

export const tokensRouter = {
  /** The caller's own tokens; the secret itself is never shown again. */
  list: signedInProcedure.query(({ ctx }) =>
    ctx.db.apiToken.findMany({
      where: { userId: ctx.user.id },
      select: { id: true, name: true, role: true, createdAt: true, expiresAt: true, lastUsedAt: true, revokedAt: true },
      orderBy: { createdAt: "desc" },
    }),
  ),

  create: sessionProcedure
    .input(z.object({ name: z.string().trim().min(1, "give the token a name").max(100), role: z.enum(TOKEN_ROLES), expiresInDays: z.number().int().min(1).max(3650).optional() }))
    .mutation(async ({ ctx, input }) => {
      // A grant counts: operator on "staging" may make an operator token, which is operator only there.
      const mine = highestRole(ctx.user);
      if (!roleAtLeast(mine, input.role)) throw new DomainError("forbidden", `a token can have at most your own role (${mine})`);
      const expiresAt = input.expiresInDays ? new Date(Date.now() + input.expiresInDays * 86_400_000) : undefined;
      const { token, id } = await createApiToken(ctx.db, ctx.user, { name: input.name, role: input.role, expiresAt });
      await recordAction(ctx.audit, { action: "token.create", actor: actorOf(ctx), targetType: "token", targetId: id, targetName: input.name, params: { role: input.role, expiresAt } });
      return { id, token, expiresAt: expiresAt ?? null };
    }),

  revoke: sessionProcedure.input(z.object({ id: z.string().min(1).max(64) })).mutation(async ({ ctx, input }) => {
    const token = await ctx.db.apiToken.findUnique({ where: { id: input.id } });
    // Admins may revoke anyone's token (a leaked one cannot wait for its owner).
    if (!token || (token.userId !== ctx.user.id && !ctx.access.isAdmin)) throw new DomainError("not_found", "no such token");
    if (!token.revokedAt) await ctx.db.apiToken.update({ where: { id: token.id }, data: { revokedAt: new Date() } });
    await recordAction(ctx.audit, { action: "token.revoke", actor: actorOf(ctx), targetType: "token", targetId: token.id, targetName: token.name });
    return { revoked: true };
  }),
} satisfies TRPCRouterRecord;
