"use client";

import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { mayOperate, useCanOperateSomewhere } from "../container-actions";
import { ResourceToolbar, useResourceFilter } from "../resources/resource-filters";
import { ACTIONABLE, UsedBy } from "../resources/resource-parts";
import { ResourceTabs } from "../resources/resource-tabs";
import { SortHeader, useSort } from "../resources/sortable";
import { UnreadHosts } from "../resources/unread-hosts";
import { Badge, Button, Card, ErrorNote, RelativeTime, Spinner, useNow } from "../ui";
import { NetworkCreateDialog, NetworkInspectDialog, NetworkPruneDialog, NetworkRemoveDialog } from "./network-dialogs";

export type NetworkRow = inferRouterOutputs<AppRouter>["networks"]["list"]["items"][number];
type Column = "name" | "host" | "driver" | "subnet" | "created" | "users";

/** Every host's networks in one list, read live from the hosts and kept live by their engines' events. */
export function NetworkList() {
  const trpc = useTRPC();
  const now = useNow();
  // Whether any host takes a create or prune: one host asked for, not the fleet.
  const actionable = useQuery(trpc.hosts.search.queryOptions({ ...ACTIONABLE, limit: 1 }));
  const filter = useResourceFilter();
  const hostId = filter.values.hostId;
  const list = useQuery({ ...trpc.networks.list.queryOptions(filter.input), placeholderData: keepPreviousData });
  const { sort, sortBy, sorted } = useSort<Column, NetworkRow>({ key: "name", dir: "asc" }, (n, key) =>
    key === "name" ? n.name : key === "host" ? n.hostName : key === "driver" ? n.driver : key === "subnet" ? (n.ipam[0]?.subnet ?? "") : key === "created" ? (n.createdAt ?? 0) : n.containers.length,
  );
  const [inspecting, setInspecting] = useState<NetworkRow | null>(null);
  const [removing, setRemoving] = useState<NetworkRow | null>(null);
  const [creating, setCreating] = useState(false);
  const [pruning, setPruning] = useState(false);
  const mayChange = useCanOperateSomewhere();

  return (
    <div className="space-y-4">
      <ResourceTabs />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Networks</h1>
        <ResourceToolbar
          noun="network"
          filter={filter}
          drivers={list.data?.drivers}
          onPrune={mayChange ? () => setPruning(true) : null}
          onCreate={mayChange ? () => setCreating(true) : null}
          canCreate={(actionable.data?.total ?? 0) > 0}
        />
      </div>
      <UnreadHosts hosts={list.data?.unread} />
      <ErrorNote error={list.error} />
      <Card>
        {list.isPending ? (
          <div className="p-4">
            <Spinner label="Reading the hosts' networks…" />
          </div>
        ) : (
          <table className="table-cards w-full text-left text-sm" aria-label="Networks">
            <thead className="border-b border-slate-200 text-xs text-slate-500">
              <tr>
                <SortHeader label="Name" column="name" sort={sort} onSort={sortBy} />
                <SortHeader label="Host" column="host" sort={sort} onSort={sortBy} />
                <SortHeader label="Driver" column="driver" sort={sort} onSort={sortBy} />
                <SortHeader label="Subnet" column="subnet" sort={sort} onSort={sortBy} />
                <SortHeader label="Created" column="created" sort={sort} onSort={sortBy} />
                <SortHeader label="Used by" column="users" sort={sort} onSort={sortBy} />
                <th className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sorted(list.data?.items ?? []).map((n) => (
                <tr key={`${n.hostId}/${n.id}`} data-testid="network-row">
                  <td data-card="title" className="min-w-0 px-4 py-2 font-medium break-all">
                    <button type="button" className="text-left text-sky-700 hover:underline" onClick={() => setInspecting(n)}>
                      {n.name}
                    </button>
                    <span className="ml-2 inline-flex gap-1">
                      {n.builtIn && <Badge>built in</Badge>}
                      {n.internal && <Badge tone="amber">internal</Badge>}
                    </span>
                  </td>
                  <td data-label="Host" className="px-4 py-2">
                    {n.hostName}
                  </td>
                  <td data-label="Driver" className="px-4 py-2">
                    {n.driver}
                  </td>
                  <td data-label="Subnet" className="px-4 py-2 font-mono text-xs">
                    {n.ipam.map((i) => i.subnet).join(", ") || "—"}
                  </td>
                  <td data-label="Created" className="px-4 py-2 whitespace-nowrap">
                    <RelativeTime at={n.createdAt} now={now} />
                  </td>
                  <td data-label="Used by" className="px-4 py-2">
                    <UsedBy hostId={n.hostId} containers={n.containers} />
                  </td>
                  <td data-card="end" className="px-4 py-2 text-right whitespace-nowrap">
                    {mayOperate(n.access) && !n.builtIn && (
                      <Button variant="ghost" className="py-0.5 text-xs text-red-700" onClick={() => setRemoving(n)} aria-label={`Remove ${n.name} on ${n.hostName}`}>
                        Remove
                      </Button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {list.data && (
          <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
            {list.data.items.length} network{list.data.items.length === 1 ? "" : "s"}
          </p>
        )}
      </Card>
      <NetworkInspectDialog network={inspecting} onClose={() => setInspecting(null)} />
      <NetworkRemoveDialog network={removing} onClose={() => setRemoving(null)} />
      {creating && <NetworkCreateDialog initialHostId={hostId} onClose={() => setCreating(false)} />}
      {pruning && <NetworkPruneDialog initialHostId={hostId} onClose={() => setPruning(false)} />}
    </div>
  );
}
