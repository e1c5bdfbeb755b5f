import type { ContainerSummary, LifecycleEvent } from "@stevedore/protocol";
import type { Db } from "../db";
import type { FleetState } from "../fleet/fleet-state";
import type { Logger } from "../logger";
import { RuleParams, RuleScope, type RuleKind, containerInScope, hostInScope } from "./alert-kinds";
import { type AlertRow, type AlertStore, type RuleRef, groupKeyOf } from "./alert-store";

export interface LoadedRule extends RuleRef {
  scope: RuleScope;
  params: RuleParams;
}

/** Rules are re-read this often (another replica's change reaches this one within it). */
const RULES_TTL_MS = 5_000;
const SWEEP_MS = 2_000;
/** A die this soon after a kill or stop was asked for (docker stop, compose down) is not a crash. */
const DELIBERATE_MS = 15_000;
/** Events replayed after a reconnect that are older than this are history, not news. */
const STALE_EVENT_MS = 10 * 60_000;

/** The engine events a rule reads; the rest (exec, attach, network...) are passed over unlooked at. */
export const WATCHED_ACTIONS: ReadonlySet<string> = new Set(["kill", "stop", "oom", "die", "start", "destroy"]);

/**
 * Turns what the fleet reports into alerts. Engine events and container changes come from the
 * agent's own replica only (AgentGateway calls `onEvents` / `onContainer`), so each is counted once
 * however many replicas there are. The sweep (every replica, every 2 s) opens "host offline" alerts and
 * resolves the alerts whose condition has cleared; both are idempotent in the store.
 */
export class AlertEvaluator {
  private rules: LoadedRule[] = [];
  private rulesAt = 0;
  private loading: Promise<LoadedRule[]> | null = null;
  private readonly lastKill = new Map<string, number>();
  private readonly starts = new Map<string, number[]>();
  private readonly startedAt = Date.now();
  private timer: NodeJS.Timeout | null = null;
  private sweeping: Promise<void> | null = null;

