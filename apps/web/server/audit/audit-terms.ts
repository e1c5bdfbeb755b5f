/**
 * The words an audit entry can be found by, for the search index in `audit_term` (plain rows the
 * application keeps, so the schema stays portable: no full-text extension of one database).
 *
 * A term is the rest of a whitespace-free run of text from the start of one of its words, lower-cased:
 * "alice@example.com" gives "alice@example.com", "example.com" and "com". A search word matches an
 * entry when it is the beginning of one of the entry's terms, so "ali", "example.com", "web-1" (in
 * "prod-web-1") and a container id's first characters all find it, with one index range per word.
 */

/**
 * Longer terms are cut (a container id keeps 32 hex digits, plenty to tell it apart). A longer search
 * word matches on its first MAX_TERM characters and, to stay precise, also needs its own last words:
 * "my-long-application-name-worker-2" also needs a term starting with "worker-2".
 */
export const MAX_TERM = 32;
/** Per entry; the fields are taken in the order below, so a long error message is what gets cut. */
export const MAX_TERMS_PER_ENTRY = 100;
/** Search words beyond this many are ignored. */
export const MAX_SEARCH_WORDS = 8;

const WORD = /[\p{L}\p{N}]+/gu;
const LEADING_PUNCTUATION = /^[^\p{L}\p{N}]+/u;
const TRAILING_PUNCTUATION = /[^\p{L}\p{N}]+$/u;

/** The fields of an entry that are searched. */
export interface SearchableEntry {
  action: string;
  actorName: string;
  hostName: string | null;
  targetName: string | null;
  targetId: string | null;
  /** The redacted parameters as stored (JSON text): only a top-level `image` is searched. */
  params: string | null;
  error: string | null;
}

/** Cut to MAX_TERM characters (never inside a character), without punctuation at the end. */
function cut(s: string): string {
  if (s.length <= MAX_TERM) return s;
  s = s.slice(0, MAX_TERM);
  if (/[\uD800-\uDBFF]$/.test(s)) s = s.slice(0, -1);
  return s.replace(TRAILING_PUNCTUATION, "");
}

const trim = (text: string) => text.toLowerCase().replace(LEADING_PUNCTUATION, "").replace(TRAILING_PUNCTUATION, "");

function imageOf(params: string | null): string | null {
  if (!params || !params.includes('"image"')) return null;
  try {
    const image = (JSON.parse(params) as { image?: unknown }).image;
    return typeof image === "string" ? image : null;
  } catch {
    return null;
  }
}

/** The distinct search terms of one entry, at most MAX_TERMS_PER_ENTRY. */
export function termsOf(entry: SearchableEntry): string[] {
  const terms = new Set<string>();
  const fields = [entry.action, entry.actorName, entry.hostName, entry.targetName, entry.targetId, imageOf(entry.params), entry.error];
  for (const field of fields) {
    if (!field) continue;
    for (const chunk of field.toLowerCase().split(/\s+/)) {
      // Every term from this run of text ends where the run does.
      const run = chunk.replace(TRAILING_PUNCTUATION, "");
      for (const word of run.matchAll(WORD)) {
        terms.add(cut(run.slice(word.index)));
        if (terms.size >= MAX_TERMS_PER_ENTRY) return [...terms];
      }
    }
  }
  return [...terms];
}

/** A search word as terms' beginnings: itself, or if longer than a term, its start and its longest tail that fits. */
function wordsOf(word: string): string[] {
  if (word.length <= MAX_TERM) return [word];
  const tail = [...word.matchAll(WORD)].find((w) => w.index > 0 && word.length - w.index <= MAX_TERM);
  return tail ? [cut(word), word.slice(tail.index)] : [cut(word)];
}

/**
 * A search word as the terms it matches: those it is the beginning of (`lo <= term < hi`), or, when
 * `exact` (the word was quoted), only the term equal to `lo`.
 */
export interface TermRange {
  word: string;
  lo: string;
  hi: string;
  exact?: boolean;
}

/** Quoted runs ("ux-1", "prod web") and the free words around them. An unclosed quote quotes to the end. */
function splitSearch(q: string): { word: string; exact: boolean }[] {
  const out: { word: string; exact: boolean }[] = [];
  const parts = q.split('"');
  parts.forEach((part, i) => {
    // Odd parts sit between quotes.
    for (const w of part.split(/\s+/)) if (w) out.push({ word: w, exact: i % 2 === 1 });
  });
  return out;
}

/** The range of terms that start with `word`. */
function prefixRange(word: string): TermRange {
  // Every string that starts with `word` sorts before `word` with its last character raised by one
  // (code point order is UTF-8 byte order, which SQLite's and PostgreSQL's "C" collation compare by).
  const last = word.codePointAt(word.length - 1 - (/[\uDC00-\uDFFF]$/.test(word) ? 1 : 0))!;
  const head = word.slice(0, word.length - String.fromCodePoint(last).length);
  return { word, lo: word, hi: head + String.fromCodePoint(last + 1) };
}

/**
 * The words of a search, each as a range of terms. Words are separated by white space; a quoted word
 * (`"ux-1"`) must be a whole term, so it finds ux-1 and prod-ux-1 but not ux-10 (words inside one
 * pair of quotes are each exact). A word that is all punctuation is dropped, and so is an unquoted
 * word that another word starts with (it adds nothing).
 */
export function searchRanges(q: string): TermRange[] {
  const seen = new Set<string>();
  const words: { word: string; exact: boolean }[] = [];
  for (const { word, exact } of splitSearch(q)) {
    const trimmed = trim(word);
    if (!trimmed) continue;
    // A quoted word longer than a term is matched as the index holds it: its cut start and its tail, each whole.
    for (const w of wordsOf(trimmed)) {
      const key = `${exact ? "=" : "^"}${w}`;
      if (!seen.has(key)) words.push({ word: w, exact });
      seen.add(key);
    }
  }
  const kept = words.filter((w) => w.exact || !words.some((other) => other.word !== w.word && other.word.startsWith(w.word)));
  return kept.slice(0, MAX_SEARCH_WORDS).map(({ word, exact }) => (exact ? { word, lo: word, hi: word, exact: true } : prefixRange(word)));
}

/** Whether a term matches a search word (as the database's range or equality does). */
export function termMatches(term: string, r: TermRange): boolean {
  return r.exact ? term === r.lo : term.startsWith(r.lo);
}
