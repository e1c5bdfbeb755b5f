import type { AgentMethod, AgentMethodParams, AgentMethodResult } from "@stevedore/protocol";
import type { Actor } from "../audit/audit-log";
import { audited } from "../audit/audited";
import { domainErrorFrom } from "../domain-error";
import type { Services } from "../services";
import type { AuditAction } from "../audit/audit-actions";

/**
 * One image change on one host (remove, tag, prune) as an audited request: "requested", then
 * "succeeded" with what the engine reports, or "failed" in the engine's words (and thrown).
 */
export async function auditedImageCommand<M extends AgentMethod>(
  svc: Services,
  actor: Actor,
  hostId: string,
  target: { action: AuditAction; targetId?: string; targetName?: string | null },
  method: M,
  params: AgentMethodParams<M>,
): Promise<AgentMethodResult<M>> {
  const outcome = await audited(
    svc.audit,
    { actor, ...target, hostId, hostName: svc.fleet.getHost(hostId)?.name ?? hostId, targetType: "image", params },
    () => svc.agents.request(hostId, method, params, { timeoutMs: 120_000 }),
    (result) => ({ params: { ...params, result } }),
  );
  if (!outcome.ok) throw domainErrorFrom(outcome.error.code, outcome.error.message);
  return outcome.result;
}
