import type { TRPCRouterRecord } from "@trpc/server";
import { actorOf } from "../../authenticate";
import { RemoveProviderInput, SaveProviderInput, removeSsoProvider, saveSsoProvider, setSsoPolicy, ssoView } from "../../sso/sso-admin";
import { SsoPolicy } from "../../sso/sso-settings";
import { adminProcedure } from "../init";

/** Single sign-on (OIDC) settings: admins only; client secrets go in, never out. */
export const ssoRouter = {
  get: adminProcedure.query(({ ctx }) => ssoView(ctx)),
  setPolicy: adminProcedure.input(SsoPolicy).mutation(({ ctx, input }) => setSsoPolicy(ctx, actorOf(ctx), ctx.user.id, input)),
  saveProvider: adminProcedure.input(SaveProviderInput).mutation(({ ctx, input }) => saveSsoProvider(ctx, actorOf(ctx), ctx.user.id, input)),
  removeProvider: adminProcedure.input(RemoveProviderInput).mutation(({ ctx, input }) => removeSsoProvider(ctx, actorOf(ctx), ctx.user.id, input.id)),
} satisfies TRPCRouterRecord;
