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

/** A list filter's "in use" choice. */
export type UseFilter = "all" | "used" | "unused";

export function matchesText(value: string, query: string | undefined): boolean {
  return !query || value.toLowerCase().includes(query.toLowerCase());
}

