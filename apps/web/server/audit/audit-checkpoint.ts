import crypto from "node:crypto";
import { z } from "zod";
import type { AuditKeys } from "./audit-key";

/**
 * A signed statement, kept outside the database, of how far the audit chain reached: the entry at
 * `seq` had hash `head`, `count` entries led up to it, and every entry from `keyedFrom` on is keyed
 * (the first keyed entry, or the one after `seq` while there is none yet). Without the audit key
 * none can be made, so each is a claim `verify` holds the chain to, whoever wrote it to the witness.
 */
export interface Checkpoint {
  v: 1;
  seq: number;
  head: string;
  count: number;
  keyedFrom: number;
  /** When it was taken (ISO 8601). */
  at: string;
}
export type SignedCheckpoint = Checkpoint & { sig: string };

/** A checkpoint line is about 220 bytes; anything much longer is not one. */
export const MAX_CHECKPOINT_LINE = 1024;

const Hex64 = z.string().regex(/^[0-9a-f]{64}$/, "must be 64 hex digits");
const SignedCheckpointSchema = z.strictObject({
  v: z.literal(1),
  seq: z.number().int().positive(),
  head: Hex64,
  count: z.number().int().positive(),
  keyedFrom: z.number().int().positive(),
  at: z.iso.datetime(),
  sig: Hex64,
});

function signature(keys: AuditKeys, c: Checkpoint): string {
  const canonical = JSON.stringify([c.v, c.seq, c.head, c.count, c.keyedFrom, c.at]);
  return crypto.createHmac("sha256", keys.checkpoint).update(canonical).digest("hex");
}

export function signCheckpoint(keys: AuditKeys, c: Omit<Checkpoint, "v">): SignedCheckpoint {
  const body: Checkpoint = { v: 1, seq: c.seq, head: c.head, count: c.count, keyedFrom: c.keyedFrom, at: c.at };
  return { ...body, sig: signature(keys, body) };
}

export type ParsedLine = { ok: true; checkpoint: SignedCheckpoint } | { ok: false; reason: string };

/** One witness line: a checkpoint signed with this audit key, or why it is not one. Never throws. */
export function parseCheckpointLine(keys: AuditKeys, text: string): ParsedLine {
  if (text.length > MAX_CHECKPOINT_LINE) return { ok: false, reason: `longer than ${MAX_CHECKPOINT_LINE} characters: not a checkpoint` };
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: "not JSON: not a checkpoint" };
  }
  const parsed = SignedCheckpointSchema.safeParse(json);
  if (!parsed.success) return { ok: false, reason: `not a checkpoint (${parsed.error.issues.map((i) => `${i.path.join(".") || "line"}: ${i.message}`).join("; ")})` };
  const expected = Buffer.from(signature(keys, parsed.data), "hex");
  if (!crypto.timingSafeEqual(expected, Buffer.from(parsed.data.sig, "hex"))) {
    return { ok: false, reason: `its signature is not the audit key's (written by someone without the key, or with another key): claims entry #${parsed.data.seq}` };
  }
  return { ok: true, checkpoint: parsed.data };
}
