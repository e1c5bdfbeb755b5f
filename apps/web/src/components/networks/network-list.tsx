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
import { NetworkCreateDialog, NetworkInspectDialog, NetworkPruneDialog, NetworkRemoveDialog } from "./network-dialogs";

export type NetworkRow = inferRouterOutputs<AppRouter>["networks"]["list"]["items"][number];
type Column = "name" | "host" | "driver" | "subnet" | "created" | "users";

/** Every host's networks in one list, read live from the hosts and kept live by their engines' events. */
export function NetworkList() {
  const trpc = useTRPC();
  const now = useNow();
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const [name, setName] = useState("");
  const [hostId, setHostId] = useState("");
  const [driver, setDriver] = useState("");
  const [use, setUse] = useState<"all" | "used" | "unused">("all");
  const list = useQuery({ ...trpc.networks.list.queryOptions({ name: name || undefined, hostId: hostId || undefined, driver: driver || undefined, use }), placeholderData: keepPreviousData });
  const { sort, sortBy, sorted } = useSort<Column, NetworkRow>({ key: "name", dir: "asc" }, (n, key) =>
    key === "name" ? n.name : key === "host" ? n.hostName : key === "driver" ? n.driver : key === "subnet" ? (n.ipam[0]?.subnet ?? "") : key === "created" ? (n.createdAt ?? 0) : n.containers.length,
  );
  const [inspecting, setInspecting] = useState<NetworkRow | null>(null);
  const [removing, setRemoving] = useState<NetworkRow | null>(null);
  const [creating, setCreating] = useState(false);
  const [pruning, setPruning] = useState(false);
  const mayChange = useCanOperateSomewhere();
  const operable = (hosts.data ?? []).filter((h) => mayOperate(h.access) && h.status === "online");

  return (
    <div className="space-y-4">
      <ResourceTabs />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Networks</h1>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Input type="search" aria-label="Search networks" placeholder="Name…" value={name} onChange={(e) => setName(e.target.value)} className="w-48" />
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
                Create network
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
                    {n.containers.length > 0 ? (
                      <span className="flex flex-wrap gap-1">
                        {n.containers.slice(0, 3).map((c) => (
                          <Link key={c.id} href={`/containers/${n.hostId}/${c.id}`} className="text-sky-700 hover:underline">
                            {c.name}
                          </Link>
                        ))}
                        {n.containers.length > 3 && <span className="text-slate-500">+{n.containers.length - 3}</span>}
                      </span>
                    ) : (
                      <Badge>unused</Badge>
                    )}
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
      {creating && <NetworkCreateDialog hosts={operable} initialHostId={hostId} onClose={() => setCreating(false)} />}
      {pruning && <NetworkPruneDialog hosts={operable} initialHostId={hostId} onClose={() => setPruning(false)} />}
    </div>
  );
}
