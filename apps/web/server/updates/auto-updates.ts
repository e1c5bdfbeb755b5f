import type { Actor } from "../audit/audit-log";
import { parseReference } from "../registries/image-reference";
import { DEFAULT_ROLLOUT_OPTIONS, type RolloutState, type UpdateTarget } from "../containers/rollouts";
import type { Services } from "../services";
import { checkedReference } from "./image-updates";
import { automaticTarget, effectiveUpdatePolicy, windowOpen } from "./update-policy";

const SYSTEM: Actor = { type: "system", id: null, name: "Stevedore (update policy)" };
const RUN_ID = "auto-updates";
/** How often one replica looks for containers its policies let it update (no registry requests: the last checks say). */
const EVERY_MS = 60_000;

/** One automatic update: the containers of one reference moving to one target, and why. */
export interface PlannedUpdate {
  reference: string;
  target: string;
  reason: string;
  policy: string;
  targets: UpdateTarget[];
}

/**
 * Updates containers by themselves where an admin's policy allows it (update-policy.ts), inside the
 * rule's maintenance window, through the same health-gated rollouts a person starts, audited as
 * Stevedore's with the policy and the reason. A container whose update failed is tried again only
 * after the next check of its reference.
 */
export class AutoUpdates {
  private timer: NodeJS.Timeout | null = null;
  /** Container → the target it was last tried on (reference@check time): a failed update is not retried every minute. */
  private tried = new Map<string, string>();

  constructor(private readonly svc: () => Services) {}

  start(): void {
    this.timer = setInterval(() => void this.runIfDue(), EVERY_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One replica a minute: claimed with a conditional update, as the scheduled check is. */
  async runIfDue(now = new Date()): Promise<RolloutState[]> {
    const { db, log } = this.svc();
    try {
      const row = await db.updateCheckRun.upsert({ where: { id: RUN_ID }, create: { id: RUN_ID, nextAt: now }, update: {} });
      if (row.nextAt > now) return [];
      const claimed = await db.updateCheckRun.updateMany({ where: { id: RUN_ID, nextAt: row.nextAt }, data: { nextAt: new Date(now.getTime() + EVERY_MS - 1000), startedAt: now } });
      return claimed.count === 1 ? await this.run(now) : [];
    } catch (err) {
      log.error({ err }, "automatic updates failed");
      return [];
    }
  }

  /** Starts what the policies allow now; returns the rollouts started. */
  async run(now = new Date()): Promise<RolloutState[]> {
    const svc = this.svc();
    const started: RolloutState[] = [];
    for (const plan of await this.plan(now)) {
      const rollout = svc.rollouts.update(SYSTEM, { id: "system", admin: false }, plan.targets, DEFAULT_ROLLOUT_OPTIONS, { automatic: true, policy: plan.policy, reason: plan.reason });
      svc.log.info({ reference: plan.reference, target: plan.target, containers: plan.targets.length, rollout: rollout.id }, "automatic update");
      started.push(rollout);
    }
    return started;
  }

  /** What the policies allow now, grouped by reference and target; what it returns counts as tried until the next check. */
  async plan(now: Date): Promise<PlannedUpdate[]> {
    const { fleet, settings, updates, rollouts } = this.svc();
    const policies = await settings.get("updatePolicy");
    const plans = new Map<string, PlannedUpdate>();
    const tried = new Map<string, string>();
    for (const host of fleet.containersByHost()) {
      if (!host.connected || !host.engineUp) continue;
      const groups = fleet.hostGroups(host.id);
      for (const c of host.view.containers) {
        const key = `${host.id}/${c.id}`;
        const before = this.tried.get(key);
        if (before) tried.set(key, before);
        const reference = checkedReference(c.image);
        const update = reference && c.state === "running" && !rollouts.busy(host.id, c.id) ? updates.statusOf(c, host.id) : null;
        if (!reference || !update || update.state === "unknown") continue;
        const effective = effectiveUpdatePolicy(policies, groups, c.labels);
        if (effective.policy === "notify" || !windowOpen(effective.window, now)) continue;
        // A checked reference is canonical and never a digest: it always has a tag.
        const tag = parseReference(reference).tag ?? "latest";
        const targetTag = automaticTarget(effective.policy, tag, { digestChanged: update.state === "outdated", newerPatch: update.newer?.patch ?? null, newerMinor: update.newer?.minor ?? null });
        if (!targetTag) continue;
        const target = `${reference.slice(0, -tag.length)}${targetTag}`;
        const attempt = `${target}@${update.checkedAt}`;
        if (before === attempt) continue;
        tried.set(key, attempt);
        const reason = target === reference ? `${reference} names a newer image` : `${targetTag} is a newer ${update.newer?.minor === targetTag ? "minor" : "patch"} version of ${tag}`;
        const policy = `${effective.policy} (${effective.from})`;
        const planKey = `${reference}→${target} ${policy}`;
        let plan = plans.get(planKey);
        if (!plan) plans.set(planKey, (plan = { reference, target, reason, policy, targets: [] }));
        plan.targets.push({ hostId: host.id, id: c.id, ...(target !== reference && { image: target }) });
      }
    }
    // Only containers that still exist are remembered (an updated container has a new id).
    this.tried = tried;
    return [...plans.values()];
  }
}
