import { z } from "zod";
import { BestK } from "./best-k";
import { filterTokens } from "./container-filter";
import { compareText } from "./host-container-view";
import { hostSearchText, hostStatusOf, type FleetState, type QueryableHost } from "./fleet-state";
import type { HostStatus, HostView } from "./types";

export const HOST_SORTS = ["name", "status", "containers", "seen"] as const;
export type HostSort = (typeof HOST_SORTS)[number];
export const HOST_STATUSES = ["online", "engine_down", "offline"] as const satisfies readonly HostStatus[];

export const HostListInput = z.object({
  /** Words (quoted for spaces) matched in name, address, OS and groups, all of them; `group:name` for one group exactly. */
  q: z.string().trim().max(500).default(""),
  status: z.enum(["all", ...HOST_STATUSES]).default("all"),
  /** Only hosts in this host group. */
  group: z.string().trim().toLowerCase().max(63).optional(),
  /** Only these hosts: how a picker resolves the names of what it holds. */
  ids: z.array(z.string().min(1).max(64)).max(500).optional(),
  /** Only hosts where the caller may operate (a picker that runs or pulls something). */
  operable: z.boolean().default(false),
  sort: z.enum(HOST_SORTS).default("name"),
  dir: z.enum(["asc", "desc"]).default("asc"),
  offset: z.number().int().min(0).max(100_000).default(0),
  limit: z.number().int().min(1).max(500).default(50),
});
export type HostListInput = z.input<typeof HostListInput>;

export type HostCounts = Record<"all" | HostStatus, number>;

export interface HostListResult<T> {
  items: T[];
  /** Hosts matching search + group + status. */
  total: number;
  /** Hosts matching search + group, by status: the filter's badges. */
  byStatus: HostCounts;
}

const STATUS_RANK: Record<HostStatus, number> = { online: 0, engine_down: 1, offline: 2 };
/** When the host was last heard from: now-ish while connected, its last message otherwise. */
const seenAt = (h: QueryableHost) => (h.connected ? (h.connectedAt ?? 0) : (h.lastSeenAt ?? 0));
const byKey: Record<HostSort, (a: QueryableHost, b: QueryableHost) => number> = {
  name: (a, b) => compareText(a.name, b.name),
  status: (a, b) => STATUS_RANK[hostStatusOf(a)] - STATUS_RANK[hostStatusOf(b)] || compareText(a.name, b.name),
  containers: (a, b) => a.containers.size - b.containers.size,
  seen: (a, b) => seenAt(a) - seenAt(b),
};
function compareHosts(sort: HostSort, dir: "asc" | "desc") {
  const sign = dir === "asc" ? 1 : -1;
  const key = byKey[sort];
  // Ties break by id ascending in both directions, so pages are stable whatever the direction.
  return (a: QueryableHost, b: QueryableHost) => sign * key(a, b) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

/**
 * The hosts page and every host picker, on the server: search, filter, counts and one page, so a
 * browser never holds the whole fleet. One pass over the hosts keeps the best `offset + limit` in
 * order (best-k.ts) instead of sorting them all; rows are built only for the page.
 */
export function listHosts<T = HostView>(
  fleet: FleetState,
  raw: HostListInput,
  caller: { sees?: (hostId: string) => boolean; mayOperate: (hostId: string) => boolean },
  toItem: (h: HostView) => T = (h) => h as T,
): HostListResult<T> {
  const input = HostListInput.parse(raw);
  const words: string[] = [];
  const groups: string[] = [];
  for (const token of filterTokens(input.q)) {
    const lower = token.toLowerCase();
    if (lower.startsWith("group:") && lower.length > 6) groups.push(lower.slice(6));
    else if (lower) words.push(lower);
  }
  if (input.group) groups.push(input.group);
  const ids = input.ids && new Set(input.ids);
  const byStatus: HostCounts = { all: 0, online: 0, engine_down: 0, offline: 0 };
  const best = new BestK<QueryableHost>(input.offset + input.limit, compareHosts(input.sort, input.dir));
  for (const h of fleet.queryableHosts()) {
    if (ids && !ids.has(h.id)) continue;
    if (caller.sees && !caller.sees(h.id)) continue;
    if (!groups.every((g) => h.groups.includes(g))) continue;
    if (words.length) {
      const text = hostSearchText(h);
      if (!words.every((w) => text.includes(w))) continue;
    }
    if (input.operable && !caller.mayOperate(h.id)) continue;
    const status = hostStatusOf(h);
    byStatus.all++;
    byStatus[status]++;
    if (input.status === "all" || status === input.status) best.offer(h);
  }
  const items = best.kept.slice(input.offset).map((h) => toItem(fleet.getHost(h.id)!));
  return { items, total: input.status === "all" ? byStatus.all : byStatus[input.status], byStatus };
}
