import crypto from "node:crypto";

/**
 * The two keys the audit trail uses, both derived (HKDF-SHA256) from AUDIT_KEY, which never enters
 * the database: one keys each entry's link, the other signs checkpoints. Separate subkeys, so a
 * checkpoint signature can never be passed off as an entry's link or the other way round.
 */
export interface AuditKeys {
  readonly link: crypto.KeyObject;
  readonly checkpoint: crypto.KeyObject;
}

const SALT = "stevedore audit trail";

export function deriveAuditKeys(secret: string): AuditKeys {
  const subkey = (info: string) => crypto.createSecretKey(Buffer.from(crypto.hkdfSync("sha256", secret, SALT, info, 32)));
  return { link: subkey("entry link v1"), checkpoint: subkey("checkpoint signature v1") };
}
