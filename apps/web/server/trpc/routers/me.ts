import type { TRPCRouterRecord } from "@trpc/server";
import { viewerProcedure } from "../init";

export const meRouter = {
  get: viewerProcedure.query(({ ctx }) => ctx.user),
} satisfies TRPCRouterRecord;
