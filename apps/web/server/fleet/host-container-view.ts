import type { ContainerState, ContainerSummary } from "@stevedore/protocol";

export type ContainerSort = "created" | "name" | "image" | "state" | "host";
export type SortDir = "asc" | "desc";
/** The containers page's order until the user picks another: built with each view. */
export const DEFAULT_ORDER = { sort: "created", dir: "desc" } as const satisfies { sort: ContainerSort; dir: SortDir };
export type StateCounts = Record<"all" | ContainerState, number>;

export const emptyCounts = (): StateCounts => ({ all: 0, created: 0, running: 0, paused: 0, restarting: 0, removing: 0, exited: 0, dead: 0 });

const collator = new Intl.Collator();
export const compareText = (a: string, b: string) => collator.compare(a, b);
export const compareIds = (a: ContainerSummary, b: ContainerSummary) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Order by a sort key among one host's containers, where the host name is the same for all. */
const byKey: Record<ContainerSort, (a: ContainerSummary, b: ContainerSummary) => number> = {
  created: (a, b) => a.createdAt - b.createdAt,
  name: (a, b) => compareText(a.name, b.name),
  image: (a, b) => compareText(a.image, b.image),
  state: (a, b) => compareText(a.state, b.state),
  host: () => 0,
};
export const compareWithinHost = (sort: ContainerSort, dir: SortDir) => {
  const sign = dir === "asc" ? 1 : -1;
  const key = byKey[sort];
  // Ties break by id ascending in both directions, so a page is stable whatever the direction.
  return (a: ContainerSummary, b: ContainerSummary) => sign * key(a, b) || compareIds(a, b);
};

/**
 * One host's containers arranged for the containers page: search text, counts by state and an order
 * per sort key, built with each snapshot (or on first use after a change) and reused until the next
 * change. A page of 500,000 rows then costs a few steps per host instead of a few per container.
 */
export class HostContainerView {
  readonly containers: ContainerSummary[];
  readonly counts = emptyCounts();
  /** Every container's search text in one string: a host without a match is ruled out by one search. */
  readonly haystack: string;
  /** Lower-cased name, image, command and labels (`key=value`) of each container. */
  private readonly texts: string[];
  /** Where each container's text starts in the haystack. */
  private readonly starts: number[] = [];
  private readonly orders = new Map<string, number[]>();

  constructor(containers: Iterable<ContainerSummary>) {
    this.containers = [...containers];
    this.texts = this.containers.map((c) => [c.name, c.image, c.command, ...Object.entries(c.labels).map(([k, v]) => `${k}=${v}`)].join("\n").toLowerCase());
    this.haystack = this.texts.join("\n");
    let at = 0;
    for (const t of this.texts) {
      this.starts.push(at);
      at += t.length + 1;
    }
    for (const c of this.containers) this.counts[c.state]++;
    this.counts.all = this.containers.length;
    this.order(DEFAULT_ORDER.sort, DEFAULT_ORDER.dir);
  }

  /**
   * The containers matching a lower-cased search, in index order: found by searching the haystack
   * (a few searches per host rather than one per container), plus id prefixes when `byId`.
   */
  search(q: string, byId: boolean): number[] {
    const found: number[] = [];
    let from = 0;
    for (;;) {
      const at = this.haystack.indexOf(q, from);
      if (at < 0) break;
      let i = this.starts.length - 1;
      while (this.starts[i]! > at) i--;
      // A hit that runs into the next container's text is not a hit in this one.
      if (at + q.length > this.starts[i]! + this.texts[i]!.length) {
        from = at + 1;
        continue;
      }
      found.push(i);
      from = this.starts[i + 1] ?? this.haystack.length;
    }
    if (!byId) return found;
    const hit = new Set(found);
    return this.containers.flatMap((c, i) => (hit.has(i) || c.id.startsWith(q) ? [i] : []));
  }

  /** Whether one container's text (or, for hex, its id's start) holds a lower-cased word. */
  matches(i: number, word: string, byId: boolean): boolean {
    return this.texts[i]!.includes(word) || (byId && this.containers[i]!.id.startsWith(word));
  }

  /** Indexes of the containers in the page's order. */
  order(sort: ContainerSort, dir: SortDir): readonly number[] {
    const key = `${sort} ${dir}`;
    let order = this.orders.get(key);
    if (!order) {
      const cmp = compareWithinHost(sort, dir);
      order = this.containers.map((_, i) => i).sort((a, b) => cmp(this.containers[a]!, this.containers[b]!));
      this.orders.set(key, order);
    }
    return order;
  }
}
