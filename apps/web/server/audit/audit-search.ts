import { Prisma } from "../../src/generated/prisma/client";
import type { TermRange } from "./audit-terms";

/** What the search queries need of a client: the database itself or a transaction. */
type Sql = Pick<Prisma.TransactionClient, "$queryRaw" | "$executeRaw">;

/** The list's filters other than the text search and paging. */
export interface AuditFilters {
  actorId?: string;
  hostId?: string;
  targetId?: string;
  requestId?: string;
  action?: string;
  phase?: string;
  from?: Date;
  to?: Date;
  /**
   * The caller's reach: entries about these hosts only, or ("hosts") about any host. Unset for admins,
   * who also see fleet-wide entries (users, settings, tokens).
   */
  scope?: readonly string[] | "hosts";
}

export interface SearchTuning {
  /**
   * A word's matches are counted up to this many. Fewer: the page is read from the matches (cheap at
   * this size). More: the word is common, and walking entries newest first finds a page sooner.
   */
  common: number;
  /** A walk covers this many times the entries it should need if matches were spread evenly. */
  walkMargin: number;
}

export const SEARCH_TUNING: SearchTuning = { common: 50_000, walkMargin: 8 };

/** A walk's windows (without a time range) end this many times its budget below where it started. */
const MAX_SPAN = 8;

/**
 * Rows per INSERT: two parameters each, well below SQLite's (32,766) and PostgreSQL's (65,535) limits.
 * Large, because each statement is prepared anew: smaller ones cost more per row.
 */
const INSERT_CHUNK = 1000;

export async function insertTerms(db: Sql, rows: { term: string; seq: number }[]): Promise<void> {
  for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
    const values = Prisma.join(rows.slice(i, i + INSERT_CHUNK).map((r) => Prisma.sql`(${r.term}, ${r.seq})`));
    await db.$executeRaw`INSERT INTO "audit_term" ("term", "seq") VALUES ${values} ON CONFLICT DO NOTHING`;
  }
}

/** Entries whose sequence number is in [above, below). */
export interface Window {
  below?: number;
  above?: number;
}

const where = (conditions: Prisma.Sql[]) => (conditions.length ? Prisma.sql`WHERE ${Prisma.join(conditions, " AND ")}` : Prisma.empty);

const inWindow = (seq: Prisma.Sql, w: Window) => [
  ...(w.below !== undefined ? [Prisma.sql`${seq} < ${w.below}`] : []),
  ...(w.above !== undefined ? [Prisma.sql`${seq} >= ${w.above}`] : []),
];

function filterConditions(f: AuditFilters): Prisma.Sql[] {
  const c: Prisma.Sql[] = [];
  if (f.actorId !== undefined) c.push(Prisma.sql`e."actorId" = ${f.actorId}`);
  if (f.hostId !== undefined) c.push(Prisma.sql`e."hostId" = ${f.hostId}`);
  if (f.targetId !== undefined) c.push(Prisma.sql`e."targetId" = ${f.targetId}`);
  if (f.requestId !== undefined) c.push(Prisma.sql`e."requestId" = ${f.requestId}`);
  if (f.action !== undefined) c.push(Prisma.sql`e."action" = ${f.action}`);
  if (f.phase !== undefined) c.push(Prisma.sql`e."phase" = ${f.phase}`);
  if (f.from) c.push(Prisma.sql`e."at" >= ${f.from}`);
  if (f.to) c.push(Prisma.sql`e."at" <= ${f.to}`);
  if (f.scope === "hosts") c.push(Prisma.sql`e."hostId" IS NOT NULL`);
  else if (f.scope) c.push(f.scope.length ? Prisma.sql`e."hostId" IN (${Prisma.join(f.scope)})` : Prisma.sql`1 = 0`);
  return c;
}

/** The term column `term` matches the word: its prefix range, or (quoted) the one term. */
const termIn = (term: Prisma.Sql, r: TermRange): Prisma.Sql[] => (r.exact ? [Prisma.sql`${term} = ${r.lo}`] : [Prisma.sql`${term} >= ${r.lo}`, Prisma.sql`${term} < ${r.hi}`]);

/** The entry whose sequence number is in `seq` has a term matching the word: one probe of (seq, term). */
const hasTerm = (seq: Prisma.Sql, r: TermRange) =>
  Prisma.sql`EXISTS (SELECT 1 FROM "audit_term" AS t WHERE t."seq" = ${seq} AND ${Prisma.join(termIn(Prisma.sql`t."term"`, r), " AND ")})`;

/** Starts from the driving word's matches (one range of (term, seq)): costs what they number, not the trail. */
export function fromMatchesQuery(driver: TermRange, others: TermRange[], f: AuditFilters, w: Window, take: number): Prisma.Sql {
  // `+ 0`: the window is checked on each match read from the term range, not used to pick (seq, term) instead.
  const matches = Prisma.sql`SELECT t."seq" FROM "audit_term" AS t ${where([...termIn(Prisma.sql`t."term"`, driver), ...inWindow(Prisma.sql`t."seq" + 0`, w)])}`;
  const conditions = [Prisma.sql`e."seq" IN (${matches})`, ...filterConditions(f), ...inWindow(Prisma.sql`e."seq"`, w), ...others.map((r) => hasTerm(Prisma.sql`e."seq"`, r))];
  return Prisma.sql`SELECT e."seq" FROM "audit_entry" AS e ${where(conditions)} ORDER BY e."seq" DESC LIMIT ${take}`;
}

