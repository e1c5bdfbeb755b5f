import type { TRPCRouterRecord } from "@trpc/server";
import { highestRole } from "../../access";
import { viewerProcedure } from "../init";

export const meRouter = {
  /** Who is signed in: fleet-wide role, group grants, and the highest role they hold anywhere. */
  get: viewerProcedure.query(({ ctx }) => ({ ...ctx.user, highestRole: highestRole(ctx.user) })),
} satisfies TRPCRouterRecord;
