"use client";

import Link from "next/link";
import { useState } from "react";
import { keepPreviousData, useInfiniteQuery, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { AuditFilterBar, AuditFilterChips, useAuditFilters } from "./audit-filters";
import { AuditCard, AuditRow } from "./audit-row";
import { AuditVerify } from "./audit-verify";
import { Button, Card, ErrorNote, Spinner, useNow } from "./ui";

const PAGE_SIZE = 50;

const exportLink =
  "inline-flex items-center rounded-md bg-white px-3 py-1.5 text-sm font-medium text-slate-800 ring-1 ring-slate-300 hover:bg-slate-100";

/** Who did what, where, and how it ended: the audit trail, filtered on the server, newest first. */
export function AuditList() {
  const trpc = useTRPC();
  const now = useNow();
  const { filters, input, queryString, active, set, clear } = useAuditFilters();
  const me = useQuery(trpc.me.get.queryOptions());
  const [openKeys, setOpenKeys] = useState<ReadonlySet<string>>(new Set());

  // One row per request (its entries ending with the outcome) or per run of a target's observed events.
  const list = useInfiniteQuery(
    trpc.audit.groups.infiniteQueryOptions(
      { ...input, limit: PAGE_SIZE },
      { getNextPageParam: (last) => last.nextCursor ?? undefined, placeholderData: keepPreviousData },
    ),
  );
  const rows = list.data?.pages.flatMap((p) => p.rows) ?? [];
  const exportHref = (format: "csv" | "jsonl") => `/api/audit/export?format=${format}${queryString ? `&${queryString}` : ""}`;

  const toggle = (key: string) =>
    setOpenKeys((prev) => {
      const next = new Set(prev);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const rowProps = (g: (typeof rows)[number]) => ({
    group: g,
    now,
    open: openKeys.has(g.key),
    onToggle: () => toggle(g.key),
    onRequest: (requestId: string) => set({ requestId }),
    onActor: (actorId: string) => set({ actorId }),
  });

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Audit</h1>
        <div className="flex flex-wrap items-center gap-2">
          <Link href="/recordings" className={exportLink}>
            Terminal recordings
          </Link>
          {me.data?.role === "admin" && <AuditVerify />}
          <a href={exportHref("csv")} download className={exportLink} title="Download every entry that matches these filters">
            Export CSV
          </a>
          <a href={exportHref("jsonl")} download className={exportLink} title="Download every entry that matches these filters, one JSON object a line">
            Export JSON lines
          </a>
        </div>
      </div>

      <AuditFilterBar filters={filters} set={set} />
      <AuditFilterChips
        filters={filters}
        set={set}
        active={active}
        clear={clear}
        actorName={filters.actorId ? rows.flatMap((g) => g.entries).find((e) => e.actorId === filters.actorId)?.actorName : undefined}
      />

      <ErrorNote error={list.error} />
      <Card>
        {/* Narrow screens get cards, wide ones the table. */}
        <ul className={`divide-y divide-slate-100 md:hidden ${list.isPlaceholderData ? "opacity-60" : ""}`} aria-label="Audit trail" aria-busy={list.isFetching}>
          {rows.map((g) => (
            <AuditCard key={g.key} {...rowProps(g)} />
          ))}
        </ul>
        <div className="hidden overflow-x-auto md:block">
          <table className={`w-full min-w-[56rem] table-fixed text-left text-sm transition-opacity ${list.isPlaceholderData ? "opacity-60" : ""}`} aria-busy={list.isFetching}>
            <thead className="border-b border-slate-200 text-xs uppercase tracking-wide text-slate-500">
              <tr>
                <th className="w-10 py-2 pl-2">
                  <span className="sr-only">Details</span>
                </th>
                <th className="w-40 px-3 py-2 font-medium">Time</th>
                <th className="px-3 py-2 font-medium">Actor</th>
                <th className="w-44 px-3 py-2 font-medium">Action</th>
                <th className="w-64 px-3 py-2 font-medium">Outcome</th>
                <th className="w-28 px-3 py-2 font-medium">Host</th>
                <th className="px-3 py-2 font-medium">Target</th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {rows.map((g) => (
                <AuditRow key={g.key} {...rowProps(g)} />
              ))}
            </tbody>
          </table>
        </div>
        {list.isPending && (
          <div className="p-6">
            <Spinner label="Loading the audit trail…" />
          </div>
        )}
        {list.isSuccess && rows.length === 0 && !list.hasNextPage && (
          <p className="p-6 text-sm text-slate-500">
            {active ? "No audit entry matches these filters." : "Nothing audited yet. Every action taken through Stevedore (running or stopping a container, adding or revoking a host) appears here."}
          </p>
        )}
        {(rows.length > 0 || list.hasNextPage) && (
          <footer className="flex items-center justify-between gap-3 border-t border-slate-200 px-4 py-2 text-sm text-slate-600">
            <span>
              {rows.length.toLocaleString()} {rows.length === 1 ? "row" : "rows"} shown (one per request; repeated events on a host together)
              {list.hasNextPage ? ", newest first" : ": the whole matching trail"}
            </span>
            {list.hasNextPage && (
              <Button onClick={() => void list.fetchNextPage()} disabled={list.isFetchingNextPage}>
                {list.isFetchingNextPage ? "Loading…" : "Load more"}
              </Button>
            )}
          </footer>
        )}
      </Card>
    </div>
  );
}
