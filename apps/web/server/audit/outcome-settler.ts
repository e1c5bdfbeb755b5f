import type { ContainerSummary } from "@stevedore/protocol";
import type { FleetState } from "../fleet/fleet-state";
import type { FleetChange } from "../fleet/types";
import type { Logger } from "../logger";
import type { AuditLog } from "./audit-log";
import type { AuditedAction } from "./audited";

/** An unsettled outcome is given up (left "unknown") after this long without the host reporting. */
const GIVE_UP_MS = 60 * 60_000;

/** Whether the action took effect, from the host's state: the container it is about (if still there) and all of them. */
export type Effect = (target: ContainerSummary | undefined, containers: () => Iterable<ContainerSummary>) => { done: boolean; targetId?: string } | boolean;

interface Pending {
  requestId: string;
  action: AuditedAction;
  hostId: string;
  targetId: string | null;
  effect: Effect;
  since: number;
}

/**
 * Settles outcomes recorded as "unknown" (the agent went away after it had the request) from what the
 * host reports next: once its state shows the effect, a "succeeded" entry for the same request follows;
 * if the snapshot it sends when it reconnects does not, a "failed" one. Kept in memory: after a
 * control-plane restart an unsettled outcome stays "unknown", which is the truth.
 */
export class OutcomeSettler {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly deps: { fleet: FleetState; audit: AuditLog; log: Logger }) {
    deps.fleet.changes.on("change", (c: FleetChange) => {
      if (c.kind === "containers") this.check(c.hostId, false);
    });
    deps.fleet.changes.on("snapshot", (hostId: string) => this.check(hostId, true));
  }

  expect(hostId: string, requestId: string, action: AuditedAction, effect: Effect): void {
    this.pending.set(requestId, { requestId, action, hostId, targetId: action.targetId ?? null, effect, since: Date.now() });
  }

  private check(hostId: string, snapshot: boolean): void {
    const now = Date.now();
    for (const p of this.pending.values()) {
      if (now - p.since > GIVE_UP_MS) this.pending.delete(p.requestId);
      if (p.hostId !== hostId || !this.pending.has(p.requestId)) continue;
      const target = p.targetId ? (this.deps.fleet.getContainer(hostId, p.targetId) ?? undefined) : undefined;
      const verdict = p.effect(target, () => this.containersOf(hostId));
      const { done, targetId } = typeof verdict === "boolean" ? { done: verdict, targetId: undefined } : verdict;
      if (!done && !snapshot) continue;
      this.pending.delete(p.requestId);
      const source = snapshot ? "the host's snapshot after it reconnected" : "the host's state";
      void this.deps.audit
        .append({
          ...p.action,
          ...(targetId ? { targetId } : {}),
          requestId: p.requestId,
          phase: done ? "succeeded" : "failed",
          params: { ...(p.action.params as object), settled: `outcome settled from ${source}` },
          error: done ? null : `not done: ${source} does not show it`,
        })
        .catch((err: unknown) => this.deps.log.error({ err, requestId: p.requestId }, "could not record a settled outcome"));
    }
  }

  private *containersOf(hostId: string): Iterable<ContainerSummary> {
    for (const h of this.deps.fleet.containersByHost(hostId)) yield* h.view.containers;
  }
}
