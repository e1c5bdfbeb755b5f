/** Where the app starts after sign-in when `next` names nowhere acceptable. */
export const DEFAULT_AFTER_SIGN_IN = "/overview";

/**
 * The `next` of /login?next=… as a same-origin path, or the default. Only a path that starts with
 * one `/` is taken, judged after percent-decoding (the browser decodes it too): `//host` and `/\host`
 * are protocol-relative URLs to another site (browsers read `\` as `/`), and `https:`, `javascript:`
 * and the like are not paths at all. Control characters (a tab or newline the URL parser drops, which
 * turns `/\t/host` into `//host`) are refused as well.
 */
export function safeNextPath(next: string | null | undefined): string {
  if (!next) return DEFAULT_AFTER_SIGN_IN;
  let decoded: string;
  try {
    decoded = decodeURIComponent(next);
  } catch {
    return DEFAULT_AFTER_SIGN_IN;
  }
  for (const candidate of [next, decoded]) {
    // eslint-disable-next-line no-control-regex
    if (!candidate.startsWith("/") || candidate[1] === "/" || candidate[1] === "\\" || /[\u0000-\u001f\u007f]/.test(candidate)) return DEFAULT_AFTER_SIGN_IN;
  }
  // What the browser would make of it must still be our own origin.
  const base = "http://stevedore.invalid";
  const resolved = new URL(next, base);
  return resolved.origin === base ? resolved.pathname + resolved.search + resolved.hash : DEFAULT_AFTER_SIGN_IN;
}
