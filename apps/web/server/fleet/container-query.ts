import { z } from "zod";
import { ContainerState } from "@stevedore/protocol";
import type { ContainerRow } from "./types";
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

function matchesText(c: ContainerRow, q: string): boolean {
  if (!q) return true;
  return (
    c.id.startsWith(q) ||
    c.name.toLowerCase().includes(q) ||
    c.image.toLowerCase().includes(q) ||
    c.command.toLowerCase().includes(q) ||
    c.hostName.toLowerCase().includes(q)
  );
}

const compare: Record<z.infer<typeof ContainerListInput>["sort"], (a: ContainerRow, b: ContainerRow) => number> = {
  created: (a, b) => a.createdAt - b.createdAt,
  name: (a, b) => a.name.localeCompare(b.name),
  image: (a, b) => a.image.localeCompare(b.image),
  state: (a, b) => a.state.localeCompare(b.state),
  host: (a, b) => a.hostName.localeCompare(b.hostName),
};

/** Filtering, sorting and paging happen here, on the server: a browser only ever receives one page. */
export function listContainers(fleet: FleetState, raw: ContainerListInput): ContainerListResult {
  const input = ContainerListInput.parse(raw);
  const q = input.q.toLowerCase();
  const byState: ContainerListResult["byState"] = { all: 0, created: 0, running: 0, paused: 0, restarting: 0, removing: 0, exited: 0, dead: 0 };
  const matched: ContainerRow[] = [];
  for (const c of fleet.containers(input.hostId)) {
    if (input.group && !fleet.hostGroups(c.hostId).includes(input.group)) continue;
    if (!matchesText(c, q)) continue;
    byState.all++;
    byState[c.state]++;
    if (input.state === "all" || c.state === input.state) matched.push(c);
  }
  const sign = input.dir === "asc" ? 1 : -1;
  const cmp = compare[input.sort];
  matched.sort((a, b) => sign * cmp(a, b) || a.id.localeCompare(b.id));
  return { items: matched.slice(input.offset, input.offset + input.limit), total: matched.length, byState };
}