/** The newest `budget` entries of the window that pass the filters: what a walk looks at. */
const stretch = (f: AuditFilters, w: Window, budget: number) =>
  Prisma.sql`SELECT e."seq" FROM "audit_entry" AS e ${where([...filterConditions(f), ...inWindow(Prisma.sql`e."seq"`, w)])} ORDER BY e."seq" DESC LIMIT ${budget}`;

/** Walks those entries newest first and keeps the ones that have every word. */
export function walkQuery(words: TermRange[], f: AuditFilters, w: Window, budget: number, take: number): Prisma.Sql {
  const conditions = words.map((r) => hasTerm(Prisma.sql`c."seq"`, r));
  return Prisma.sql`SELECT c."seq" FROM (${stretch(f, w, budget)}) AS c ${where(conditions)} ORDER BY c."seq" DESC LIMIT ${take}`;
}

async function seqs(db: Sql, query: Prisma.Sql): Promise<number[]> {
  return (await db.$queryRaw<{ seq: number | bigint }[]>(query)).map((r) => Number(r.seq));
}

async function countUpTo(db: Sql, r: TermRange, cap: number): Promise<number> {
  const [row] = await db.$queryRaw<{ n: number | bigint }[]>`
    SELECT COUNT(*) AS n FROM (SELECT 1 FROM "audit_term" ${where(termIn(Prisma.sql`"term"`, r))} LIMIT ${cap}) AS m`;
  return Number(row?.n ?? 0);
}

/**
 * The sequence numbers a time range's entries lie between, read from the time index (as many index
 * entries as the range holds). Exact, since a time need not grow with the sequence number (an
 * observed event carries the engine's time). Null when the range is empty.
 */
export async function timeWindow(db: Sql, f: AuditFilters): Promise<Window | null> {
  const [span] = await db.$queryRaw<{ first: number | bigint | null; last: number | bigint | null }[]>(timeWindowQuery(f));
  return span?.first == null || span.last == null ? null : { above: Number(span.first), below: Number(span.last) + 1 };
}

export const timeWindowQuery = (f: AuditFilters) =>
  Prisma.sql`SELECT MIN(e."seq") AS first, MAX(e."seq") AS last FROM "audit_entry" AS e ${where(filterConditions({ from: f.from, to: f.to }))}`;

/**
 * Up to `take` sequence numbers of entries, newest first, below `cursor`, that pass the filters and
 * have, for every search word, a term starting with it. The rarest word decides how: a rare one is
 * read from its matches; when every word is common, the filtered entries are walked newest first for
 * as many as a page of matches should take (were they spread evenly; with a margin), and what the
 * walk did not fill (matches bunched further back, or a filter that rarely meets them) is read from
 * the matches below where it stopped. So neither case reads the whole trail.
 *
 * The walk goes through windows of sequence numbers, each twice the last, and stops at MAX_SPAN
 * times its budget, so that a filter only an entry's row can check (an outcome) cannot make it read
 * far back. A time range first becomes the window of sequence numbers its entries lie in.
 */
export async function searchSeqs(db: Sql, words: TermRange[], f: AuditFilters, cursor: number | undefined, take: number, tuning = SEARCH_TUNING): Promise<number[]> {
  const counts = await Promise.all(words.map((r) => countUpTo(db, r, tuning.common)));
  if (counts.some((n) => n === 0)) return [];
  const ranked = words.map((r, i) => ({ r, n: counts[i]! })).sort((a, b) => a.n - b.n);
  const [driver, ...others] = ranked.map((x) => x.r);
  let range: Window = { below: cursor };
  if (f.from || f.to) {
    const time = await timeWindow(db, f);
    if (!time) return [];
    range = { below: Math.min(cursor ?? Infinity, time.below!), above: time.above };
  }
  if (ranked[0]!.n < tuning.common) return seqs(db, fromMatchesQuery(driver!, others, f, range, take));

  const [head] = await db.$queryRaw<{ seq: number | bigint | null }[]>`SELECT MAX("seq") AS seq FROM "audit_entry"`;
  const newest = Number(head?.seq ?? 0);
  let budget = Math.max(take, Math.ceil((tuning.walkMargin * take * newest) / ranked[0]!.n));
  const start = Math.min(range.below ?? Infinity, newest + 1);
  const end = Math.max(range.above ?? 0, start - MAX_SPAN * budget);
  const found: number[] = [];
  let below = start;
  for (let span = budget; below > end; span *= 2) {
    const w: Window = { below, above: Math.max(end, below - span) };
    found.push(...(await seqs(db, walkQuery(ranked.map((x) => x.r), f, w, budget, take - found.length))));
    if (found.length === take) return found;
    const [walked] = await db.$queryRaw<{ n: number | bigint; low: number | bigint | null }[]>`
      SELECT COUNT(*) AS n, MIN(c."seq") AS low FROM (${stretch(f, w, budget)}) AS c`;
    const n = Number(walked?.n ?? 0);
    if (n === budget) {
      below = Number(walked!.low); // the budget is spent
      break;
    }
    budget -= n;
    below = w.above!;
  }
  // What the walk did not reach, from the matches.
  if (below <= (range.above ?? 1)) return found;
  return [...found, ...(await seqs(db, fromMatchesQuery(driver!, others, f, { below, above: range.above }, take - found.length)))];
}
