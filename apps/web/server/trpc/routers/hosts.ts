import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { HostGroups } from "../../access/grants";
import { createJoinToken } from "../../agents/enrollment";
import { recordAction } from "../../audit/audited";
import { DomainError } from "../../domain-error";
import { actorOf } from "../../authenticate";
import { type Context, adminProcedure, hostProcedure, signedInProcedure } from "../init";

const HostId = z.object({ hostId: z.string().min(1).max(64) });

function hostOrThrow(ctx: Context, hostId: string) {
  const host = ctx.fleet.getHost(hostId);
  if (!host) throw new DomainError("not_found", "no such host");
  return host;
}

export const hostsRouter = {
  /** The hosts the caller may see, with their role on each. */
  list: signedInProcedure.query(({ ctx }) => ctx.fleet.listHosts().flatMap((h) => (ctx.access.sees(h.id) ? [{ ...h, access: ctx.access.roleOn(h.id) }] : []))),

  get: hostProcedure("view", HostId, (i) => [i.hostId]).query(({ ctx, input }) => ({ ...hostOrThrow(ctx, input.hostId), access: ctx.access.roleOn(input.hostId) })),

  /** The groups of the hosts the caller sees, with how many hosts each has (and, for admins, how many users hold grants on it). */
  groups: signedInProcedure.query(async ({ ctx }) => {
    const hosts = new Map<string, number>();
    for (const h of ctx.fleet.listHosts()) if (ctx.access.sees(h.id)) for (const g of h.groups) hosts.set(g, (hosts.get(g) ?? 0) + 1);
    const grants = ctx.access.isAdmin ? await ctx.db.accessGrant.groupBy({ by: ["group"], _count: { _all: true } }) : [];
    const users = new Map(grants.map((g) => [g.group, g._count._all]));
    const names = [...new Set([...hosts.keys(), ...users.keys()])].sort();
    return names.map((name) => ({ name, hosts: hosts.get(name) ?? 0, grants: users.get(name) ?? 0 }));
  }),

  /** Replaces a host's groups; access on it follows at once (grants are by group). */
  setGroups: adminProcedure.input(HostId.extend({ groups: HostGroups })).mutation(async ({ ctx, input }) => {
    const host = hostOrThrow(ctx, input.hostId);
    await ctx.db.$transaction([
      ctx.db.hostGroupMember.deleteMany({ where: { hostId: host.id } }),
      ctx.db.hostGroupMember.createMany({ data: input.groups.map((group) => ({ hostId: host.id, group })) }),
    ]);
    ctx.agents.setGroups(host.id, input.groups);
    await recordAction(ctx.audit, { action: "host.set-groups", actor: actorOf(ctx), hostId: host.id, hostName: host.name, targetType: "host", targetId: host.id, targetName: host.name, params: { from: host.groups, to: input.groups } });
    return { groups: input.groups };
  }),

  /** "Add host": a one-time, expiring join token and the exact command to run on the new host. */
  createJoinToken: adminProcedure.mutation(async ({ ctx }) => {
    const { token, expiresAt } = await createJoinToken(ctx.db, ctx.user.id, ctx.config.joinTokenTtlMs);
    await recordAction(ctx.audit, { action: "host.join-token", actor: actorOf(ctx), targetType: "join-token", params: { expiresAt } });
    const url = ctx.config.publicUrl;
    return {
      token,
      expiresAt,
      // The control plane serves the installer and the agent (install/agent-install.ts): Node ≥ 20 and curl suffice.
      command: `curl -fsSL ${url}/install/agent.sh | sudo sh -s -- --join ${token}`,
      containerCommand: `docker run -d --name stevedore-agent --restart unless-stopped -v /var/run/docker.sock:/var/run/docker.sock -v stevedore-agent:/var/lib/stevedore-agent stevedore-agent --hostname "$(hostname)" --url ${url} --join ${token}`,
    };
  }),

  revoke: adminProcedure.input(HostId).mutation(async ({ ctx, input }) => {
    const host = hostOrThrow(ctx, input.hostId);
    await ctx.agents.revoke(input.hostId);
    await recordAction(ctx.audit, { action: "host.revoke", actor: actorOf(ctx), hostId: host.id, hostName: host.name, targetType: "host", targetId: host.id, targetName: host.name });
    ctx.log.info({ hostId: input.hostId, by: ctx.user.email }, "host revoked");
    return { revoked: true };
  }),
} satisfies TRPCRouterRecord;
