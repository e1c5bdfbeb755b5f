import type { TRPCRouterRecord } from "@trpc/server";
import { AuditQuery } from "../../audit/audit-log";
import { adminProcedure, viewerProcedure } from "../init";

export const auditRouter = {
  /** Newest first, filtered on the server, paged with a cursor (the last entry's sequence number). */
  list: viewerProcedure.input(AuditQuery).query(({ ctx, input }) => ctx.audit.list(input)),

  /** Walks the hash chain and reports the first entry that was edited, removed or reordered. */
  verify: adminProcedure.mutation(({ ctx }) => ctx.audit.verify()),
} satisfies TRPCRouterRecord;
