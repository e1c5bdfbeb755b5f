import { z } from "zod";
import { type AgentMethod, type AgentMethodParams, type AgentMethodResult, METHOD_SINCE } from "@stevedore/protocol";
import { type Actor } from "../audit/audit-log";
import { audited } from "../audit/audited";
import type { AuditAction } from "../audit/audit-actions";
import type { CallerAccess } from "../access/caller-access";
import { asDomainError, domainErrorFrom } from "../domain-error";
import type { Services } from "../services";

/** A host a fleet-wide list could not read, and why in words. */
export interface UnreadHost {
  hostId: string;
  hostName: string;
  reason: string;
}

/** How long a fleet-wide list waits for one host before listing it as not answering. */
const LIST_TIMEOUT_MS = 15_000;

/**
 * Reads one method from every host the caller sees (or the one asked for), in parallel: what each
 * answered, and the hosts that could not answer (offline, an agent too old to know the method, an
 * engine error), so the page says which hosts are missing rather than showing a shorter list.
 */
export async function readFleet<M extends AgentMethod>(
  svc: Pick<Services, "fleet" | "agents">,
  access: CallerAccess,
  method: M,
  params: AgentMethodParams<M>,
  hostId?: string,
): Promise<{ answers: { hostId: string; hostName: string; result: AgentMethodResult<M> }[]; unread: UnreadHost[] }> {
  const hosts = svc.fleet.listHosts().filter((h) => access.sees(h.id) && (!hostId || h.id === hostId));
  const since = (METHOD_SINCE as Record<string, number>)[method] ?? 1;
  const answers: { hostId: string; hostName: string; result: AgentMethodResult<M> }[] = [];
  const unread: UnreadHost[] = [];
  await Promise.all(
    hosts.map(async (h) => {
      if (h.status === "offline") return unread.push({ hostId: h.id, hostName: h.name, reason: "offline" });
      // An agent too old stays so whatever its engine does: that is the thing to say.
      const version = h.facts.protocolVersion ?? 0;
      if (version < since) return unread.push({ hostId: h.id, hostName: h.name, reason: `its agent speaks protocol ${version}; this needs ${since}: upgrade the agent` });
      if (h.status === "engine_down") return unread.push({ hostId: h.id, hostName: h.name, reason: "its engine is down" });
      try {
        answers.push({ hostId: h.id, hostName: h.name, result: await svc.agents.request(h.id, method, params, { timeoutMs: LIST_TIMEOUT_MS }) });
      } catch (err) {
        unread.push({ hostId: h.id, hostName: h.name, reason: asDomainError(err)?.message ?? "did not answer" });
      }
    }),
  );
  unread.sort((a, b) => a.hostName.localeCompare(b.hostName));
  return { answers, unread };
}

/** Container ids as the rows show them: each with its name where the fleet knows it. */
export function containersNamed(svc: Pick<Services, "fleet">, hostId: string, ids: readonly string[]): { id: string; name: string }[] {
  return ids.map((id) => ({ id, name: svc.fleet.getContainer(hostId, id)?.name ?? id.slice(0, 12) }));
}

/**
 * One change to a volume or network on one host as an audited request: "requested", then "succeeded"
 * with what the engine reports, or "failed" in the engine's words (thrown).
 */
export async function auditedResourceCommand<M extends AgentMethod>(
  svc: Pick<Services, "fleet" | "agents" | "audit">,
  actor: Actor,
  hostId: string,
  target: { action: AuditAction; targetType: "volume" | "network"; targetId?: string | null; targetName?: string | null },
  method: M,
  params: AgentMethodParams<M>,
  settle: (result: AgentMethodResult<M>) => unknown = (result) => result,
): Promise<AgentMethodResult<M>> {
  const outcome = await audited(
    svc.audit,
    { actor, ...target, hostId, hostName: svc.fleet.getHost(hostId)?.name ?? hostId, params },
    () => svc.agents.request(hostId, method, params, { timeoutMs: 120_000 }),
    (result) => ({ params: { ...params, result: settle(result) } }),
  );
  if (!outcome.ok) throw domainErrorFrom(outcome.error.code, outcome.error.message);
  return outcome.result;
}

/** The volumes and networks lists' filter: host, a name fragment, a driver, in use or not. */
export const HostResourceListInput = z
  .strictObject({
    hostId: z.string().min(1).max(64).optional(),
    name: z.string().max(256).optional(),
    driver: z.string().max(128).optional(),
    use: z.enum(["all", "used", "unused"]).default("all"),
  })
  .default({ use: "all" });

/** What a host's list method returns per row: enough to filter by, and the container ids using it. */
interface HostResource {
  name: string;
  driver: string;
  containers: string[];
}

/**
 * A fleet-wide list of one kind of host resource (volumes, networks) from the hosts' answers: filtered,
 * each row with its host, the names of the containers using it and the caller's role there, and the
 * drivers seen (the filter's choices).
 */
export function filterHostResources<R extends HostResource>(
  svc: Pick<Services, "fleet">,
  access: CallerAccess,
  answers: { hostId: string; hostName: string; result: R[] }[],
  input: z.output<typeof HostResourceListInput>,
) {
  const name = input.name?.toLowerCase();
  const items = answers.flatMap(({ hostId, hostName, result }) =>
    result
      .filter((r) => (!name || r.name.toLowerCase().includes(name)) && (!input.driver || r.driver === input.driver) && (input.use === "all" || (input.use === "used") === r.containers.length > 0))
      .map(({ containers, ...r }) => ({ ...r, hostId, hostName, containers: containersNamed(svc, hostId, containers), access: access.roleOn(hostId) })),
  );
  const drivers = [...new Set(answers.flatMap((a) => a.result.map((r) => r.driver)))].sort();
  return { items, drivers };
}
