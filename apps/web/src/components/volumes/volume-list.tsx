"use client";

import Link from "next/link";
import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { mayOperate, useCanOperateSomewhere } from "../container-actions";
import { HostFilter } from "../host-filter";
import { ResourceTabs } from "../resources/resource-tabs";
import { SortHeader, useSort } from "../resources/sortable";
import { UnreadHosts } from "../resources/unread-hosts";
import { Badge, Button, Card, ErrorNote, Input, RelativeTime, Select, Spinner, useNow } from "../ui";
import { VolumeCreateDialog, VolumeInspectDialog, VolumePruneDialog, VolumeRemoveDialog } from "./volume-dialogs";

export type VolumeRow = inferRouterOutputs<AppRouter>["volumes"]["list"]["items"][number];
type Column = "name" | "host" | "driver" | "created" | "users";

/** Every host's volumes in one list, read live from the hosts and kept live by their engines' events. */
export function VolumeList() {
  const trpc = useTRPC();
  const now = useNow();
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const [name, setName] = useState("");
  const [hostId, setHostId] = useState("");
  const [driver, setDriver] = useState("");
  const [use, setUse] = useState<"all" | "used" | "unused">("all");
  const list = useQuery({ ...trpc.volumes.list.queryOptions({ name: name || undefined, hostId: hostId || undefined, driver: driver || undefined, use }), placeholderData: keepPreviousData });
  const { sort, sortBy, sorted } = useSort<Column, VolumeRow>({ key: "name", dir: "asc" }, (v, key) =>
    key === "name" ? v.name : key === "host" ? v.hostName : key === "driver" ? v.driver : key === "created" ? (v.createdAt ?? 0) : v.containers.length,
  );
  const [inspecting, setInspecting] = useState<VolumeRow | null>(null);
  const [removing, setRemoving] = useState<VolumeRow | null>(null);
  const [creating, setCreating] = useState(false);
  const [pruning, setPruning] = useState(false);
  const mayChange = useCanOperateSomewhere();
  const operable = (hosts.data ?? []).filter((h) => mayOperate(h.access) && h.status === "online");

  return (
    <div className="space-y-4">
      <ResourceTabs />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Volumes</h1>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Input type="search" aria-label="Search volumes" placeholder="Name…" value={name} onChange={(e) => setName(e.target.value)} className="w-48" />
          <HostFilter hosts={hosts.data} value={hostId} onChange={setHostId} />
          <Select aria-label="Driver" value={driver} onChange={(e) => setDriver(e.target.value)}>
            <option value="">Any driver</option>
            {list.data?.drivers.map((d) => (
              <option key={d} value={d}>
                {d}
              </option>
            ))}
          </Select>
          <Select aria-label="In use" value={use} onChange={(e) => setUse(e.target.value as typeof use)}>
            <option value="all">In use or not</option>
            <option value="used">In use</option>
            <option value="unused">Unused</option>
          </Select>
          {mayChange && (
            <>
              <Button onClick={() => setPruning(true)} disabled={operable.length === 0}>
                Prune…
              </Button>
              <Button variant="primary" onClick={() => setCreating(true)} disabled={operable.length === 0}>
                Create volume
              </Button>
            </>
          )}
        </div>
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
                    {v.containers.length > 0 ? (
                      <span className="flex flex-wrap gap-1">
                        {v.containers.slice(0, 3).map((c) => (
                          <Link key={c.id} href={`/containers/${v.hostId}/${c.id}`} className="text-sky-700 hover:underline">
                            {c.name}
                          </Link>
                        ))}
                        {v.containers.length > 3 && <span className="text-slate-500">+{v.containers.length - 3}</span>}
                      </span>
                    ) : (
                      <Badge>unused</Badge>
                    )}
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
      {creating && <VolumeCreateDialog hosts={operable} initialHostId={hostId} onClose={() => setCreating(false)} />}
      {pruning && <VolumePruneDialog hosts={operable} initialHostId={hostId} onClose={() => setPruning(false)} />}
    </div>
  );
}
