"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { humanDuration, type ContainerState } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { shortId } from "@/lib/format";
import { ContainerActions, mayOperate, useCanOperateSomewhere } from "./container-actions";
import { mergedLogsHref } from "@/lib/log-buffer";
import { ContainerStatus } from "./container-status";
import { HostFilter } from "./host-filter";
import { RolloutProgress } from "./rollout-progress";
import { UpdateBadge } from "./update-badge";
import { UpdateDialog, type UpdateDialogTarget } from "./update-dialog";
import { Button, Card, ErrorNote, Input, RelativeTime, Select, Spinner, useNow } from "./ui";

const PAGE_SIZE = 50;
const STATES: { value: "all" | ContainerState; label: string }[] = [
  { value: "all", label: "All" },
  { value: "running", label: "Running" },
  { value: "exited", label: "Exited" },
  { value: "paused", label: "Paused" },
  { value: "created", label: "Created" },
  { value: "restarting", label: "Restarting" },
  { value: "dead", label: "Dead" },
];

/** `docker ps` across the fleet. Filters live in the URL, so a filtered view can be shared. */
export function ContainerList() {
  const trpc = useTRPC();
  const pathname = usePathname();
  const params = useSearchParams();
  const now = useNow();

  const state = (params.get("state") ?? "all") as "all" | ContainerState;
  const hostId = params.get("host") ?? "";
  const group = params.get("group") ?? "";
  const q = params.get("q") ?? "";
  const outdated = params.get("updates") === "available";
  const page = Math.max(0, Number(params.get("page") ?? 0) || 0);
  const [text, setText] = useState(q);
  const canOperate = useCanOperateSomewhere();
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [updating, setUpdating] = useState<UpdateDialogTarget[] | null>(null);
  const [rolloutId, setRolloutId] = useState<string | null>(null);

  // Read-modify-write of the URL as it is now, through the History API (synced into useSearchParams at
  // once), so a debounced text change and a click close together cannot undo each other.
  const setParam = (next: Record<string, string>) => {
    const p = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    if (!("page" in next)) p.delete("page");
    const search = p.toString();
    window.history.replaceState(null, "", search ? `?${search}` : pathname);
  };

  // The text filter follows typing with a short debounce; the server does the filtering.
  useEffect(() => {
    if (text === q) return;
    const t = setTimeout(() => setParam({ q: text }), 200);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const groups = useQuery(trpc.hosts.groups.queryOptions());
  const list = useQuery({
    ...trpc.containers.list.queryOptions({ state, hostId: hostId || undefined, group: group || undefined, q, outdated, offset: page * PAGE_SIZE, limit: PAGE_SIZE }),
    placeholderData: keepPreviousData,
  });
  const data = list.data;
  const hostStatus = new Map(hosts.data?.map((h) => [h.id, h.status]));
  const key = (c: { hostId: string; id: string }) => `${c.hostId}/${c.id}`;
  // The selection is what is on screen: rows that left the page (removed, filtered out) drop out of it.
  const selectedRows = data?.items.filter((c) => selected.has(key(c))) ?? [];
  // Only rows on hosts where the caller is operator can be selected (a group grant may cover some hosts only).
  const selectable = data?.items.filter((c) => mayOperate(c.access)) ?? [];
  const allSelected = selectable.length > 0 && selectedRows.length === selectable.length;
  const toggle = (k: string) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(k)) next.delete(k);
      else next.add(k);
      return next;
    });

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end justify-between gap-3">
        <h1 className="text-xl font-semibold">Containers</h1>
        <div className="flex flex-wrap items-center gap-2">
          <Input
            type="search"
            aria-label="Filter by name, image, id, command or host"
            placeholder="Filter by name, image, id, command…"
            value={text}
            onChange={(e) => setText(e.target.value)}
            className="w-72"
          />
          {canOperate && (
            <Link href="/run" className="rounded-md bg-sky-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-sky-800">
              Run container
            </Link>
          )}
          <HostFilter hosts={hosts.data} value={hostId} onChange={(host) => setParam({ host })} />
          {!!groups.data?.length && (
            <Select aria-label="Host group" value={group} onChange={(e) => setParam({ group: e.target.value })}>
              <option value="">All groups</option>
              {groups.data.map((g) => (
                <option key={g.name} value={g.name}>
                  {g.name}
                </option>
              ))}
            </Select>
          )}
        </div>
      </div>

      <div role="group" aria-label="State" className="flex flex-wrap gap-1">
        {STATES.map((s) => (
          <button
            key={s.value}
            type="button"
            aria-pressed={state === s.value}
            onClick={() => setParam({ state: s.value === "all" ? "" : s.value })}
            className="rounded-full px-3 py-1 text-sm text-slate-600 ring-1 ring-slate-200 hover:bg-slate-100 aria-pressed:bg-slate-800 aria-pressed:text-white aria-pressed:ring-slate-800"
          >
            {s.label}
            <span className="ml-1.5 text-xs opacity-70">{data?.byState[s.value] ?? 0}</span>
          </button>
        ))}
        <button
          type="button"
          aria-pressed={outdated}
          onClick={() => setParam({ updates: outdated ? "" : "available" })}
          className="rounded-full px-3 py-1 text-sm text-amber-900 ring-1 ring-amber-300 hover:bg-amber-50 aria-pressed:bg-amber-600 aria-pressed:text-white aria-pressed:ring-amber-600"
        >
          Update available
        </button>
      </div>

      {canOperate && selectedRows.length > 0 && (
        <Card>
          <div className="flex flex-wrap items-center gap-3 p-3">
            <span className="text-sm font-medium">{selectedRows.length} selected</span>
            <ContainerActions compact targets={selectedRows.map((c) => ({ hostId: c.hostId, id: c.id, name: c.name, state: c.state, hostName: c.hostName }))} />
            {selectedRows.some((c) => c.logs) && (
              <Link href={mergedLogsHref(selectedRows.filter((c) => c.logs))} className="rounded-md px-3 py-1.5 text-sm font-medium text-sky-800 ring-1 ring-sky-200 hover:bg-sky-50">
                Logs of {selectedRows.filter((c) => c.logs).length}
              </Link>
            )}
            <Button onClick={() => setUpdating(selectedRows.map((c) => ({ hostId: c.hostId, hostName: c.hostName, id: c.id, name: c.name })))}>Update {selectedRows.length}</Button>
          </div>
        </Card>
      )}
      {rolloutId && <RolloutProgress key={rolloutId} rolloutId={rolloutId} />}
      <UpdateDialog
        targets={updating}
        title={`Update ${updating?.length === 1 ? "1 container" : `${updating?.length ?? 0} containers`}?`}
        onClose={() => setUpdating(null)}
        onStarted={(id) => {
          setRolloutId(id);
          setSelected(new Set());
        }}
      />
      <ErrorNote error={list.error} />
      <Card>
        <div className="overflow-x-auto">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                {canOperate && (
                  <th className="w-8 py-2 pl-4">
                    <input
                      type="checkbox"
                      aria-label="Select all on this page"
                      checked={allSelected}
                      disabled={selectable.length === 0}
                      onChange={() => setSelected(allSelected ? new Set() : new Set(selectable.map(key)))}
                    />
                  </th>
                )}
                <th className="px-4 py-2 font-medium">Container ID</th>
                <th className="px-4 py-2 font-medium">Name</th>
                <th className="px-4 py-2 font-medium">Image</th>
                <th className="px-4 py-2 font-medium">Command</th>
                <th className="px-4 py-2 font-medium">Created</th>
                <th className="px-4 py-2 font-medium">Status</th>
                <th className="px-4 py-2 font-medium">Host</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {data?.items.map((c) => (
                <tr key={key(c)} data-testid="container-row" data-name={c.name} className={`hover:bg-slate-50 ${c.live ? "" : "opacity-60"}`}>
                  {canOperate && (
                    <td className="py-2 pl-4">
                      {mayOperate(c.access) && <input type="checkbox" aria-label={`Select ${c.name}`} checked={selected.has(key(c))} onChange={() => toggle(key(c))} />}
                    </td>
                  )}
                  <td className="px-4 py-2 font-mono text-xs">
                    <Link href={`/containers/${c.hostId}/${c.id}`} className="text-sky-700 hover:underline">
                      {shortId(c.id)}
                    </Link>
                  </td>
                  <td className="px-4 py-2 font-medium">
                    <Link href={`/containers/${c.hostId}/${c.id}`} className="hover:underline">
                      {c.name}
                    </Link>
                  </td>
                  <td className="max-w-64 px-4 py-2">
                    <span className="block truncate" title={c.image}>
                      {c.image}
                    </span>
                    <UpdateBadge update={c.update} now={now} />
                  </td>
                  <td className="max-w-56 truncate px-4 py-2 font-mono text-xs text-slate-600" title={c.command}>
                    &quot;{c.command.length > 20 ? `${c.command.slice(0, 19)}…` : c.command}&quot;
                  </td>
                  <td className="whitespace-nowrap px-4 py-2 text-slate-600">
                    <RelativeTime at={c.createdAt} now={now}>
                      {humanDuration(Math.max(0, now - c.createdAt))} ago
                    </RelativeTime>
                  </td>
                  <td className="px-4 py-2">
                    <ContainerStatus c={c} now={now} />
                    {!c.live && <span className="ml-2 text-xs text-slate-500">(last known: host {hostStatus.get(c.hostId)?.replace("_", " ") ?? "offline"})</span>}
                  </td>
                  <td className="whitespace-nowrap px-4 py-2">
                    <Link href={`/hosts/${c.hostId}`} className="text-slate-700 hover:underline">
                      {c.hostName}
                    </Link>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.isPending && (
          <div className="p-6">
            <Spinner label="Loading containers…" />
          </div>
        )}
        {data && data.total === 0 && (
          <p className="p-6 text-sm text-slate-500">
            {q || state !== "all" || hostId || outdated ? "No container matches these filters." : "No containers yet. Add a host, or run one on a host that is already here."}
          </p>
        )}
        {data && data.total > 0 && (
          <footer className="flex items-center justify-between border-t border-slate-200 px-4 py-2 text-sm text-slate-600">
            <span>
              {page * PAGE_SIZE + 1}–{Math.min((page + 1) * PAGE_SIZE, data.total)} of {data.total}
            </span>
            <span className="flex gap-2">
              <Button disabled={page === 0} onClick={() => setParam({ page: String(page - 1) })}>
                Previous
              </Button>
              <Button disabled={(page + 1) * PAGE_SIZE >= data.total} onClick={() => setParam({ page: String(page + 1) })}>
                Next
              </Button>
            </span>
          </footer>
        )}
      </Card>
    </div>
  );
}
