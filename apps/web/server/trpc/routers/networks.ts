import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { HostResourceListInput } from "../../volumes/host-resources";
import { NetworkCreate } from "@stevedore/protocol";
import { actorOf } from "../../authenticate";
import { createNetwork, inspectNetwork, listNetworks, networkPrunePreview, pruneNetworks, removeNetwork } from "../../networks/networks";
import { hostProcedure, signedInProcedure } from "../init";

const OnHost = z.strictObject({ hostId: z.string().min(1).max(64) });
const onHost = (i: { hostId: string }) => [i.hostId];
/** A network's id (or a unique prefix of it) or its name. */
const NetworkRef = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,127}$/, "a network is named by its id or name");

export const networksRouter = {
  /** The networks on every host the caller sees (read live from each), and the hosts that could not say. */
  list: signedInProcedure.input(HostResourceListInput).query(({ ctx, input }) => listNetworks(ctx, ctx.access, input)),

  /** One network: driver, address ranges, options, labels and the containers joining it. */
  inspect: hostProcedure("view", OnHost.extend({ id: NetworkRef }), onHost).query(({ ctx, input }) => inspectNetwork(ctx, input.hostId, input.id)),

  /** `docker network create` with driver, subnet, gateway, internal, attachable and labels. */
  create: hostProcedure("operate", OnHost.extend({ network: NetworkCreate }), onHost).mutation(({ ctx, input }) => createNetwork(ctx, actorOf(ctx), input.hostId, input.network)),

  /** `docker network rm`; the engine refuses while a container is connected, the agent refuses the engine's own. */
  remove: hostProcedure("operate", OnHost.extend({ id: NetworkRef }), onHost).mutation(({ ctx, input }) => removeNetwork(ctx, actorOf(ctx), input.hostId, input.id)),

  /** What a prune would remove on a host. */
  prunePreview: hostProcedure("view", OnHost, onHost).query(({ ctx, input }) => networkPrunePreview(ctx, input.hostId)),

  /** Removes the networks of the preview that are still unused. */
  prune: hostProcedure("operate", OnHost.extend({ ids: z.array(NetworkRef).min(1, "choose at least one network").max(10_000) }), onHost).mutation(({ ctx, input }) =>
    pruneNetworks(ctx, actorOf(ctx), input.hostId, input.ids),
  ),
} satisfies TRPCRouterRecord;
