import {
  ContainerOperation,
  REQUEST_ID_LABEL,
  STARTED_BY_LABEL,
  canonicalImageName,
  dockerRunCommand,
  type ContainerOperationInput,
  type ImageSummary,
  type RunResult,
  type RunSpec,
} from "@stevedore/protocol";
import { AgentRequestError } from "../agents/agent-session";
import type { Actor } from "../audit/audit-log";
import { newId } from "../agents/secrets";
import { redact } from "../audit/redact";
import type { Services } from "../trpc/init";
import { agentPolicy, refuseRun } from "./run-policy";
import { runPolicies } from "./run-policy-view";


export interface CommandError {
  /** The agent's error code (not_found, conflict, bad_request, engine_down, …). */
  code: string;
  /** In the engine's own words. */
  message: string;
}

export type Outcome<T> = { hostId: string; hostName: string; requestId: string; ok: true; result: T } | { hostId: string; hostName: string; requestId: string; ok: false; error: CommandError };

function asCommandError(err: unknown): CommandError {
  if (err instanceof AgentRequestError) return { code: err.body.code, message: err.body.message };
  return { code: "unexpected", message: err instanceof Error ? err.message : String(err) };
}

/**
 * Runs one container per host. Each host is one audited request ("requested", then "succeeded" or
 * "failed"), and one host's failure never hides another's success.
 */
/**
 * The digest reference (`repo@sha256:…`) of the image a host has under this tag, or null when the
 * reference is a digest already or the image has no registry digest (built on the host, never pushed).
 */
export function digestReference(images: readonly ImageSummary[], reference: string): string | null {
  if (reference.includes("@")) return null;
  const repoOf = (canonical: string) => canonical.slice(0, canonical.lastIndexOf(":"));
  const name = canonicalImageName(reference);
  const repo = repoOf(name);
  const digests = images.find((i) => i.repoTags.includes(name))?.repoDigests ?? [];
  const match = digests.find((d) => repoOf(canonicalImageName(d.slice(0, d.indexOf("@")))) === repo);
  return match ? `${repo}${match.slice(match.indexOf("@"))}` : null;
}

export async function runContainers(svc: Services, actor: Actor, hostIds: string[], spec: RunSpec, { admin }: { admin: boolean }): Promise<Outcome<RunResult & { command: string }>[]> {
  const { pinDigestAtRun } = await svc.settings.get("images");
  const policies = await runPolicies(svc, admin, [...new Set(hostIds)]);
  return Promise.all(
    [...new Set(hostIds)].map(async (hostId) => {
      const requestId = newId("req");
      const hostName = svc.fleet.getHost(hostId)?.name ?? hostId;
      const policy = policies.get(hostId)!;
      // Policy "pin to digest at run": what runs is the exact image the tag names on this host now.
      const pinned = pinDigestAtRun ? digestReference(svc.fleet.hostImages(hostId), spec.image) : null;
      const labeled: RunSpec = { ...spec, ...(pinned ? { image: pinned } : {}), labels: { ...spec.labels, [STARTED_BY_LABEL]: actor.name, [REQUEST_ID_LABEL]: requestId } };
      // The command line is built from the redacted spec, so secrets in -e flags stay out of the trail.
      const base = { requestId, action: "container.run", actor, hostId, hostName, targetType: "container", params: { ...spec, ...(pinDigestAtRun ? { pinnedImage: pinned, requestedImage: spec.image } : {}), command: dockerRunCommand(redact({ ...spec, image: labeled.image }) as RunSpec) } };
      // Refused by the run policy: audited as such, and nothing goes to the agent. Other hosts go on.
      const refusal = refuseRun(spec, policy);
      if (refusal) {
        await svc.audit.append({ ...base, phase: "refused", targetName: spec.name ?? null, error: refusal.message });
        return { hostId, hostName, requestId, ok: false as const, error: { code: refusal.code, message: refusal.message } };
      }
      await svc.audit.append({ ...base, phase: "requested", targetName: spec.name ?? null });
      try {
        const result = await svc.agents.request(hostId, "container.run", { spec: labeled, policy: agentPolicy(policy) });
        const failed = result.startError !== undefined;
        await svc.audit.append({
          ...base,
          phase: failed ? "failed" : "succeeded",
          targetId: result.id,
          targetName: result.name,
          params: { ...base.params, imageId: result.imageId, imageDigests: result.imageDigests },
          error: result.startError ?? null,
        });
        if (failed) return { hostId, hostName, requestId, ok: false as const, error: { code: "engine_error", message: result.startError! } };
        return { hostId, hostName, requestId, ok: true as const, result: { ...result, command: dockerRunCommand(spec) } };
      } catch (err) {
        const error = asCommandError(err);
        await svc.audit.append({ ...base, phase: "failed", error: error.message });
        return { hostId, hostName, requestId, ok: false as const, error };
      }
    }),
  );
}

export interface ContainerTarget {
  hostId: string;
  id: string;
}

/** Applies one lifecycle operation to a selection of containers, across hosts, each audited on its own. */
export async function operateContainers(svc: Services, actor: Actor, targets: ContainerTarget[], raw: ContainerOperationInput): Promise<(Outcome<{ changed: boolean }> & { id: string })[]> {
  const operation = ContainerOperation.parse(raw);
  return Promise.all(
    targets.map(async ({ hostId, id }) => {
      const requestId = newId("req");
      const hostName = svc.fleet.getHost(hostId)?.name ?? hostId;
      const targetName = svc.fleet.getContainer(hostId, id)?.name ?? null;
      const base = { requestId, action: `container.${operation.action}`, actor, hostId, hostName, targetType: "container", targetId: id, targetName, params: operation };
      await svc.audit.append({ ...base, phase: "requested" });
      try {
        const result = await svc.agents.request(hostId, "container.operate", { id, operation }, { timeoutMs: operationTimeoutMs(raw) });
        await svc.audit.append({ ...base, phase: "succeeded", targetName: operation.action === "rename" ? operation.name : targetName });
        return { hostId, hostName, requestId, id, ok: true as const, result };
      } catch (err) {
        const error = asCommandError(err);
        await svc.audit.append({ ...base, phase: "failed", error: error.message });
        return { hostId, hostName, requestId, id, ok: false as const, error };
      }
    }),
  );
}

/** Stop and restart wait for the container's own timeout before SIGKILL; the request must outlast it. */
function operationTimeoutMs(op: ContainerOperationInput): number {
  const seconds = "timeoutSeconds" in op && op.timeoutSeconds !== undefined ? op.timeoutSeconds : 10;
  return (seconds + 20) * 1000;
}
