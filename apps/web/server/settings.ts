import { z } from "zod";
import type { Db } from "./db";
import { RunPolicySettings } from "./containers/run-policy";
import { UpdatePolicySettings } from "./updates/update-policy";
import { TwoFactorPolicy } from "./two-factor/policy";
import { SsoSettings } from "./sso/sso-settings";

/**
 * Settings an admin changes in the UI (stored in the database, so every process sees the same). Each
 * has a default; a stored value that no longer validates falls back to it rather than breaking start.
 */
export const TerminalSettings = z.object({
  /** Record keystrokes too, not only what the terminal showed. Off by default: input holds passwords. */
  recordInput: z.boolean().default(false),
  /** Refuse a terminal session that cannot be recorded (disk full, unwritable directory). */
  strictRecording: z.boolean().default(false),
  /** A recording stops growing past this size; the session goes on and the entry says "truncated". */
  recordingMaxMiB: z.number().int().min(1).max(10_240).default(50),
  /** Recordings older than this are deleted. */
  recordingRetentionDays: z.number().int().min(1).max(3650).default(90),
});
export type TerminalSettings = z.infer<typeof TerminalSettings>;

export const ImageSettings = z.object({
  /** Run by digest: a run of `app:1.4` becomes `app@sha256:…` of the image the host has, recorded in the audit entry. */
  pinDigestAtRun: z.boolean().default(false),
  /** How often the fleet's images are checked against their registries for updates (jittered). */
  updateCheckHours: z.number().int().min(1).max(168).default(6),
});
export type ImageSettings = z.infer<typeof ImageSettings>;

/** `runPolicy`: which host paths non-admins' runs may bind-mount (containers/run-policy.ts); `updatePolicy`: updates/update-policy.ts; `twoFactor`: two-factor/policy.ts; `sso`: sso/sso-settings.ts. */
const SCHEMAS = { terminal: TerminalSettings, images: ImageSettings, runPolicy: RunPolicySettings, updatePolicy: UpdatePolicySettings, twoFactor: TwoFactorPolicy, sso: SsoSettings } as const;
export type SettingsKey = keyof typeof SCHEMAS;
export type SettingsOf<K extends SettingsKey> = z.infer<(typeof SCHEMAS)[K]>;

export class Settings {
  constructor(private readonly db: Db) {}

  async get<K extends SettingsKey>(key: K): Promise<SettingsOf<K>> {
    const row = await this.db.setting.findUnique({ where: { key } });
    const stored = row ? SCHEMAS[key].safeParse(JSON.parse(row.value)) : null;
    return (stored?.success ? stored.data : SCHEMAS[key].parse({})) as SettingsOf<K>;
  }

  async set<K extends SettingsKey>(key: K, value: SettingsOf<K>, userId: string): Promise<SettingsOf<K>> {
    const parsed = SCHEMAS[key].parse(value) as SettingsOf<K>;
    const json = JSON.stringify(parsed);
    await this.db.setting.upsert({ where: { key }, create: { key, value: json, updatedById: userId }, update: { value: json, updatedById: userId } });
    return parsed;
  }
}
