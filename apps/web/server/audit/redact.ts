const SECRET_NAME = /pass(word|wd)?|secret|token|credential|api[-_]?key|private[-_]?key|auth/i;
export const REDACTED = "[redacted]";

/**
 * Copies audit parameters with secrets replaced: values under keys that name a secret, and the value
 * of a `KEY=value` entry (an environment variable) whose key does.
 */
export function redact(value: unknown, key = ""): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "string" || typeof value === "number") {
    if (SECRET_NAME.test(key)) return REDACTED;
    const m = typeof value === "string" ? /^([A-Za-z_][A-Za-z0-9_.-]*)=/.exec(value) : null;
    return m && SECRET_NAME.test(m[1]!) ? `${m[1]}=${REDACTED}` : value;
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, key));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  return value;
}
