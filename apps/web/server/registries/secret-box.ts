import crypto from "node:crypto";

const VERSION = "v1";

/**
 * Encrypts stored secrets with AES-256-GCM under a key derived from SECRETS_KEY. Each value is bound
 * to what it belongs to (`context`, e.g. the registry's id), so a ciphertext copied onto another row
 * does not decrypt.
 */
export class SecretBox {
  private readonly key: Buffer;

  constructor(secretsKey: string) {
    this.key = Buffer.from(crypto.hkdfSync("sha256", secretsKey, "stevedore", "stored-secrets", 32));
  }

  seal(plaintext: string, context: string): string {
    const iv = crypto.randomBytes(12);
    const cipher = crypto.createCipheriv("aes-256-gcm", this.key, iv).setAAD(Buffer.from(context));
    const body = Buffer.concat([cipher.update(plaintext, "utf8"), cipher.final()]);
    return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64url")}`;
  }

  /** Throws when the value was made with another key, for another context, or altered. */
  open(sealed: string, context: string): string {
    const [version, data] = sealed.split(":");
    if (version !== VERSION || !data) throw new Error("not a sealed secret");
    const raw = Buffer.from(data, "base64url");
    const decipher = crypto.createDecipheriv("aes-256-gcm", this.key, raw.subarray(0, 12)).setAAD(Buffer.from(context));
    decipher.setAuthTag(raw.subarray(12, 28));
    return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString("utf8");
  }
}
