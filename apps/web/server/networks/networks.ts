import { z } from "zod";
import type { NetworkCreate } from "@stevedore/protocol";
import type { Actor } from "../audit/audit-log";
import type { CallerAccess } from "../access/caller-access";
import type { Services } from "../services";
import { type HostResourceListInput, auditedResourceCommand, containersNamed, filterHostResources, readFleet } from "../volumes/host-resources";

/** Every network on the hosts the caller sees, filtered, with the containers joining it and the caller's role on its host. */
export async function listNetworks(svc: Pick<Services, "fleet" | "agents">, access: CallerAccess, input: z.output<typeof HostResourceListInput>) {
  const { answers, unread } = await readFleet(svc, access, "network.details", {}, input.hostId);
  return { ...filterHostResources(svc, access, answers, input), unread };
}

export async function inspectNetwork(svc: Pick<Services, "fleet" | "agents">, hostId: string, id: string) {
  const n = await svc.agents.request(hostId, "network.inspect", { id }, { timeoutMs: 30_000 });
  return { ...n, hostId, hostName: svc.fleet.getHost(hostId)?.name ?? hostId, containers: containersNamed(svc, hostId, n.containers) };
}

export function createNetwork(svc: Pick<Services, "fleet" | "agents" | "audit">, actor: Actor, hostId: string, network: NetworkCreate) {
  return auditedResourceCommand(svc, actor, hostId, { action: "network.create", targetType: "network", targetName: network.name }, "network.create", { network }, (n) => ({ id: n.id, ipam: n.ipam }));
}

/** The audit entry names the network as it was asked for; its result, the name the engine removed. */
export function removeNetwork(svc: Pick<Services, "fleet" | "agents" | "audit">, actor: Actor, hostId: string, id: string) {
  return auditedResourceCommand(svc, actor, hostId, { action: "network.remove", targetType: "network", targetName: id }, "network.remove", { id });
}

/** What a prune would remove on a host: networks no container is configured to join (the engine's own excepted). */
export async function networkPrunePreview(svc: Pick<Services, "agents">, hostId: string) {
  return { networks: (await svc.agents.request(hostId, "network.prune", {}, { timeoutMs: 30_000 })).candidates };
}

/** Removes the previewed networks that are still unused, audited with what went. */
export function pruneNetworks(svc: Pick<Services, "fleet" | "agents" | "audit">, actor: Actor, hostId: string, ids: string[]) {
  return auditedResourceCommand(svc, actor, hostId, { action: "network.prune", targetType: "network", targetName: `${ids.length} unused network${ids.length === 1 ? "" : "s"}` }, "network.prune", { remove: ids }, (r) => ({
    removed: r.removed,
    failed: r.failed,
  }));
}
