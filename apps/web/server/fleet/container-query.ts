import { z } from "zod";
import { ContainerState, type ContainerSummary } from "@stevedore/protocol";
import type { ContainerRow } from "./types";
import { BestK } from "./best-k";
import type { FleetState } from "./fleet-state";

export const ContainerListInput = z.object({
  hostId: z.string().max(64).optional(),
  /** Only hosts in this host group. */
  group: z.string().trim().toLowerCase().max(63).optional(),
  state: z.union([z.literal("all"), ContainerState]).default("all"),
  q: z.string().trim().max(200).default(""),
  sort: z.enum(["created", "name", "image", "state", "host"]).default("created"),
  dir: z.enum(["asc", "desc"]).default("desc"),
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(100),
});
export type ContainerListInput = z.input<typeof ContainerListInput>;

export interface ContainerListResult {
  items: ContainerRow[];
  /** Rows matching host + text + state. */
  total: number;
  /** Rows matching host + text, by state: the filter's badges. */
  byState: Record<"all" | ContainerState, number>;
}

type Sort = z.infer<typeof ContainerListInput>["sort"];
interface Candidate {
  c: ContainerSummary;
  hostName: string;
  toRow: () => ContainerRow;
}

const collator = new Intl.Collator();
const byId = (a: Candidate, b: Candidate) => (a.c.id < b.c.id ? -1 : a.c.id > b.c.id ? 1 : 0);
const compare: Record<Sort, (a: Candidate, b: Candidate) => number> = {
  created: (a, b) => a.c.createdAt - b.c.createdAt,
  name: (a, b) => collator.compare(a.c.name, b.c.name),
  image: (a, b) => collator.compare(a.c.image, b.c.image),
  state: (a, b) => collator.compare(a.c.state, b.c.state),
  host: (a, b) => collator.compare(a.hostName, b.hostName),
};

/** Lower-cased text a search looks in, kept per container object (a change replaces the object). */
const searchText = new WeakMap<ContainerSummary, string>();
function textOf(c: ContainerSummary): string {
  let text = searchText.get(c);
  if (text === undefined) searchText.set(c, (text = `${c.name}\n${c.image}\n${c.command}`.toLowerCase()));
  return text;
}

/** Beyond this depth a page is cut from a full sort instead of the kept best rows. */
const MAX_KEPT = 5_000;

/** Filtering, sorting and paging happen here, on the server: a browser only ever receives one page. */
export function listContainers(fleet: FleetState, raw: ContainerListInput): ContainerListResult {
  const input = ContainerListInput.parse(raw);
  const q = input.q.toLowerCase();
  const byState: ContainerListResult["byState"] = { all: 0, created: 0, running: 0, paused: 0, restarting: 0, removing: 0, exited: 0, dead: 0 };
  const sign = input.dir === "asc" ? 1 : -1;
  const order = compare[input.sort];
  const cmp = (a: Candidate, b: Candidate) => sign * order(a, b) || byId(a, b);
  const k = input.offset + input.limit;
  const best = k <= MAX_KEPT ? new BestK<Candidate>(k, cmp) : null;
  const all: Candidate[] = [];
  for (const host of fleet.containersByHost(input.hostId)) {
    if (input.group && !host.groups.includes(input.group)) continue;
    const hostMatches = !q || host.hostName.toLowerCase().includes(q);
    for (const c of host.containers) {
      if (!hostMatches && !c.id.startsWith(q) && !textOf(c).includes(q)) continue;
      byState.all++;
      byState[c.state]++;
      if (input.state !== "all" && c.state !== input.state) continue;
      const candidate = { c, hostName: host.hostName, toRow: () => host.toRow(c) };
      if (best) best.offer(candidate);
      else all.push(candidate);
    }
  }
  const total = input.state === "all" ? byState.all : byState[input.state];
  const ordered = best ? best.kept : all.sort(cmp);
  return { items: ordered.slice(input.offset, k).map((x) => x.toRow()), total, byState };
}
