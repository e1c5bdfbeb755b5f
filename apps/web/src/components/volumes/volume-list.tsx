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
import { Button, Card, ErrorNote, RelativeTime, Spinner, useNow } from "../ui";
import { VolumeCreateDialog, VolumeInspectDialog, VolumePruneDialog, VolumeRemoveDialog } from "./volume-dialogs";

export type VolumeRow = inferRouterOutputs<AppRouter>["volumes"]["list"]["items"][number];
type Column = "name" | "host" | "driver" | "created" | "users";

/** Every host's volumes in one list, read live from the hosts and kept live by their engines' events. */
export function VolumeList() {
  const trpc = useTRPC();
  const now = useNow();
  // Whether any host takes a create or prune: one host asked for, not the fleet.
  const actionable = useQuery(trpc.hosts.search.queryOptions({ ...ACTIONABLE, limit: 1 }));
  const filter = useResourceFilter();
  const hostId = filter.values.hostId;
  const list = useQuery({ ...trpc.volumes.list.queryOptions(filter.input), placeholderData: keepPreviousData });
  const { sort, sortBy, sorted } = useSort<Column, VolumeRow>({ key: "name", dir: "asc" }, (v, key) =>
    key === "name" ? v.name : key === "host" ? v.hostName : key === "driver" ? v.driver : key === "created" ? (v.createdAt ?? 0) : v.containers.length,
  );
  const [inspecting, setInspecting] = useState<VolumeRow | null>(null);
  const [removing, setRemoving] = useState<VolumeRow | null>(null);
  const [creating, setCreating] = useState(false);
  const [pruning, setPruning] = useState(false);
  const mayChange = useCanOperateSomewhere();

  return (
    <div className="space-y-4">
      <ResourceTabs />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Volumes</h1>
        <ResourceToolbar
          noun="volume"
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
            <Spinner label="Reading the hosts' volumes…" />
          </div>
        ) : (
          <table className="table-cards w-full text-left text-sm" aria-label="Volumes">
            <thead className="border-b border-slate-200 text-xs text-slate-500">
              <tr>
                <SortHeader label="Name" column="name" sort={sort} onSort={sortBy} />
                <SortHeader label="Host" column="host" sort={sort} onSort={sortBy} />
                <SortHeader label="Driver" column="driver" sort={sort} onSort={sortBy} />
                <SortHeader label="Created" column="created" sort={sort} onSort={sortBy} />
                <SortHeader label="Used by" column="users" sort={sort} onSort={sortBy} />
                <th className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sorted(list.data?.items ?? []).map((v) => (
                <tr key={`${v.hostId}/${v.name}`} data-testid="volume-row">
                  <td data-card="title" className="min-w-0 px-4 py-2 font-medium break-all">
                    <button type="button" className="text-left text-sky-700 hover:underline" onClick={() => setInspecting(v)}>
                      {v.name}
                    </button>
                    {Object.keys(v.labels).length > 0 && <div className="text-xs font-normal text-slate-500">{Object.keys(v.labels).length} label{Object.keys(v.labels).length === 1 ? "" : "s"}</div>}
                  </td>
                  <td data-label="Host" className="px-4 py-2">
                    {v.hostName}
                  </td>
                  <td data-label="Driver" className="px-4 py-2">
                    {v.driver}
                  </td>
                  <td data-label="Created" className="px-4 py-2 whitespace-nowrap">
                    <RelativeTime at={v.createdAt} now={now} />
                  </td>
                  <td data-label="Used by" className="px-4 py-2">
                    <UsedBy hostId={v.hostId} containers={v.containers} />
                  </td>
                  <td data-card="end" className="px-4 py-2 text-right whitespace-nowrap">
                    {mayOperate(v.access) && (
                      <Button variant="ghost" className="py-0.5 text-xs text-red-700" onClick={() => setRemoving(v)} aria-label={`Remove ${v.name} on ${v.hostName}`}>
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
            {list.data.items.length} volume{list.data.items.length === 1 ? "" : "s"}
          </p>
        )}
      </Card>
      <VolumeInspectDialog volume={inspecting} onClose={() => setInspecting(null)} />
      <VolumeRemoveDialog volume={removing} onClose={() => setRemoving(null)} />
      {creating && <VolumeCreateDialog initialHostId={hostId} onClose={() => setCreating(false)} />}
      {pruning && <VolumePruneDialog initialHostId={hostId} onClose={() => setPruning(false)} />}
    </div>
  );
}
