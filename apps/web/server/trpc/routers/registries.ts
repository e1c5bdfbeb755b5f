import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { recordAction } from "../../audit/audited";
import { DomainError } from "../../domain-error";
import { MAX_TAG_DETAILS, checkRegistry, describeTags, listRepositories, listTags } from "../../registries/registry-client";
import { RegistryInput } from "../../registries/registries";
import { actorOf } from "../../authenticate";
import { type AuthedContext, type Context, adminProcedure, signedInProcedure } from "../init";
import type { AuditAction } from "../../audit/audit-actions";

const RegistryId = z.object({ id: z.string().min(1).max(64) });
const Repository = z.string().min(1).max(255).regex(/^[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*(?:\/[a-z0-9]+(?:[._-]{1,2}[a-z0-9]+)*)*$/, "a repository is lowercase path components");

async function targetOrThrow(ctx: Context, id: string) {
  const target = await ctx.registries.target(id);
  if (!target) throw new DomainError("not_found", "no such registry");
  return target;
}

/** Registries: admins add them with credentials; everyone may browse them and pull from them. */
export const registriesRouter = {
  /** Never with a password; the username only to admins. */
  list: signedInProcedure.query(async ({ ctx }) => {
    const admin = ctx.access.isAdmin;
    return (await ctx.registries.list()).map((r) => ({ ...r, username: admin ? r.username : null }));
  }),

  add: adminProcedure.input(RegistryInput).mutation(async ({ ctx, input }) => {
    const view = await ctx.registries.add(input, ctx.user.id).catch(uniqueConflict);
    await audit(ctx, "registry.add", view, { address: view.address, insecure: view.insecure, username: view.username, password: view.hasPassword ? "(set)" : null });
    return view;
  }),

  update: adminProcedure.input(RegistryId.extend({ registry: RegistryInput })).mutation(async ({ ctx, input }) => {
    await targetOrThrow(ctx, input.id);
    const view = await ctx.registries.update(input.id, input.registry).catch(uniqueConflict);
    const password = input.registry.clearPassword ? "(removed)" : input.registry.password ? "(changed)" : "(unchanged)";
    await audit(ctx, "registry.update", view, { address: view.address, insecure: view.insecure, username: view.username, password });
    return view;
  }),

  remove: adminProcedure.input(RegistryId).mutation(async ({ ctx, input }) => {
    await targetOrThrow(ctx, input.id);
    const view = await ctx.registries.remove(input.id);
    await audit(ctx, "registry.remove", view, { address: view.address });
    return { removed: true };
  }),

  /** "Test connection" for a saved registry or the form's draft (an empty password uses the stored one). */
  test: adminProcedure.input(z.object({ id: z.string().max(64).optional(), registry: RegistryInput })).mutation(async ({ ctx, input }) => {
    const target = await ctx.registries.draftTarget(input.registry, input.id);
    return checkRegistry(target);
  }),

  /** One page of the catalog; `cursor` is the previous page's `next`. */
  repositories: signedInProcedure.input(RegistryId.extend({ cursor: z.string().max(255).nullish() })).query(async ({ ctx, input }) => {
    const target = await targetOrThrow(ctx, input.id);
    return listRepositories(target, input.cursor ?? undefined);
  }),

  tags: signedInProcedure.input(RegistryId.extend({ repository: Repository })).query(async ({ ctx, input }) => {
    const target = await targetOrThrow(ctx, input.id);
    return { tags: await listTags(target, input.repository) };
  }),

  /**
   * Digest, size, date and platforms of up to 25 of a repository's tags, read from their manifests and
   * image configs by the control plane (each capped in size and checked against its digest).
   */
  tagDetails: signedInProcedure
    .input(RegistryId.extend({ repository: Repository, tags: z.array(z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/, "a tag is up to 128 letters, digits, _ . -")).min(1).max(MAX_TAG_DETAILS) }))
    .query(async ({ ctx, input }) => {
      const target = await targetOrThrow(ctx, input.id);
      return { tags: await describeTags(target, input.repository, input.tags) };
    }),
} satisfies TRPCRouterRecord;

function uniqueConflict(err: unknown): never {
  if ((err as { code?: string }).code === "P2002") throw new DomainError("conflict", "a registry with this name or address exists already");
  throw err;
}

function audit(ctx: AuthedContext, action: AuditAction, view: { id: string; name: string }, params: Record<string, unknown>) {
  return recordAction(ctx.audit, { action, actor: actorOf(ctx), targetType: "registry", targetId: view.id, targetName: view.name, params });
}
