import { z } from "zod";

/**
 * Where alerts can go, what each kind's form holds, and which of its fields are secret (sealed at
 * rest, never sent back to a browser: a form leaves one empty to keep it). Pure: the browser imports it.
 */
export const CHANNEL_KINDS = ["webhook", "slack", "discord", "teams", "email", "ntfy"] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export const CHANNEL_KIND_WORDS: Record<ChannelKind, string> = {
  webhook: "Webhook (JSON, signed)",
  slack: "Slack incoming webhook",
  discord: "Discord webhook",
  teams: "Microsoft Teams webhook",
  email: "Email (SMTP)",
  ntfy: "ntfy",
};

const Url = z
  .string()
  .trim()
  .max(2048)
  .refine((u) => u === "" || /^https?:\/\/[^\s]+$/i.test(u), "a URL starts with https:// (or http://)");

/** What may be shown of a channel. */
export const ChannelSettings = z.object({
  // email
  smtpHost: z.string().trim().max(255).default(""),
  smtpPort: z.number().int().min(1).max(65_535).default(587),
  /** starttls: upgrade a plain connection (587); tls: TLS from the start (465); none: loopback relays only. */
  smtpSecurity: z.enum(["starttls", "tls", "none"]).default("starttls"),
  smtpUser: z.string().trim().max(255).default(""),
  from: z.string().trim().max(255).default(""),
  to: z.string().trim().max(2048).default(""),
  // ntfy
  ntfyPriority: z.number().int().min(1).max(5).default(3),
});
export type ChannelSettings = z.output<typeof ChannelSettings>;

/** Sealed: every URL (chat and ntfy URLs carry their token), the HMAC key, the SMTP password, the ntfy token. */
export const ChannelSecrets = z.object({
  url: Url.default(""),
  hmacKey: z.string().max(512).default(""),
  smtpPassword: z.string().max(1024).default(""),
  ntfyToken: z.string().max(1024).default(""),
});
export type ChannelSecrets = z.output<typeof ChannelSecrets>;
export const SECRET_FIELDS = ["url", "hmacKey", "smtpPassword", "ntfyToken"] as const satisfies readonly (keyof ChannelSecrets)[];

export const ChannelInput = z.object({
  name: z.string().trim().min(1, "give it a name").max(100),
  kind: z.enum(CHANNEL_KINDS),
  settings: ChannelSettings.default(ChannelSettings.parse({})),
  /** Empty fields keep what is stored (on update). */
  secrets: ChannelSecrets.default(ChannelSecrets.parse({})),
});
export type ChannelInput = z.input<typeof ChannelInput>;

/** What a saved channel of this kind must have, in words; null when it is complete. */
export function channelProblem(kind: ChannelKind, settings: ChannelSettings, secrets: ChannelSecrets): string | null {
  switch (kind) {
    case "email":
      if (!settings.smtpHost) return "give the SMTP server's host name";
      if (!settings.from || !settings.to) return "give the sender and at least one recipient";
      if (settings.smtpUser && !secrets.smtpPassword) return "give the SMTP password for that user";
      return null;
    default:
      return secrets.url ? null : "give the URL to post to";
  }
}
