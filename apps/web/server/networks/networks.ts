import { z } from "zod";
import type { NetworkCreate } from "@stevedore/protocol";
import type { Actor } from "../audit/audit-log";
import type { CallerAccess } from "../access/caller-access";
import type { Services } from "../services";
import { type UseFilter, auditedResourceCommand, containersNamed, matchesText, readFleet } from "../volumes/host-resources";

export const NetworkListInput = z
  .strictObject({
    hostId: z.string().min(1).max(64).optional(),
    name: z.string().max(256).optional(),
    driver: z.string().max(128).optional(),
    use: z.enum(["all", "used", "unused"]).default("all"),
  })
  .default({ use: "all" });

/** Every network on the hosts the caller sees, filtered, with the containers joining it and the caller's role on its host. */
export async function listNetworks(svc: Pick<Services, "fleet" | "agents">, access: CallerAccess, input: z.output<typeof NetworkListInput>) {
  const { answers, unread } = await readFleet(svc, access, "network.details", {}, input.hostId);
  const use: UseFilter = input.use;
  const items = answers.flatMap(({ hostId, hostName, result }) =>
    result
      .filter((n) => matchesText(n.name, input.name) && (!input.driver || n.driver === input.driver) && (use === "all" || (use === "used") === n.containers.length > 0))
      .map((n) => ({ ...n, hostId, hostName, containers: containersNamed(svc, hostId, n.containers), access: access.roleOn(hostId) })),
  );
  const drivers = [...new Set(answers.flatMap((a) => a.result.map((n) => n.driver)))].sort();
  return { items, unread, drivers };
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
