import { newId } from "../agents/secrets";
import type { Db } from "../db";
import { DomainError } from "../domain-error";
import { type RuleInput, RuleInput as RuleInputSchema, type RuleKind, RuleParams, RuleScope, type Severity } from "./alert-kinds";

export interface RuleView {
  id: string;
  name: string;
  kind: RuleKind;
  severity: Severity;
  enabled: boolean;
  scope: RuleScope;
  params: RuleParams;
  channelIds: string[];
  updatedAt: Date;
}

type Row = NonNullable<Awaited<ReturnType<Db["alertRule"]["findUnique"]>>>;

const view = (r: Row): RuleView => ({ id: r.id, name: r.name, kind: r.kind as RuleKind, severity: r.severity as Severity, enabled: r.enabled, scope: RuleScope.parse(JSON.parse(r.scope)), params: RuleParams.parse(JSON.parse(r.params)), channelIds: JSON.parse(r.channelIds) as string[], updatedAt: r.updatedAt });

/** Alert rules in the database; each names channels that must exist. */
export class AlertRules {
  constructor(private readonly db: Db) {}

  async list(): Promise<RuleView[]> {
    return (await this.db.alertRule.findMany({ orderBy: { name: "asc" } })).map(view);
  }

  async add(input: RuleInput): Promise<RuleView> {
    const data = await this.data(input);
    return view(await this.db.alertRule.create({ data: { id: newId("rul"), ...data } }).catch(nameTaken));
  }

  async update(id: string, input: RuleInput): Promise<RuleView> {
    await this.existing(id);
    return view(await this.db.alertRule.update({ where: { id }, data: await this.data(input) }).catch(nameTaken));
  }

  async remove(id: string): Promise<RuleView> {
    const row = await this.existing(id);
    await this.db.alertRule.delete({ where: { id } });
    return view(row);
  }

  private async existing(id: string): Promise<Row> {
    const row = await this.db.alertRule.findUnique({ where: { id } });
    if (!row) throw new DomainError("not_found", "no such rule");
    return row;
  }

  private async data(input: RuleInput) {
    const p = RuleInputSchema.parse(input);
    const channelIds = [...new Set(p.channelIds)];
    const found = await this.db.alertChannel.count({ where: { id: { in: channelIds } } });
    if (found !== channelIds.length) throw new DomainError("bad_request", "a channel the rule names does not exist");
    return { name: p.name, kind: p.kind, severity: p.severity, enabled: p.enabled, scope: JSON.stringify(p.scope), params: JSON.stringify(p.params), channelIds: JSON.stringify(channelIds) };
  }
}

function nameTaken(err: unknown): never {
  if ((err as { code?: string }).code === "P2002") throw new DomainError("conflict", "a rule of that name exists");
  throw err;
}
