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
import type { Actor } from "../audit/audit-log";
import { type CommandError, audited, recordRefusal } from "../audit/audited";
import type { Effect } from "../audit/outcome-settler";
import { redact } from "../audit/redact";
import type { Services } from "../services";
import { agentPolicy, refuseRun } from "./run-policy";
import { runPolicies } from "./run-policy-view";

/** Per host (and container): what happened, linked to its audit request. */
export type Outcome<T> = { hostId: string; hostName: string; requestId: string; ok: true; result: T } | { hostId: string; hostName: string; requestId: string; ok: false; error: CommandError; unknown?: boolean };

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

/**
 * Runs one container per host. Each host is one audited request, and one host's failure (or refusal
 * by the run policy) never hides another's success.
 */
export async function runContainers(svc: Services, actor: Actor, hostIds: string[], spec: RunSpec, { admin }: { admin: boolean }): Promise<Outcome<RunResult & { command: string }>[]> {
  const { pinDigestAtRun } = await svc.settings.get("images");
  const policies = await runPolicies(svc, admin, [...new Set(hostIds)]);
  return Promise.all(
    [...new Set(hostIds)].map(async (hostId) => {
      const hostName = svc.fleet.getHost(hostId)?.name ?? hostId;
      const policy = policies.get(hostId)!;
      // Policy "pin to digest at run": what runs is the exact image the tag names on this host now.
      const pinned = pinDigestAtRun ? digestReference(svc.fleet.hostImages(hostId), spec.image) : null;
      const image = pinned ?? spec.image;
      // The command line is built from the redacted spec, so secrets in -e flags stay out of the trail.
      const params = { ...spec, ...(pinDigestAtRun ? { pinnedImage: pinned, requestedImage: spec.image } : {}), command: dockerRunCommand(redact({ ...spec, image }) as RunSpec) };
      const action = { actor, action: "container.run" as const, hostId, hostName, targetType: "container", targetName: spec.name ?? null, params };
      // Refused by the run policy: audited as such, and nothing goes to the agent. Other hosts go on.
      const refusal = refuseRun(spec, policy);
      if (refusal) return { hostId, hostName, requestId: await recordRefusal(svc.audit, action, refusal.message), ok: false as const, error: refusal };
      const outcome = await audited(
        svc.audit,
        action,
        (requestId) => svc.agents.request(hostId, "container.run", { spec: { ...spec, image, labels: { ...spec.labels, [STARTED_BY_LABEL]: actor.name, [REQUEST_ID_LABEL]: requestId } }, policy: agentPolicy(policy) }),
        (result) => ({ targetId: result.id, targetName: result.name, params: { ...params, imageId: result.imageId, imageDigests: result.imageDigests }, error: result.startError ?? null }),
      );
      const where = { hostId, hostName, requestId: outcome.requestId };
      // Unknown: the container carries the request id in a label, so the host's state says whether it was made.
      if (!outcome.ok && outcome.unknown) {
        svc.settler.expect(hostId, outcome.requestId, action, (_, all) => {
          const made = [...all()].find((c) => c.labels[REQUEST_ID_LABEL] === outcome.requestId);
          return { done: made !== undefined, targetId: made?.id };
        });
      }
      if (!outcome.ok) return { ...where, ok: false as const, error: outcome.error, unknown: outcome.unknown };
      // Created but not started, like `docker run` when the start fails: the engine's reason.
      if (outcome.result.startError !== undefined) return { ...where, ok: false as const, error: { code: "engine_error" as const, message: outcome.result.startError } };
      return { ...where, ok: true as const, result: { ...outcome.result, command: dockerRunCommand(spec) } };
    }),
  );
}

export interface ContainerTarget {
  hostId: string;
  id: string;
}

/**
 * Applies one lifecycle operation to a selection of containers, across hosts, each audited on its own.
 * Hosts work in parallel; on each host a few targets at a time (`hostWork`), each one's deadline
 * counting from when it is sent, so a long selection is never timed out by its own queue.
 */
export async function operateContainers(svc: Services, actor: Actor, targets: ContainerTarget[], raw: ContainerOperationInput): Promise<(Outcome<{ changed: boolean }> & { id: string })[]> {
  const operation = ContainerOperation.parse(raw);
  return Promise.all(
    targets.map(({ hostId, id }) => svc.hostWork.run(hostId, async () => {
      const hostName = svc.fleet.getHost(hostId)?.name ?? hostId;
      const targetName = svc.fleet.getContainer(hostId, id)?.name ?? null;
      const action = { actor, action: `container.${operation.action}` as const, hostId, hostName, targetType: "container", targetId: id, targetName, params: operation };
      const outcome = await audited(
        svc.audit,
        action,
        () => svc.agents.request(hostId, "container.operate", { id, operation }, { timeoutMs: operationTimeoutMs(raw) }),
        () => ({ targetName: operation.action === "rename" ? operation.name : targetName }),
      );
      const effect = effectOf(operation);
      if (!outcome.ok && outcome.unknown && effect) svc.settler.expect(hostId, outcome.requestId, action, effect);
      const where = { hostId, hostName, requestId: outcome.requestId, id };
      return outcome.ok ? { ...where, ok: true as const, result: outcome.result } : { ...where, ok: false as const, error: outcome.error, unknown: outcome.unknown };
    })),
  );
}

/** What the host's state shows once an operation took effect; null where it cannot tell (a signal the container may handle). */
function effectOf(op: ContainerOperation): Effect | null {
  switch (op.action) {
    case "start":
    case "restart":
    case "unpause":
      return (c) => c?.state === "running";
    case "stop":
      return (c) => c !== undefined && c.state !== "running";
    case "kill":
      return op.signal === "SIGKILL" ? (c) => c !== undefined && c.state !== "running" : null;
    case "pause":
      return (c) => c?.state === "paused";
    case "remove":
      return (c) => c === undefined;
    case "rename":
      return (c) => c?.name === op.name;
  }
}

/** Stop and restart wait for the container's own timeout before SIGKILL; the request must outlast it. */
function operationTimeoutMs(op: ContainerOperationInput): number {
  const seconds = "timeoutSeconds" in op && op.timeoutSeconds !== undefined ? op.timeoutSeconds : 10;
  return (seconds + 20) * 1000;
}
