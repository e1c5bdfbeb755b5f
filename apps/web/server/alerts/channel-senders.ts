import crypto from "node:crypto";
import nodemailer from "nodemailer";
import type { ChannelKind, ChannelSecrets, ChannelSettings } from "./channel-kinds";

/** What one notification says, whichever channel carries it. */
export interface Notification {
  /** firing: the alert opened; resolved: its condition cleared; test: "Send test" from the channel's page. */
  event: "firing" | "resolved" | "test";
  deliveryId: string;
  alert: {
    id: string;
    rule: string;
    kind: string;
    severity: string;
    hostId: string;
    host: string;
    container: string | null;
    summary: string;
    count: number;
    firstAt: string;
    lastAt: string;
    resolvedAt: string | null;
  } | null;
  /** The alerts page, for a link back. */
  url: string;
}

export interface ChannelTarget {
  kind: ChannelKind;
  settings: ChannelSettings;
  secrets: ChannelSecrets;
}

/** The receiver's answer: a status for HTTP channels (null for SMTP, which answers in words). */
export interface SendResult {
  status: number | null;
}

export class SendError extends Error {
  constructor(
    message: string,
    readonly status: number | null = null,
  ) {
    super(message);
  }
}

const TIMEOUT_MS = 10_000;
/** What is kept of a receiver's error body in the delivery log. */
const BODY_EXCERPT = 300;

export function title(n: Notification): string {
  if (!n.alert) return "Stevedore test notification";
  const state = n.event === "resolved" ? "Resolved" : n.alert.severity === "critical" ? "CRITICAL" : n.alert.severity === "warning" ? "Warning" : "Info";
  return `[${state}] ${n.alert.rule} on ${n.alert.host}${n.alert.container ? ` / ${n.alert.container}` : ""}`;
}

export function bodyText(n: Notification): string {
  if (!n.alert) return `This is a test from Stevedore: the channel works. ${n.url}`;
  const a = n.alert;
  const lines = [a.summary];
  if (a.count > 1) lines.push(`Seen ${a.count} times since ${a.firstAt}.`);
  if (n.event === "resolved") lines.push(`Resolved at ${a.resolvedAt}.`);
  lines.push(n.url);
  return lines.join("\n");
}

/**
 * The generic webhook's signature (docs/ALERTS.md): HMAC-SHA256 under the channel's key over
 * `<timestamp>.<body>`, hex, sent as `X-Stevedore-Signature: sha256=<hex>` with the timestamp in
 * `X-Stevedore-Timestamp`, so a receiver can refuse an old replay.
 */
export function webhookSignature(key: string, timestamp: string, body: string): string {
  return `sha256=${crypto.createHmac("sha256", key).update(`${timestamp}.${body}`).digest("hex")}`;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<SendResult> {
  let res: Response;
  try {
    res = await fetch(url, { method: "POST", body, headers, redirect: "error", signal: AbortSignal.timeout(TIMEOUT_MS) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string; message?: string } }).cause;
    // Never the URL: it carries the channel's token.
    throw new SendError(cause?.code ?? (err instanceof Error && err.name === "TimeoutError" ? `no answer within ${TIMEOUT_MS / 1000} s` : "could not reach the receiver"));
  }
  const text = await res.text().catch(() => "");
  if (!res.ok) throw new SendError(`the receiver answered ${res.status}${text ? `: ${text.slice(0, BODY_EXCERPT)}` : ""}`, res.status);
  return { status: res.status };
}

const json = { "Content-Type": "application/json", "User-Agent": "Stevedore-Alerts/1" };

export async function send(target: ChannelTarget, n: Notification): Promise<SendResult> {
  const { secrets, settings } = target;
  switch (target.kind) {
    case "webhook": {
      const body = JSON.stringify({ event: n.event, deliveryId: n.deliveryId, alert: n.alert, url: n.url, title: title(n) });
      const timestamp = String(Math.floor(Date.now() / 1000));
      const headers: Record<string, string> = { ...json, "X-Stevedore-Event": n.event, "X-Stevedore-Delivery": n.deliveryId, "X-Stevedore-Timestamp": timestamp };
      if (secrets.hmacKey) headers["X-Stevedore-Signature"] = webhookSignature(secrets.hmacKey, timestamp, body);
      return post(secrets.url, body, headers);
    }
    case "slack":
      return post(secrets.url, JSON.stringify({ text: `*${title(n)}*\n${bodyText(n)}` }), json);
    case "discord":
      return post(secrets.url, JSON.stringify({ content: `**${title(n)}**\n${bodyText(n)}`.slice(0, 2000), allowed_mentions: { parse: [] } }), json);
    case "teams":
      // Teams' Workflows webhooks take an Adaptive Card in a message.
      return post(
        secrets.url,
        JSON.stringify({
          type: "message",
          attachments: [
            {
              contentType: "application/vnd.microsoft.card.adaptive",
              content: { $schema: "http://adaptivecards.io/schemas/adaptive-card.json", type: "AdaptiveCard", version: "1.4", body: [{ type: "TextBlock", text: title(n), weight: "Bolder", wrap: true }, { type: "TextBlock", text: bodyText(n), wrap: true }] },
            },
          ],
        }),
        json,
      );
    case "ntfy": {
      const headers: Record<string, string> = { "Content-Type": "text/plain; charset=utf-8", Title: title(n), Priority: String(n.event === "resolved" ? Math.min(settings.ntfyPriority, 3) : settings.ntfyPriority), Tags: n.event === "resolved" ? "white_check_mark" : "warning" };
      if (secrets.ntfyToken) headers.Authorization = `Bearer ${secrets.ntfyToken}`;
      return post(secrets.url, bodyText(n), headers);
    }
    case "email": {
      const transport = nodemailer.createTransport({
        host: settings.smtpHost,
        port: settings.smtpPort,
        secure: settings.smtpSecurity === "tls",
        requireTLS: settings.smtpSecurity === "starttls",
        ignoreTLS: settings.smtpSecurity === "none",
        auth: settings.smtpUser ? { user: settings.smtpUser, pass: secrets.smtpPassword } : undefined,
        connectionTimeout: TIMEOUT_MS,
        greetingTimeout: TIMEOUT_MS,
        socketTimeout: TIMEOUT_MS,
      });
      try {
        await transport.sendMail({ from: settings.from, to: settings.to, subject: title(n), text: bodyText(n), headers: { "X-Stevedore-Event": n.event, "X-Stevedore-Delivery": n.deliveryId } });
        return { status: null };
      } catch (err) {
        const e = err as { responseCode?: number; message?: string; code?: string };
        throw new SendError(e.message ?? e.code ?? "the SMTP server refused the message", e.responseCode ?? null);
      } finally {
        transport.close();
      }
    }
  }
}
