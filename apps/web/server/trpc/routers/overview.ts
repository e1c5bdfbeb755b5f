import type { TRPCRouterRecord } from "@trpc/server";
import { fleetOverview } from "../../fleet/overview";
import { signedInProcedure } from "../init";

export const overviewRouter = {
  /** The home page: hosts and containers by state, the broken ones and the pressed hosts first, on hosts the caller sees. */
  get: signedInProcedure.query(({ ctx }) => fleetOverview(ctx, ctx.access)),
} satisfies TRPCRouterRecord;
