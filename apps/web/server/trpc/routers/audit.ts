import type { TRPCRouterRecord } from "@trpc/server";
import { AuditQuery } from "../../audit/audit-log";
import { checkpointNow } from "../../audit/checkpoint-now";
import { actorOf } from "../../authenticate";
import { adminProcedure, signedInProcedure } from "../init";

export const auditRouter = {
  /**
   * Newest first, filtered on the server, paged with a cursor (the last entry's sequence number).
   * Non-admins read only entries about hosts they see; fleet-wide entries (users, settings, tokens) are admins'.
   */
  list: signedInProcedure.input(AuditQuery).query(({ ctx, input }) => ctx.audit.list(input, ctx.access.auditScope())),

  /**
   * The same trail as rows: one per request (its entries, ending with its outcome) or per run of one
   * target's observed engine events; the cursor pages over rows. Scoped as `list`.
   */
  groups: signedInProcedure.input(AuditQuery).query(({ ctx, input }) => ctx.audit.groups(input, ctx.access.auditScope())),

  /**
   * Walks the chain (its keyed links and the witnesses' checkpoints) and reports the first entry that
   * was edited, removed, reordered or cut off, and any checkpoint line not signed with the audit key.
   */
  verify: adminProcedure.mutation(({ ctx }) => ctx.audit.verify()),

  /** Writes a signed checkpoint of the chain's head to the witnesses now (audited). */
  checkpoint: adminProcedure.mutation(({ ctx }) => checkpointNow(ctx, actorOf(ctx))),
} satisfies TRPCRouterRecord;
