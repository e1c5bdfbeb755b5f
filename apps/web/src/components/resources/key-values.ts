/** `key=value` lines (labels, driver options) as a record, or the first problem in words. */
export function parseKeyValues(text: string, what: string): { ok: true; values: Record<string, string> } | { ok: false; error: string } {
  const values: Record<string, string> = {};
  for (const [i, raw] of text.split("\n").entries()) {
    const line = raw.trim();
    if (!line) continue;
    const eq = line.indexOf("=");
    if (eq <= 0) return { ok: false, error: `line ${i + 1}: a ${what} is key=value` };
    const key = line.slice(0, eq).trim();
    if (key in values) return { ok: false, error: `line ${i + 1}: ${key} is given twice` };
    values[key] = line.slice(eq + 1).trim();
  }
  return { ok: true, values };
}

/** A record as the lines a person reads: key=value. */
export function keyValueLines(values: Record<string, string>): string[] {
  return Object.entries(values).map(([k, v]) => `${k}=${v}`);
}
