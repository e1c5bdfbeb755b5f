import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { hostProcedure, signedInProcedure } from "../init";

const HostIds = z.object({ hostIds: z.array(z.string().min(1).max(64)).min(1).max(20_000) });

export const updatesRouter = {
  /** References whose tag moved on, with the containers that run them, on hosts the caller sees. */
  list: signedInProcedure.query(async ({ ctx }) =>
    ctx.updates.report(ctx.access.sees, await ctx.settings.get("updatePolicy")).map((r) => ({ ...r, containers: r.containers.map((c) => ({ ...c, operable: ctx.access.may(c.hostId, "operate") })) })),
  ),

  /** When the fleet was last checked and the next scheduled check. */
  schedule: signedInProcedure.query(({ ctx }) => ctx.updates.schedule()),

  /** Asks the registries now about the images running on these hosts (registry requests are made with the stored credentials). */
  check: hostProcedure("operate", HostIds, (i) => i.hostIds).mutation(({ ctx, input }) => ctx.updates.check(input.hostIds)),
} satisfies TRPCRouterRecord;
