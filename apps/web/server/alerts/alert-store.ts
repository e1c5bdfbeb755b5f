import { newId } from "../agents/secrets";
import type { Db } from "../db";
import { DomainError } from "../domain-error";
import type { RuleKind } from "./alert-kinds";

/** A rule as the evaluator and the store read it. */
export interface RuleRef {
  id: string;
  name: string;
  kind: RuleKind;
  severity: string;
  channelIds: string[];
}

export interface Raise {
  rule: RuleRef;
  hostId: string;
  hostName: string;
  /** A container's name, or null for the host itself. */
  subject: string | null;
  containerId?: string | null;
  summary: string;
  at?: Date;
  /** Count one more occurrence when the alert is already open (an exit); false for a state (offline). */
  recurring: boolean;
}

export type AlertRow = NonNullable<Awaited<ReturnType<Db["alert"]["findUnique"]>>>;

export const groupKeyOf = (ruleId: string, hostId: string, subject: string | null) => `${ruleId}/${hostId}/${subject ?? ""}`;

/**
 * Alerts in the database, written before anything is sent: one open alert per rule, host and subject
 * (`openKey`, unique while open), however often its condition recurs (`count`), so a flapping
 * container is one alert. Opening one queues a "firing" delivery per channel of its rule in the same
 * transaction; resolving one queues "resolved". A silence outlives the alert: the next one of the same
 * condition opened before it ends is silenced too. Every replica may call these at once: the unique
 * key decides who opened an alert, and a resolve is a conditional update.
 */
export class AlertStore {
  constructor(
    private readonly db: Db,
    private readonly onQueued: () => void,
    /** An alert of this host opened, recurred, resolved, or was acknowledged or silenced (browsers re-read). */
    private readonly onChanged: (hostId: string) => void = () => {},
  ) {}

  async raise(r: Raise): Promise<{ alert: AlertRow; opened: boolean }> {
    const at = r.at ?? new Date();
    const groupKey = groupKeyOf(r.rule.id, r.hostId, r.subject);
    for (let attempt = 0; ; attempt++) {
      const open = await this.db.alert.findUnique({ where: { openKey: groupKey } });
      if (open) {
        if (!r.recurring) return { alert: open, opened: false };
        const alert = await this.db.alert.update({ where: { id: open.id }, data: { count: { increment: 1 }, lastAt: at, summary: r.summary, containerId: r.containerId ?? open.containerId } });
        this.onChanged(r.hostId);
        return { alert, opened: false };
      }
      try {
        const alert = await this.open(r, groupKey, at);
        this.onQueued();
        this.onChanged(r.hostId);
        return { alert, opened: true };
      } catch (err) {
        // Another replica (or event) opened it first: count this one on it.
        if ((err as { code?: string }).code === "P2002" && attempt < 2) continue;
        throw err;
      }
    }
  }

  private async open(r: Raise, groupKey: string, at: Date): Promise<AlertRow> {
    const silenced = await this.db.alert.findFirst({ where: { groupKey, silencedUntil: { gt: at } }, orderBy: { firstAt: "desc" }, select: { silencedUntil: true, silencedBy: true } });
    const id = newId("alr");
    return this.db.$transaction(async (tx) => {
      const alert = await tx.alert.create({
        data: { id, ruleId: r.rule.id, ruleName: r.rule.name, kind: r.rule.kind, severity: r.rule.severity, hostId: r.hostId, hostName: r.hostName, subject: r.subject, containerId: r.containerId ?? null, summary: r.summary, groupKey, openKey: groupKey, firstAt: at, lastAt: at, silencedUntil: silenced?.silencedUntil ?? null, silencedBy: silenced?.silencedBy ?? null },
      });
      if (!silenced) await tx.alertDelivery.createMany({ data: r.rule.channelIds.map((channelId) => ({ id: newId("dlv"), alertId: id, channelId, event: "firing", nextAt: at })) });
      return alert;
    });
  }

  /** Once: a second resolve (another replica, a repeated sweep) changes nothing and sends nothing. */
  async resolve(alertId: string, at = new Date()): Promise<boolean> {
    let hostId = "";
    const resolved = await this.db.$transaction(async (tx) => {
      const { count } = await tx.alert.updateMany({ where: { id: alertId, resolvedAt: null }, data: { resolvedAt: at, openKey: null } });
      if (count === 0) return false;
      const alert = await tx.alert.findUniqueOrThrow({ where: { id: alertId } });
      const silenced = alert.silencedUntil && alert.silencedUntil > at;
      hostId = alert.hostId;
      // Only channels that were told it fired hear it resolved.
      const told = await tx.alertDelivery.findMany({ where: { alertId, event: "firing" }, select: { channelId: true } });
      if (!silenced && told.length) await tx.alertDelivery.createMany({ data: [...new Set(told.map((d) => d.channelId))].map((channelId) => ({ id: newId("dlv"), alertId, channelId, event: "resolved", nextAt: at })) });
      return true;
    });
    if (resolved) {
      this.onQueued();
      this.onChanged(hostId);
    }
    return resolved;
  }

  async acknowledge(alertId: string, by: string): Promise<AlertRow> {
    await this.existing(alertId);
    const alert = await this.db.alert.update({ where: { id: alertId }, data: { acknowledgedAt: new Date(), acknowledgedBy: by } });
    this.onChanged(alert.hostId);
    return alert;
  }

  /** `minutes` 0 lifts the silence. */
  async silence(alertId: string, minutes: number, by: string): Promise<AlertRow> {
    await this.existing(alertId);
    const until = minutes > 0 ? new Date(Date.now() + minutes * 60_000) : null;
    const alert = await this.db.alert.update({ where: { id: alertId }, data: { silencedUntil: until, silencedBy: until ? by : null } });
    this.onChanged(alert.hostId);
    return alert;
  }

  async existing(alertId: string): Promise<AlertRow> {
    const alert = await this.db.alert.findUnique({ where: { id: alertId } });
    if (!alert) throw new DomainError("not_found", "no such alert");
    return alert;
  }

  openAlerts(): Promise<AlertRow[]> {
    return this.db.alert.findMany({ where: { resolvedAt: null }, take: 5000 });
  }
}
