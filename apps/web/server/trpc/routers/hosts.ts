import type { TRPCRouterRecord } from "@trpc/server";
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { createJoinToken } from "../../agents/enrollment";
import { newId } from "../../agents/secrets";
import { actorOf, adminProcedure, viewerProcedure } from "../init";

const HostId = z.object({ hostId: z.string().min(1).max(64) });

export const hostsRouter = {
  list: viewerProcedure.query(({ ctx }) => ctx.fleet.listHosts()),

  get: viewerProcedure.input(HostId).query(({ ctx, input }) => {
    const host = ctx.fleet.getHost(input.hostId);
    if (!host) throw new TRPCError({ code: "NOT_FOUND", message: "no such host" });
    return host;
  }),

  /** "Add host": a one-time, expiring join token and the exact command to run on the new host. */
  createJoinToken: adminProcedure.mutation(async ({ ctx }) => {
    const { token, expiresAt } = await createJoinToken(ctx.db, ctx.user.id, ctx.config.joinTokenTtlMs);
    await ctx.audit.append({ requestId: newId("req"), phase: "succeeded", action: "host.join-token", actor: actorOf(ctx), targetType: "join-token", params: { expiresAt } });
    const url = ctx.config.publicUrl;
    return {
      token,
      expiresAt,
      command: `npx stevedore-agent --url ${url} --join ${token}`,
      containerCommand: `docker run -d --name stevedore-agent --restart unless-stopped -v /var/run/docker.sock:/var/run/docker.sock -v stevedore-agent:/var/lib/stevedore-agent stevedore-agent --hostname "$(hostname)" --url ${url} --join ${token}`,
    };
  }),

  revoke: adminProcedure.input(HostId).mutation(async ({ ctx, input }) => {
    const host = ctx.fleet.getHost(input.hostId);
    if (!host) throw new TRPCError({ code: "NOT_FOUND", message: "no such host" });
    await ctx.agents.revoke(input.hostId);
    await ctx.audit.append({ requestId: newId("req"), phase: "succeeded", action: "host.revoke", actor: actorOf(ctx), hostId: host.id, hostName: host.name, targetType: "host", targetId: host.id, targetName: host.name });
    ctx.log.info({ hostId: input.hostId, by: ctx.user.email }, "host revoked");
    return { revoked: true };
  }),
} satisfies TRPCRouterRecord;
