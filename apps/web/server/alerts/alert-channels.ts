import { newId } from "../agents/secrets";
import type { Db } from "../db";
import { DomainError } from "../domain-error";
import { SecretBox } from "../registries/secret-box";
import { type ChannelInput, ChannelInput as ChannelInputSchema, type ChannelKind, ChannelSecrets, ChannelSettings, SECRET_FIELDS, channelProblem } from "./channel-kinds";
import type { ChannelTarget } from "./channel-senders";

/** What a browser may see of a channel: its settings, and only which secrets are set. */
export interface ChannelView {
  id: string;
  name: string;
  kind: ChannelKind;
  settings: ChannelSettings;
  /** e.g. { url: true, hmacKey: false }; never the values. */
  secretsSet: Record<(typeof SECRET_FIELDS)[number], boolean>;
  /** The URL's host, so a list can tell two channels apart without showing the token in the path. */
  destination: string | null;
  updatedAt: Date;
}

interface Row {
  id: string;
  name: string;
  kind: string;
  settings: string;
  secretsEnc: string;
  updatedAt: Date;
}

const context = (id: string) => `alert-channel:${id}`;

/** Alert channels; their secrets sealed at rest (SecretBox, bound to the channel's id) and opened only to send. */
export class AlertChannels {
  private readonly box: SecretBox;

  constructor(
    private readonly db: Db,
    secretsKey: string,
  ) {
    this.box = new SecretBox(secretsKey);
  }

  async list(): Promise<ChannelView[]> {
    const rows = await this.db.alertChannel.findMany({ orderBy: { name: "asc" } });
    return rows.map((r) => this.view(r));
  }

  /** What a delivery needs, secrets opened; null when the channel is gone. */
  async target(id: string): Promise<ChannelTarget | null> {
    const row = await this.db.alertChannel.findUnique({ where: { id } });
    return row ? this.targetOf(row) : null;
  }

  async add(input: ChannelInput): Promise<ChannelView> {
    const parsed = ChannelInputSchema.parse(input);
    const problem = channelProblem(parsed.kind, parsed.settings, parsed.secrets);
    if (problem) throw new DomainError("bad_request", problem);
    const id = newId("chn");
    const row = await this.db.alertChannel.create({ data: { id, name: parsed.name, kind: parsed.kind, settings: JSON.stringify(parsed.settings), secretsEnc: this.box.seal(JSON.stringify(parsed.secrets), context(id)) } }).catch(nameTaken);
    return this.view(row);
  }

  /** Empty secret fields keep the stored ones; the kind cannot change (its secrets mean something else). */
  async update(id: string, input: ChannelInput): Promise<ChannelView> {
    const row = await this.db.alertChannel.findUnique({ where: { id } });
    if (!row) throw new DomainError("not_found", "no such channel");
    const parsed = ChannelInputSchema.parse(input);
    if (parsed.kind !== row.kind) throw new DomainError("bad_request", "a channel's kind cannot change: add a new channel");
    const secrets = this.merged(row, parsed.secrets);
    const problem = channelProblem(parsed.kind, parsed.settings, secrets);
    if (problem) throw new DomainError("bad_request", problem);
    const updated = await this.db.alertChannel.update({ where: { id }, data: { name: parsed.name, settings: JSON.stringify(parsed.settings), secretsEnc: this.box.seal(JSON.stringify(secrets), context(id)) } }).catch(nameTaken);
    return this.view(updated);
  }

  async remove(id: string): Promise<ChannelView> {
    const row = await this.db.alertChannel.findUnique({ where: { id } });
    if (!row) throw new DomainError("not_found", "no such channel");
    await this.db.alertChannel.delete({ where: { id } });
    return this.view(row);
  }

  /** A form's draft for "Send test": its empty secrets from the saved channel (when it names one). */
  async draftTarget(input: ChannelInput, id?: string): Promise<ChannelTarget> {
    const parsed = ChannelInputSchema.parse(input);
    const row = id ? await this.db.alertChannel.findUnique({ where: { id } }) : null;
    if (id && !row) throw new DomainError("not_found", "no such channel");
    const secrets = row ? this.merged(row, parsed.secrets) : parsed.secrets;
    const problem = channelProblem(parsed.kind, parsed.settings, secrets);
    if (problem) throw new DomainError("bad_request", problem);
    return { kind: parsed.kind, settings: parsed.settings, secrets };
  }

  private merged(row: Row, given: ChannelSecrets): ChannelSecrets {
    const stored = this.secretsOf(row);
    const out = { ...stored };
    for (const f of SECRET_FIELDS) if (given[f]) out[f] = given[f];
    return out;
  }

  private secretsOf(row: Row): ChannelSecrets {
    return ChannelSecrets.parse(JSON.parse(this.box.open(row.secretsEnc, context(row.id))));
  }

  private targetOf(row: Row): ChannelTarget {
    return { kind: row.kind as ChannelKind, settings: ChannelSettings.parse(JSON.parse(row.settings)), secrets: this.secretsOf(row) };
  }

  private view(row: Row): ChannelView {
    const { secrets, settings } = this.targetOf(row);
    let destination: string | null = null;
    if (secrets.url) destination = URL.canParse(secrets.url) ? new URL(secrets.url).host : null;
    else if (settings.smtpHost) destination = `${settings.smtpHost}:${settings.smtpPort}`;
    const secretsSet = Object.fromEntries(SECRET_FIELDS.map((f) => [f, secrets[f] !== ""])) as ChannelView["secretsSet"];
    return { id: row.id, name: row.name, kind: row.kind as ChannelKind, settings, secretsSet, destination, updatedAt: row.updatedAt };
  }
}

function nameTaken(err: unknown): never {
  if ((err as { code?: string }).code === "P2002") throw new DomainError("conflict", "a channel of that name exists");
  throw err;
}
