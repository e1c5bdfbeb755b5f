import { z } from "zod";
import { ContainerState, type ContainerSummary } from "@stevedore/protocol";
import type { ContainerRow } from "./types";
import { toRow, type FleetState, type HostContainers } from "./fleet-state";
import { firstOfMerged } from "./merge-sorted";
import { parseFilter, termMatches, type FilterTerm } from "./container-filter";
import { DEFAULT_ORDER, compareText, compareWithinHost, emptyCounts, type ContainerSort, type SortDir, type StateCounts } from "./host-container-view";

export const ContainerListInput = z.object({
  hostId: z.string().max(64).optional(),
  /** Only hosts in this host group. */
  group: z.string().trim().toLowerCase().max(63).optional(),
  state: z.union([z.literal("all"), ContainerState]).default("all"),
  /** Filter terms (container-filter.ts): `label:k=v`, `image:`, `host:`, `status:`, free words. */
  q: z.string().trim().max(500).default(""),
  /** Only containers whose image's tag has moved on (updates/image-updates.ts). */
  outdated: z.boolean().default(false),
  sort: z.enum(["created", "name", "image", "state", "host"]).default(DEFAULT_ORDER.sort),
  dir: z.enum(["asc", "desc"]).default(DEFAULT_ORDER.dir),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(100),
});
export type ContainerListInput = z.input<typeof ContainerListInput>;

export interface ContainerListResult {
  items: ContainerRow[];
  /** Rows matching host + text + state. */
  total: number;
  /** Rows matching host + text, by state: the filter's badges. */
  byState: StateCounts;
  /** Filter terms that could not be understood (and were left out), in words. */
  problems: string[];
}

interface Candidate {
  c: ContainerSummary;
  host: HostContainers;
}

/** Across hosts: the within-host order, with the host name first when sorting by host. */
function compareCandidates(sort: ContainerSort, dir: SortDir): (a: Candidate, b: Candidate) => number {
  const withinHost = compareWithinHost(sort, dir);
  if (sort !== "host") return (a, b) => withinHost(a.c, b.c);
  const sign = dir === "asc" ? 1 : -1;
  return (a, b) => (a.host === b.host ? 0 : sign * compareText(a.host.name, b.host.name)) || withinHost(a.c, b.c);
}

type Query = z.infer<typeof ContainerListInput>;

/** One host's rows that pass the filters, in the page's order, read only as far as the merge needs. */
class MatchingRows implements Iterator<Candidate> {
  private at = 0;
  private readonly order: readonly number[];
  private readonly result = { done: false, value: undefined as unknown as Candidate };

  constructor(
    private readonly host: HostContainers,
    private readonly query: Query,
    /** Which containers match the search, when the host's name does not match it already. */
    private readonly hits: Uint8Array | null,
  ) {
    this.order = host.view.order(query.sort, query.dir);
  }

  next(): IteratorResult<Candidate> {
    const { containers } = this.host.view;
    while (this.at < this.order.length) {
      const i = this.order[this.at++]!;
      const c = containers[i]!;
      if (this.query.state !== "all" && c.state !== this.query.state) continue;
      if (this.hits && !this.hits[i]) continue;
      // The merge reads each result before asking for the next, so one object serves.
      this.result.value = { c, host: this.host };
      return this.result;
    }
    return { done: true, value: undefined };
  }
}

/**
 * Filtering, sorting and paging happen here, on the server: a browser only ever receives one page.
 * Each host's containers are kept in the page's order between changes, so a page is a merge of the
 * hosts' rows that stops once it has the page, and counts come from per-host tallies.
 */
export function listContainers(
  fleet: FleetState,
  raw: ContainerListInput,
  visibleHost?: (hostId: string) => boolean,
  isOutdated: (c: ContainerSummary, hostId: string) => boolean = () => false,
): ContainerListResult {
  const input = ContainerListInput.parse(raw);
  const { terms, problems } = parseFilter(input.q);
  const words = terms.flatMap((t) => (t.kind === "text" ? [t.value] : []));
  const hostTerms = terms.flatMap((t) => (t.kind === "host" ? [t.value] : []));
  const structured = terms.filter((t): t is Exclude<FilterTerm, { kind: "text" } | { kind: "host" }> => t.kind !== "text" && t.kind !== "host");
  const byState = emptyCounts();
  const sequences: MatchingRows[] = [];
  for (const host of fleet.containersByHost(input.hostId)) {
    if ((input.group && !host.groups.includes(input.group)) || (visibleHost && !visibleHost(host.id))) continue;
    const hostName = host.name.toLowerCase();
    if (!hostTerms.every((h) => hostName.includes(h) || host.id === h)) continue;
    const view = host.view;
    // A word in the host's name holds for every row on it; the rest are looked for in each row.
    const pending = words.filter((w) => !hostName.includes(w));
    let hits: Uint8Array | null = null;
    let wanted = 0;
    if (!pending.length && !structured.length && !input.outdated) {
      for (const state in byState) byState[state as keyof StateCounts] += view.counts[state as keyof StateCounts];
      wanted = view.counts[input.state];
    } else {
      const [first, ...rest] = pending;
      const hex = (w: string) => /^[0-9a-f]+$/.test(w);
      // The first word narrows by one search of the host's joined text; the others check what it found.
      for (const i of first === undefined ? view.containers.keys() : view.search(first, hex(first))) {
        const c = view.containers[i]!;
        if (!rest.every((w) => view.matches(i, w, hex(w))) || !structured.every((t) => termMatches(t, c))) continue;
        if (input.outdated && !isOutdated(c, host.id)) continue;
        byState.all++;
        byState[c.state]++;
        if (input.state !== "all" && c.state !== input.state) continue;
        wanted++;
        (hits ??= new Uint8Array(view.containers.length))[i] = 1;
      }
    }
    if (wanted > 0) sequences.push(new MatchingRows(host, input, hits));
  }
  const total = input.state === "all" ? byState.all : byState[input.state];
  const first = firstOfMerged(sequences, input.offset + input.limit, compareCandidates(input.sort, input.dir));
  return { items: first.slice(input.offset).map((x) => toRow(x.host, x.c)), total, byState, problems };
}