  constructor(
    private readonly o: { db: Db; fleet: FleetState; store: AlertStore; log: Logger },
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((err: unknown) => this.o.log.error({ err }, "alert sweep failed"))
        .finally(() => (this.sweeping = null));
    }, SWEEP_MS);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.sweeping;
  }

  /** A rule was changed here: read them again before the next evaluation. */
  invalidate(): void {
    this.rulesAt = 0;
  }

  async currentRules(): Promise<LoadedRule[]> {
    if (Date.now() - this.rulesAt < RULES_TTL_MS) return this.rules;
    this.loading ??= this.o.db.alertRule
      .findMany({ where: { enabled: true } })
      .then((rows) =>
        rows.map((r) => ({ id: r.id, name: r.name, kind: r.kind as RuleKind, severity: r.severity, channelIds: JSON.parse(r.channelIds) as string[], scope: RuleScope.parse(JSON.parse(r.scope)), params: RuleParams.parse(JSON.parse(r.params)) })),
      )
      .finally(() => (this.loading = null));
    this.rules = await this.loading;
    this.rulesAt = Date.now();
    return this.rules;
  }

  private rulesFor(rules: LoadedRule[], kind: RuleKind, hostId: string, c: { name: string; image: string; labels: Record<string, string> } | null): LoadedRule[] {
    const host = { id: hostId, groups: this.o.fleet.hostGroups(hostId) };
    return rules.filter((r) => r.kind === kind && hostInScope(r.scope, host) && (!c || containerInScope(r.scope, c)));
  }

  /** Engine events from one host, on the replica holding its agent. */
  async onEvents(hostId: string, events: LifecycleEvent[], now = Date.now()): Promise<void> {
    const rules = await this.currentRules();
    if (rules.length === 0) return;
    const hostName = this.o.fleet.getHost(hostId)?.name ?? hostId;
    for (const e of events) {
      if (!WATCHED_ACTIONS.has(e.action)) continue;
      const at = Number(BigInt(e.timeNano) / 1_000_000n);
      if (now - at > STALE_EVENT_MS) continue;
      const key = `${hostId}/${e.id}`;
      const row = this.o.fleet.getContainer(hostId, e.id);
      const c = { name: e.name ?? row?.name ?? e.id.slice(0, 12), image: e.image ?? row?.image ?? "", labels: row?.labels ?? {} };
      const raise = (kind: RuleKind, summary: string) =>
        Promise.all(this.rulesFor(rules, kind, hostId, c).map((rule) => this.o.store.raise({ rule, hostId, hostName, subject: c.name, containerId: e.id, summary, at: new Date(Math.min(at, now)), recurring: true })));
      switch (e.action) {
        case "kill":
        case "stop":
          this.lastKill.set(key, at);
          break;
        case "oom":
          await raise("container.oom", `${c.name} on ${hostName} was killed: out of memory`);
          break;
        case "die": {
          const killed = this.lastKill.get(key);
          this.lastKill.delete(key);
          if (e.ours || e.exitCode === undefined || e.exitCode === 0 || (killed !== undefined && at - killed < DELIBERATE_MS)) break;
          await raise("container.exit", `${c.name} on ${hostName} exited with code ${e.exitCode}`);
          break;
        }
        case "start": {
          const loops = this.rulesFor(rules, "container.restart-loop", hostId, c);
          if (loops.length === 0) break;
          const window = Math.max(...loops.map((r) => r.params.minutes)) * 60_000;
          const times = (this.starts.get(key) ?? []).filter((t) => at - t < window);
          times.push(at);
          this.starts.set(key, times);
          for (const rule of loops) {
            const recent = times.filter((t) => at - t < rule.params.minutes * 60_000).length;
            if (recent >= rule.params.restarts) await this.o.store.raise({ rule, hostId, hostName, subject: c.name, containerId: e.id, summary: `${c.name} on ${hostName} started ${recent} times in ${rule.params.minutes} min`, at: new Date(Math.min(at, now)), recurring: true });
          }
          break;
        }
        case "destroy":
          this.starts.delete(key);
          this.lastKill.delete(key);
          if (!e.ours) await raise("container.disappeared", `${c.name} on ${hostName} was removed outside Stevedore`);
          break;
      }
    }
  }

  /** An unhealthy container (Alerts passes only those), on the replica holding its agent. */
  async onContainer(hostId: string, c: ContainerSummary): Promise<void> {
    const rules = this.rulesFor(await this.currentRules(), "container.unhealthy", hostId, c);
    const hostName = this.o.fleet.getHost(hostId)?.name ?? hostId;
    for (const rule of rules) await this.o.store.raise({ rule, hostId, hostName, subject: c.name, containerId: c.id, summary: `${c.name} on ${hostName} is unhealthy`, recurring: false });
  }

  /** Offline hosts, and the conditions that have cleared. Safe on every replica at once. */
  async sweep(now = Date.now()): Promise<void> {
    const rules = await this.currentRules();
    const byId = new Map(rules.map((r) => [r.id, r]));
    const open = await this.o.store.openAlerts();
    // An offline host already alerted on is a state, not news: no read per host and rule every sweep.
    const alerted = new Set(open.map((a) => a.openKey));
    for (const rule of rules.filter((r) => r.kind === "host.offline")) {
      for (const hostId of this.o.fleet.hostIds()) {
        const host = this.o.fleet.getHost(hostId);
        if (!host || host.status !== "offline" || host.lastSeenAt === null || !hostInScope(rule.scope, host)) continue;
        // After a restart every host starts offline until its agent is back: count from then at the earliest.
        const since = Math.max(host.lastSeenAt, this.startedAt);
        if (now - since < rule.params.seconds * 1000 || alerted.has(groupKeyOf(rule.id, hostId, null))) continue;
        await this.o.store.raise({ rule, hostId, hostName: host.name, subject: null, summary: `${host.name}'s agent has been offline since ${new Date(host.lastSeenAt).toISOString()}`, recurring: false });
      }
    }
    for (const alert of open) {
      if (this.cleared(alert, byId.get(alert.ruleId), now)) await this.o.store.resolve(alert.id, new Date(now));
    }
  }

  /** Whether an open alert's condition is over, as this replica's fleet view shows it. */
  private cleared(alert: AlertRow, rule: LoadedRule | undefined, now: number): boolean {
    const host = this.o.fleet.getHost(alert.hostId);
    // The host was removed (revoked): nothing is left to watch.
    if (!host) return true;
    if (alert.kind === "host.offline") return host.status !== "offline";
    // Container conditions are judged only on live state: an offline host's last report is not news.
    if (host.status !== "online") return false;
    const c = alert.subject === null ? null : this.containerNamed(alert.hostId, alert.subject);
    const stableMs = (rule?.params.stableSeconds ?? 120) * 1000;
    switch (alert.kind) {
      case "container.disappeared":
        return c !== null;
      case "container.unhealthy":
        return c === null || c.health !== "unhealthy";
      case "container.exit":
      case "container.oom":
      case "container.restart-loop": {
        if (c === null) return true;
        const quietMs = alert.kind === "container.restart-loop" ? Math.max(stableMs, (rule?.params.minutes ?? 5) * 60_000) : stableMs;
        return c.state === "running" && c.startedAt !== null && now - c.startedAt >= stableMs && now - alert.lastAt.getTime() >= quietMs;
      }
      default:
        return false;
    }
  }

  private containerNamed(hostId: string, name: string): ContainerSummary | null {
    for (const h of this.o.fleet.containersByHost(hostId)) for (const c of h.view.containers) if (c.name === name) return c;
    return null;
  }
}
