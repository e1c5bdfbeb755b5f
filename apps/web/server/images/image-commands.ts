import type { AgentMethod, AgentMethodParams, AgentMethodResult } from "@stevedore/protocol";
import { newId } from "../agents/secrets";
import type { Actor } from "../audit/audit-log";
import { type Services, callAgent } from "../trpc/init";

/**
 * One image change on one host (remove, tag, prune) as an audited request: "requested", then
 * "succeeded" with what the engine reports, or "failed" in the engine's words (and thrown).
 */
export async function auditedImageCommand<M extends AgentMethod>(
  svc: Services,
  actor: Actor,
  hostId: string,
  audit: { action: string; targetId?: string; targetName?: string | null },
  method: M,
  params: AgentMethodParams<M>,
): Promise<AgentMethodResult<M>> {
  const base = {
    requestId: newId("req"),
    action: audit.action,
    actor,
    hostId,
    hostName: svc.fleet.getHost(hostId)?.name ?? hostId,
    targetType: "image",
    targetId: audit.targetId ?? null,
    targetName: audit.targetName ?? null,
    params,
  };
  await svc.audit.append({ ...base, phase: "requested" });
  try {
    const result = await callAgent(svc.agents.request(hostId, method, params, { timeoutMs: 120_000 }));
    await svc.audit.append({ ...base, phase: "succeeded", params: { ...params, result } });
    return result;
  } catch (err) {
    await svc.audit.append({ ...base, phase: "failed", error: err instanceof Error ? err.message : String(err) });
    throw err;
  }
}
