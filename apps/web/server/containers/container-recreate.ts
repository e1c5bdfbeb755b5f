import { type HealthGate, type RecreateProgress, type RecreateResult, type RunSpec, REQUEST_ID_LABEL, STARTED_BY_LABEL, dockerRunCommand } from "@stevedore/protocol";
import type { Actor } from "../audit/audit-log";
import { type AuditedAction, type Outcome, audited, recordRefusal } from "../audit/audited";
import { redact } from "../audit/redact";
import { DomainError } from "../domain-error";
import type { Services } from "../services";
import { agentPolicy, refuseRun } from "./run-policy";
import { runPolicies } from "./run-policy-view";

export type RecreateAction = "container.recreate" | "container.update" | "container.rollback";

/** A recreate's request may wait this long between progress reports (the agent sends one every half second while it watches). */
const RECREATE_IDLE_MS = 60_000;

/**
 * The run spec that makes this container again, from its host: refused when the container uses what a
 * run spec cannot carry (`--privileged`, added capabilities, devices…), since recreating it would drop
 * those, and an operator must not get a privileged container's powers by recreating it either.
 */
export async function specOf(svc: Pick<Services, "agents">, hostId: string, id: string): Promise<{ spec: RunSpec; imageId: string }> {
  const read = await svc.agents.request(hostId, "container.spec", { id });
  if (read.unsupported.length) throw new DomainError("precondition_failed", `this container cannot be recreated from Stevedore: it uses ${read.unsupported.join(", ")}, which a run spec does not carry`);
  if (!read.spec) throw new DomainError("precondition_failed", "this container was created from an image id with no tag left: there is no image reference to recreate it from");
  return { spec: read.spec, imageId: read.imageId };
}

/**
 * One container replaced on its host (container.recreate on the agent), as one audited request: the
 * run policy applies as to a run; the entry names both image ids, the gate, and, when the new container
 * failed its gate, that it was rolled back and why ("failed" with the reason).
 */
export async function recreateOne(
  svc: Services,
  actor: Actor,
  target: { hostId: string; id: string; spec: RunSpec; gate: HealthGate; action: RecreateAction; admin: boolean; params?: Record<string, unknown> },
  onProgress: (p: RecreateProgress) => void,
): Promise<Outcome<RecreateResult>> {
  const { hostId, id, spec, gate } = target;
  const hostName = svc.fleet.getHost(hostId)?.name ?? hostId;
  const current = svc.fleet.getContainer(hostId, id);
  const params = { ...target.params, command: dockerRunCommand(redact(spec) as RunSpec), gate, fromImageId: current?.imageId ?? null };
  const action: AuditedAction = { actor, action: target.action, hostId, hostName, targetType: "container", targetId: id, targetName: current?.name ?? null, params };
  const policy = (await runPolicies(svc, target.admin, [hostId])).get(hostId)!;
  const refusal = refuseRun(spec, policy);
  if (refusal) return { requestId: await recordRefusal(svc.audit, action, refusal.message), ok: false, error: refusal, unknown: false };
  const outcome = await audited(
    svc.audit,
    action,
    (requestId) =>
      svc.agents.request(
        hostId,
        "container.recreate",
        { id, spec: { ...spec, labels: { ...spec.labels, [STARTED_BY_LABEL]: actor.name, [REQUEST_ID_LABEL]: requestId } }, policy: agentPolicy(policy), gate },
        { timeoutMs: RECREATE_IDLE_MS, onProgress },
      ),
    (result) => ({
      targetId: result.current.id,
      params: { ...params, outcome: result.outcome, gatedBy: result.gate ?? null, fromImageId: result.previous.imageId, toImageId: result.current.imageId, imageDigests: result.current.imageDigests },
      error: result.outcome === "replaced" ? null : `${result.outcome === "rolled-back" ? "rolled back automatically" : "rollback failed"}: ${result.reason}`,
    }),
  );
  // Unknown (the agent went away mid-way): the new container carries the request id, so the host's state tells.
  if (!outcome.ok && outcome.unknown) {
    svc.settler.expect(hostId, outcome.requestId, action, (old, all) => {
      const made = [...all()].find((c) => c.labels[REQUEST_ID_LABEL] === outcome.requestId);
      return { done: made !== undefined && old === undefined, targetId: made?.id };
    });
  }
  return outcome;
}
