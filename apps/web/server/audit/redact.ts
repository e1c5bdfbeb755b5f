const SECRET_NAME = /pass(word|wd)?|secret|token|credential|api[-_]?key|private[-_]?key|auth/i;
/** A command-line flag whose value is a secret: `--password x`, `-p` is too ambiguous to count. */
const SECRET_FLAG = /^--?[A-Za-z0-9_-]*(pass(word|wd)?|secret|token|credential|api[-_]?key|private[-_]?key)[A-Za-z0-9_-]*$/i;
/** `KEY=value`, `--key=value`: the name decides. */
const NAMED_VALUE = /^(-{0,2}[A-Za-z_][A-Za-z0-9_.-]*)=/;
/** `scheme://user:password@host`: the password goes, the rest stays readable. */
const URL_CREDENTIALS = /([a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:)([^/\s@]+)(@)/gi;
/** Prefixes of well-known credentials (GitHub, GitLab, Slack, OpenAI-style, AWS access keys). */
const KNOWN_TOKEN = /^(gh[pousr]_|github_pat_|glpat-|xox[abpr]-|sk-|AKIA)[A-Za-z0-9_-]{12,}/;

export const REDACTED = "[redacted]";

/** Bits per character: random tokens score above 4, words and identifiers well below. */
function entropy(s: string): number {
  const counts = new Map<string, number>();
  for (const c of s) counts.set(c, (counts.get(c) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) bits -= (n / s.length) * Math.log2(n / s.length);
  return bits;
}

/**
 * Looks like a secret by itself: a known token prefix, or a long random-looking word. Hex (ids,
 * digests) is what the trail is made of and stays.
 */
function looksLikeToken(s: string): boolean {
  if (KNOWN_TOKEN.test(s)) return true;
  if (s.length < 32 || !/^[A-Za-z0-9+/_=-]+$/.test(s) || /^(sha256:)?[0-9a-f]+$/i.test(s)) return false;
  return /[A-Za-z]/.test(s) && /[0-9]/.test(s) && entropy(s) >= 4;
}

function redactText(text: string, key: string): string {
  if (SECRET_NAME.test(key)) return REDACTED;
  const named = NAMED_VALUE.exec(text);
  if (named && SECRET_NAME.test(named[1]!)) return `${named[1]}=${REDACTED}`;
  if (looksLikeToken(text)) return REDACTED;
  return text.replace(URL_CREDENTIALS, `$1${REDACTED}$3`);
}

/**
 * Copies audit parameters with secrets replaced by "[redacted]": values under keys that name a
 * secret, `KEY=value` entries and `--flag value` arguments whose name does, passwords in URLs, and
 * values that look like tokens whatever their key.
 */
export function redact(value: unknown, key = ""): unknown {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "number") return SECRET_NAME.test(key) ? REDACTED : value;
  if (typeof value === "string") return redactText(value, key);
  if (Array.isArray(value)) return value.map((v, i) => (typeof v === "string" && typeof value[i - 1] === "string" && SECRET_FLAG.test(value[i - 1] as string) && !v.startsWith("-") ? REDACTED : redact(v, key)));
  if (value && typeof value === "object") return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redact(v, k)]));
  return value;
}
