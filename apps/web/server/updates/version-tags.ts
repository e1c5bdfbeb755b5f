/**
 * Newer versions of a version tag, read from a repository's tag list. Written here rather than with
 * `semver`: image tags are not semver. `1.25.3-alpine` is a variant, not a pre-release of `1.25.3`;
 * `1.25` and `1` are floating tags of their own shape; and a `v` prefix is common. A newer version is
 * a tag of the same shape (prefix, number of parts, suffix), so an alpine image is offered alpine ones.
 */

interface VersionTag {
  prefix: string;
  parts: number[];
  suffix: string;
}

const VERSION = /^(v?)(\d{1,9})(?:\.(\d{1,9}))?(?:\.(\d{1,9}))?(-[0-9A-Za-z][0-9A-Za-z._-]*)?$/;

export function parseVersionTag(tag: string): VersionTag | null {
  const m = VERSION.exec(tag);
  if (!m) return null;
  return { prefix: m[1]!, parts: [m[2], m[3], m[4]].filter((p) => p !== undefined).map(Number), suffix: m[5] ?? "" };
}

export interface NewerVersions {
  /** Same major and minor, a higher patch (three-part tags). */
  patch: string | null;
  /** Same major, a higher minor. */
  minor: string | null;
  /** A higher major. */
  major: string | null;
}

function compareParts(a: number[], b: number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return 0;
}

/** The newest tag of each kind above `current`, or null when `current` is not a version tag. */
export function newerVersions(current: string, tags: readonly string[]): NewerVersions | null {
  const now = parseVersionTag(current);
  if (!now) return null;
  const newest: Record<keyof NewerVersions, { tag: string; parts: number[] } | null> = { patch: null, minor: null, major: null };
  for (const tag of tags) {
    const v = parseVersionTag(tag);
    if (!v || v.prefix !== now.prefix || v.suffix !== now.suffix || v.parts.length !== now.parts.length) continue;
    if (compareParts(v.parts, now.parts) <= 0) continue;
    const kind: keyof NewerVersions = v.parts[0] !== now.parts[0] ? "major" : v.parts[1] !== now.parts[1] ? "minor" : "patch";
    const best = newest[kind];
    if (!best || compareParts(v.parts, best.parts) > 0) newest[kind] = { tag, parts: v.parts };
  }
  return { patch: newest.patch?.tag ?? null, minor: newest.minor?.tag ?? null, major: newest.major?.tag ?? null };
}
