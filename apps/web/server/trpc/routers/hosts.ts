import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { HostGroups } from "../../access/grants";
import { hostOrThrow, issueJoinToken, listHostGroups, listRevokedHosts, revokeHost, setHostGroups } from "../../agents/host-admin";
import { actorOf } from "../../authenticate";
import { adminProcedure, hostProcedure, signedInProcedure } from "../init";

const HostId = z.object({ hostId: z.string().min(1).max(64) });

export const hostsRouter = {
  /** The hosts the caller may see, with their role on each. */
  list: signedInProcedure.query(({ ctx }) => ctx.fleet.listHosts().flatMap((h) => (ctx.access.sees(h.id) ? [{ ...h, access: ctx.access.roleOn(h.id) }] : []))),

  get: hostProcedure("view", HostId, (i) => [i.hostId]).query(({ ctx, input }) => ({ ...hostOrThrow(ctx.fleet, input.hostId), access: ctx.access.roleOn(input.hostId) })),

  /** The host's networks, for the run form's picker (viewers see them as they see its containers). */
  networks: hostProcedure("view", HostId, (i) => [i.hostId]).query(({ ctx, input }) => ctx.agents.request(input.hostId, "network.list", {})),

  /** The groups of the hosts the caller sees, with how many hosts each has (and, for admins, how many users hold grants on it). */
  groups: signedInProcedure.query(({ ctx }) => listHostGroups(ctx, ctx.access)),

  setGroups: adminProcedure.input(HostId.extend({ groups: HostGroups })).mutation(({ ctx, input }) => setHostGroups(ctx, actorOf(ctx), input.hostId, input.groups)),
  createJoinToken: adminProcedure.mutation(({ ctx }) => issueJoinToken(ctx, actorOf(ctx), ctx.user.id)),
  revoke: adminProcedure.input(HostId).mutation(({ ctx, input }) => revokeHost(ctx, actorOf(ctx), input.hostId)),
  /** Revoked hosts, newest first, with when and by whom: they are gone from `list` but not without a trace. */
  revoked: adminProcedure.query(({ ctx }) => listRevokedHosts(ctx)),
} satisfies TRPCRouterRecord;
