import type { TRPCRouterRecord } from "@trpc/server";
import { AuditQuery } from "../../audit/audit-log";
import { adminProcedure, signedInProcedure } from "../init";

export const auditRouter = {
  /**
   * Newest first, filtered on the server, paged with a cursor (the last entry's sequence number).
   * Non-admins read only entries about hosts they see; fleet-wide entries (users, settings, tokens) are admins'.
   */
  list: signedInProcedure.input(AuditQuery).query(({ ctx, input }) => ctx.audit.list(input, ctx.access.auditScope())),

  /** Walks the hash chain and reports the first entry that was edited, removed or reordered. */
  verify: adminProcedure.mutation(({ ctx }) => ctx.audit.verify()),
} satisfies TRPCRouterRecord;
