import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { HostGroups } from "../../access/grants";
import { hostOrThrow, issueJoinToken, listHostGroups, listJoinTokens, listRevokedHosts, revokeHost, revokeJoinToken, setHostGroups } from "../../agents/host-admin";
import { actorOf } from "../../authenticate";
import { HostListInput, listHosts } from "../../fleet/host-query";
import { adminProcedure, hostProcedure, signedInProcedure } from "../init";

const HostId = z.object({ hostId: z.string().min(1).max(64) });

export const hostsRouter = {
  /**
   * One page of the hosts the caller may see (search, status, group, sort, counts), each with the
   * caller's role on it: the hosts page and every host picker read this, never the whole fleet.
   */
  search: signedInProcedure.input(HostListInput).query(({ ctx, input }) =>
    listHosts(ctx.fleet, input, { sees: ctx.access.wholeFleet ? undefined : ctx.access.sees, mayOperate: (id) => ctx.access.may(id, "operate") }, (h) => ({ ...h, access: ctx.access.roleOn(h.id) })),
  ),

  /** Every host the caller may see, with their role on each: for API clients and scripts (the UI reads `search`). */
  list: signedInProcedure.query(({ ctx }) => ctx.fleet.listHosts().flatMap((h) => (ctx.access.sees(h.id) ? [{ ...h, access: ctx.access.roleOn(h.id) }] : []))),

  get: hostProcedure("view", HostId, (i) => [i.hostId]).query(({ ctx, input }) => ({ ...hostOrThrow(ctx.fleet, input.hostId), access: ctx.access.roleOn(input.hostId) })),

  /** The host's networks, for the run form's picker (viewers see them as they see its containers). */
  networks: hostProcedure("view", HostId, (i) => [i.hostId]).query(({ ctx, input }) => ctx.agents.request(input.hostId, "network.list", {})),

  /** The groups of the hosts the caller sees, with how many hosts each has (and, for admins, how many users hold grants on it). */
  groups: signedInProcedure.query(({ ctx }) => listHostGroups(ctx, ctx.access)),

  setGroups: adminProcedure.input(HostId.extend({ groups: HostGroups })).mutation(({ ctx, input }) => setHostGroups(ctx, actorOf(ctx), input.hostId, input.groups)),
  createJoinToken: adminProcedure
    .input(
      z
        .object({
          maxUses: z.number().int().min(1, "a join token enrolls at least 1 host").max(10_000, "a join token enrolls at most 10,000 hosts").default(1),
          ttlMinutes: z.number().int().min(1, "it lasts at least a minute").max(30 * 24 * 60, "it lasts at most 30 days").optional(),
          label: z.string().trim().max(64, "a label is at most 64 characters").optional(),
        })
        .default({ maxUses: 1 }),
    )
    .mutation(({ ctx, input }) => issueJoinToken(ctx, actorOf(ctx), ctx.user.id, input)),
  /** Join tokens that can still enroll hosts (the multi-use ones, and unused one-time tokens). */
  joinTokens: adminProcedure.query(({ ctx }) => listJoinTokens(ctx)),
  revokeJoinToken: adminProcedure.input(z.object({ tokenId: z.string().min(1).max(64) })).mutation(({ ctx, input }) => revokeJoinToken(ctx, actorOf(ctx), input.tokenId)),
  revoke: adminProcedure.input(HostId).mutation(({ ctx, input }) => revokeHost(ctx, actorOf(ctx), input.hostId)),
  /** Revoked hosts, newest first, with when and by whom: they are gone from `list` but not without a trace. */
  revoked: adminProcedure.query(({ ctx }) => listRevokedHosts(ctx)),
} satisfies TRPCRouterRecord;
