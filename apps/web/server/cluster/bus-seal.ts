import crypto from "node:crypto";
import { z } from "zod";

/**
 * How replicas authenticate what they put in Redis, so whoever else reaches it can neither speak for a
 * replica nor read what replicas tell each other. Every message is an envelope: sender, a unique id,
 * a timestamp, the channel it was published on and the payload sealed with AES-256-GCM, under an
 * HMAC-SHA256 that binds all of them (a message cannot move to another channel or be re-dated).
 * Values in keys and hash fields are signed with their key name (and field), and a key's expiry.
 * Both keys come from the one bus key every replica shares (HKDF, one per purpose).
 */

/** A message dated further than this from the receiver's clock is dropped (replicas' clocks are NTP-close). */
export const BUS_SKEW_MS = 30_000;
const VERSION = 1;
const MAC_LENGTH = 43; // base64url of 32 bytes

export type DropReason = "unsigned" | "bad_signature" | "stale" | "replayed";

const Envelope = z.object({
  v: z.literal(VERSION),
  ch: z.string().max(256),
  from: z.string().regex(/^[A-Za-z0-9_-]{1,128}$/),
  id: z.string().regex(/^[A-Za-z0-9_-]{16,64}$/),
  ts: z.number().int().nonnegative(),
  iv: z.string().regex(/^[A-Za-z0-9_-]{16}$/),
  ct: z.string().regex(/^[A-Za-z0-9_-]*$/),
  mac: z.string().length(MAC_LENGTH),
});
type Envelope = z.infer<typeof Envelope>;

export type Opened = { ok: true; from: string; id: string; ts: number; payload: unknown } | { ok: false; reason: Exclude<DropReason, "replayed"> };

export class BusSeal {
  private readonly macKey: Buffer;
  private readonly encKey: Buffer;

  constructor(busKey: string) {
    this.macKey = Buffer.from(crypto.hkdfSync("sha256", busKey, "", "stevedore bus mac v1", 32));
    this.encKey = Buffer.from(crypto.hkdfSync("sha256", busKey, "", "stevedore bus seal v1", 32));
  }

  seal(channel: string, from: string, payload: unknown, now = Date.now()): string {
    const iv = crypto.randomBytes(12);
    const head = { v: VERSION, ch: channel, from, id: crypto.randomBytes(16).toString("base64url"), ts: now } as const;
    const cipher = crypto.createCipheriv("aes-256-gcm", this.encKey, iv);
    cipher.setAAD(Buffer.from(JSON.stringify(head)));
    const ct = Buffer.concat([cipher.update(JSON.stringify(payload) ?? "null", "utf8"), cipher.final(), cipher.getAuthTag()]).toString("base64url");
    const body = { ...head, iv: iv.toString("base64url"), ct };
    return JSON.stringify({ ...body, mac: this.mac(body) });
  }

  /** Never throws: a message from Redis is untrusted bytes. `channel` is the one it arrived on. */
  open(channel: string, raw: string, now = Date.now()): Opened {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      return { ok: false, reason: "unsigned" };
    }
    const envelope = Envelope.safeParse(parsed);
    if (!envelope.success) return { ok: false, reason: "unsigned" };
    const { mac, ...body } = envelope.data;
    if (body.ch !== channel || !sameMac(mac, this.mac(body))) return { ok: false, reason: "bad_signature" };
    if (Math.abs(now - body.ts) > BUS_SKEW_MS) return { ok: false, reason: "stale" };
    const sealed = Buffer.from(body.ct, "base64url");
    if (sealed.length < 16) return { ok: false, reason: "bad_signature" };
    try {
      const decipher = crypto.createDecipheriv("aes-256-gcm", this.encKey, Buffer.from(body.iv, "base64url"));
      decipher.setAAD(Buffer.from(JSON.stringify({ v: body.v, ch: body.ch, from: body.from, id: body.id, ts: body.ts })));
      decipher.setAuthTag(sealed.subarray(sealed.length - 16));
      const plain = Buffer.concat([decipher.update(sealed.subarray(0, sealed.length - 16)), decipher.final()]).toString("utf8");
      return { ok: true, from: body.from, id: body.id, ts: body.ts, payload: JSON.parse(plain) };
    } catch {
      return { ok: false, reason: "bad_signature" };
    }
  }

  /** `mac.expiry.value`; a hash field's value has no expiry ("-"). */
  signValue(key: string, field: string | null, value: string, expiresAt: number | null): string {
    const exp = expiresAt === null ? "-" : String(expiresAt);
    return `${this.valueMac(key, field, exp, value)}.${exp}.${value}`;
  }

  /** The value if it was signed for this key (and field) and has not expired, else null. */
  openValue(key: string, field: string | null, stored: string, now = Date.now()): string | null {
    if (stored.length < MAC_LENGTH + 3 || stored[MAC_LENGTH] !== ".") return null;
    const dot = stored.indexOf(".", MAC_LENGTH + 1);
    if (dot < 0) return null;
    const exp = stored.slice(MAC_LENGTH + 1, dot);
    const value = stored.slice(dot + 1);
    if (!sameMac(stored.slice(0, MAC_LENGTH), this.valueMac(key, field, exp, value))) return null;
    // Redis expires the key itself; this stops a signed value written back after its time.
    if (exp !== "-" && now > Number(exp) + BUS_SKEW_MS) return null;
    return value;
  }

  private mac(body: Omit<Envelope, "mac">): string {
    return crypto.createHmac("sha256", this.macKey).update(JSON.stringify(["msg", body.v, body.ch, body.from, body.id, body.ts, body.iv, body.ct])).digest("base64url");
  }

  private valueMac(key: string, field: string | null, exp: string, value: string): string {
    return crypto.createHmac("sha256", this.macKey).update(JSON.stringify(["value", key, field, exp, value])).digest("base64url");
  }
}

function sameMac(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && crypto.timingSafeEqual(x, y);
}
