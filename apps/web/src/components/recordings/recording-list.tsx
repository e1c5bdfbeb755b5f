"use client";

import Link from "next/link";
import { useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import { humanDuration } from "@stevedore/protocol";
import type { AppRouter } from "../../../server/trpc/root";
import { bytes, shortId } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { HostFilter } from "../host-filter";
import { Badge, Card, ErrorNote, Input, RelativeTime, Select, Spinner, useNow } from "../ui";

export type RecordingView = inferRouterOutputs<AppRouter>["recordings"]["list"]["items"][number];
type Sort = "started" | "duration" | "user" | "container" | "host";

const COLUMNS: { key: Sort; label: string }[] = [
  { key: "started", label: "When" },
  { key: "user", label: "Who" },
  { key: "container", label: "Container" },
  { key: "host", label: "Host" },
  { key: "duration", label: "Duration" },
];

export function recordingDuration(r: RecordingView, now: number): string {
  if (r.durationMs !== null) return humanDuration(r.durationMs);
  return r.endedAt ? "unknown" : `open for ${humanDuration(now - r.startedAt.getTime())}`;
}

/** The recording's state: playable, truncated, or why not. */
export function RecordingState({ r }: { r: RecordingView }) {
  if (!r.available) return <Badge tone="slate" title="deleted after the retention period, or kept by another replica">file gone</Badge>;
  if (r.error) return <Badge tone="red" title={r.error}>recording error</Badge>;
  if (r.truncated) return <Badge tone="amber" title="the recording stopped at the size cap; the session went on">truncated</Badge>;
  return null;
}

/**
 * Terminal recordings the user may play (admins: all; others: the sessions they opened), filterable
 * by words and host, sortable by each column; each links to its player.
 */
export function RecordingList() {
  const trpc = useTRPC();
  const now = useNow(10_000);
  const [q, setQ] = useState("");
  const [hostId, setHostId] = useState("");
  const [sort, setSort] = useState<{ key: Sort; dir: "asc" | "desc" }>({ key: "started", dir: "desc" });
  const list = useQuery({
    ...trpc.recordings.list.queryOptions({ q: q.trim() || undefined, hostId: hostId || undefined, sort: sort.key, dir: sort.dir }),
    placeholderData: keepPreviousData,
  });
  const items = list.data?.items ?? [];
  // A header sorts by its column (times and durations newest/longest first, words A to Z), again to reverse.
  const sortBy = (key: Sort) => setSort((s) => (s.key === key ? { key, dir: s.dir === "asc" ? "desc" : "asc" } : { key, dir: key === "started" || key === "duration" ? "desc" : "asc" }));

  return (
    <div className="space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Terminal recordings</h1>
        <p className="text-sm text-slate-600">Every recorded terminal session you may play: admins see all, everyone else the sessions they opened.</p>
      </div>
      <div className="flex flex-wrap items-end gap-2">
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
          Filter
          <Input type="search" value={q} onChange={(e) => setQ(e.target.value)} placeholder="Who, container, host, command…" className="w-64 max-w-full" />
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
          Host
          <HostFilter value={hostId} onChange={setHostId} />
        </label>
        <label className="flex flex-col gap-1 text-xs font-medium text-slate-600 md:hidden">
          Sort
          <Select value={`${sort.key}:${sort.dir}`} onChange={(e) => { const [key, dir] = e.target.value.split(":") as [Sort, "asc" | "desc"]; setSort({ key, dir }); }}>
            {COLUMNS.flatMap((c) => [
              <option key={`${c.key}:desc`} value={`${c.key}:desc`}>{c.label} ↓</option>,
              <option key={`${c.key}:asc`} value={`${c.key}:asc`}>{c.label} ↑</option>,
            ])}
          </Select>
        </label>
      </div>
      <ErrorNote error={list.error} />
      <Card>
        <ul className="divide-y divide-slate-100 md:hidden" aria-label="Recordings">
          {items.map((r) => (
            <li key={r.sessionId} data-testid="recording-card" className="space-y-1 p-3 text-sm">
              <div className="flex items-baseline justify-between gap-3">
                <Link href={`/recordings/${r.sessionId}`} className="font-medium text-sky-700 hover:underline">
                  {r.containerName ?? shortId(r.containerId ?? "")}
                </Link>
                <span className="text-xs text-slate-600"><RelativeTime at={r.startedAt.getTime()} now={now} /></span>
              </div>
              <p className="break-words text-xs text-slate-600">
                {r.openedBy} · {r.hostName ?? r.hostId} · {recordingDuration(r, now)} · <span className="font-mono">{r.mode} {r.command}</span>
              </p>
              <RecordingState r={r} />
            </li>
          ))}
        </ul>
        <div className="hidden overflow-x-auto md:block">
          <table className="w-full text-left text-sm">
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                {COLUMNS.map((c) => (
                  <th key={c.key} className="px-3 py-2 font-medium" aria-sort={sort.key === c.key ? (sort.dir === "asc" ? "ascending" : "descending") : "none"}>
                    <button type="button" onClick={() => sortBy(c.key)} className="inline-flex items-center gap-1 uppercase hover:text-slate-900">
                      {c.label}
                      <span aria-hidden>{sort.key === c.key ? (sort.dir === "asc" ? "↑" : "↓") : ""}</span>
                    </button>
                  </th>
                ))}
                <th className="px-3 py-2 font-medium">Session</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {items.map((r) => (
                <tr key={r.sessionId} data-testid="recording-row" className="align-top hover:bg-slate-50">
                  <td className="whitespace-nowrap px-3 py-2"><RelativeTime at={r.startedAt.getTime()} now={now} /></td>
                  <td className="break-words px-3 py-2">{r.openedBy}</td>
                  <td className="px-3 py-2">
                    <Link href={`/recordings/${r.sessionId}`} className="font-medium text-sky-700 hover:underline">
                      {r.containerName ?? shortId(r.containerId ?? "")}
                    </Link>
                  </td>
                  <td className="px-3 py-2">{r.hostId ? <Link href={`/hosts/${r.hostId}`} className="hover:underline">{r.hostName ?? r.hostId}</Link> : "—"}</td>
                  <td className="whitespace-nowrap px-3 py-2">
                    {recordingDuration(r, now)}
                    {r.bytes !== null && <span className="block text-xs text-slate-500">{bytes(r.bytes)}</span>}
                  </td>
                  <td className="px-3 py-2">
                    <span className="font-mono text-xs">{r.mode} {r.command}</span> <RecordingState r={r} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {list.isPending && (
          <div className="p-6">
            <Spinner label="Loading recordings…" />
          </div>
        )}
        {list.isSuccess && items.length === 0 && (
          <p className="p-6 text-sm text-slate-500">{q || hostId ? "No recording matches these filters." : "No terminal session has been recorded yet (or none you opened)."}</p>
        )}
        {list.data?.truncated && (
          <p className="border-t border-slate-200 px-4 py-2 text-xs text-amber-800">Only the newest 2,000 sessions are listed; older ones are in the audit trail (action terminal.exec or terminal.attach).</p>
        )}
      </Card>
    </div>
  );
}
