"use client";

import Link from "next/link";
import { useState } from "react";
import { useSearchParams } from "next/navigation";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { RULE_KIND_WORDS, SEVERITIES, type RuleKind } from "../../../server/alerts/alert-kinds";
import { HostFilter } from "../host-filter";
import { SortHeader, useSort } from "../resources/sortable";
import { Badge, Card, ErrorNote, Input, RelativeTime, Select, Spinner, useNow } from "../ui";
import { AlertActions } from "./alert-actions";
import { SEVERITY_RANK, SEVERITY_TONE, STATE_TONE, alertHref, alertState, type AlertRow } from "./alert-state";
import { AlertTabs } from "./alert-tabs";

const STATES = [
  { value: "open", label: "Open (firing, acknowledged, silenced)" },
  { value: "firing", label: "Firing" },
  { value: "acknowledged", label: "Acknowledged" },
  { value: "silenced", label: "Silenced" },
  { value: "resolved", label: "Resolved" },
  { value: "all", label: "All states" },
] as const;
type StateFilter = (typeof STATES)[number]["value"];
type Column = "state" | "severity" | "summary" | "host" | "count" | "last" | "first";
/** The newest this many of the chosen state and host are read; severity and text filter those. */
const LIMIT = 500;

const STATE_ORDER = { firing: 0, acknowledged: 1, silenced: 2, resolved: 3 } as const;

/** The alerts of the hosts the caller sees: filtered by state, severity, host and text, sortable, live. */
export function AlertList() {
  const trpc = useTRPC();
  const tick = useNow(10_000);
  const params = useSearchParams();
  const [state, setState] = useState<StateFilter>("open");
  const [hostId, setHostId] = useState(params.get("host") ?? "");
  const [severity, setSeverity] = useState("");
  const [text, setText] = useState("");
  const list = useQuery({ ...trpc.alerts.list.queryOptions({ state, hostId: hostId || undefined, limit: LIMIT }), placeholderData: keepPreviousData });
  // Ticking every 10 s (a long list), the clock is never behind the rows just read: no "in 1 second".
  const now = Math.max(tick, list.dataUpdatedAt);
  const { sort, sortBy, sorted } = useSort<Column, AlertRow>({ key: "last", dir: "desc" }, (a, key) =>
    key === "state"
      ? STATE_ORDER[alertState(a, now)]
      : key === "severity"
        ? (SEVERITY_RANK[a.severity] ?? 0)
        : key === "summary"
          ? a.summary
          : key === "host"
            ? `${a.hostName}/${a.subject ?? ""}`
            : key === "count"
              ? a.count
              : key === "first"
                ? a.firstAt.getTime()
                : a.lastAt.getTime(),
  );
  const needle = text.trim().toLowerCase();
  const rows = (list.data ?? []).filter(
    (a) => (!severity || a.severity === severity) && (!needle || [a.summary, a.ruleName, a.hostName, a.subject ?? "", a.kind].some((s) => s.toLowerCase().includes(needle))),
  );

  return (
    <div className="space-y-4">
      <AlertTabs />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Alerts</h1>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Input type="search" aria-label="Search alerts" placeholder="Text…" value={text} onChange={(e) => setText(e.target.value)} className="w-44" />
          <Select aria-label="State" value={state} onChange={(e) => setState(e.target.value as StateFilter)}>
            {STATES.map((s) => (
              <option key={s.value} value={s.value}>
                {s.label}
              </option>
            ))}
          </Select>
          <Select aria-label="Severity" value={severity} onChange={(e) => setSeverity(e.target.value)}>
            <option value="">Any severity</option>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </Select>
          <HostFilter value={hostId} onChange={setHostId} />
        </div>
      </div>
      <ErrorNote error={list.error} />
      <Card>
        {list.isPending ? (
          <div className="p-4">
            <Spinner label="Reading alerts…" />
          </div>
        ) : (
          <table className="table-cards w-full text-left text-sm" aria-label="Alerts">
            <thead className="border-b border-slate-200 text-xs text-slate-500">
              <tr>
                <SortHeader label="Alert" column="summary" sort={sort} onSort={sortBy} />
                <SortHeader label="State" column="state" sort={sort} onSort={sortBy} />
                <SortHeader label="Severity" column="severity" sort={sort} onSort={sortBy} />
                <SortHeader label="Where" column="host" sort={sort} onSort={sortBy} />
                <SortHeader label="Count" column="count" sort={sort} onSort={sortBy} />
                <SortHeader label="Last" column="last" sort={sort} onSort={sortBy} />
                <SortHeader label="First" column="first" sort={sort} onSort={sortBy} />
                <th className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sorted(rows).map((a) => {
                const st = alertState(a, now);
                return (
                  <tr key={a.id} data-testid="alert-row" data-state={st}>
                    <td data-card="title" className="min-w-0 px-4 py-2 font-medium break-words">
                      <Link href={alertHref(a.id)} className="text-sky-700 hover:underline">
                        {a.summary}
                      </Link>
                      <div className="text-xs font-normal text-slate-500">
                        {a.ruleName} · {RULE_KIND_WORDS[a.kind as RuleKind] ?? a.kind}
                      </div>
                    </td>
                    <td data-label="State" className="px-4 py-2">
                      <Badge tone={STATE_TONE[st]}>{st}</Badge>
                    </td>
                    <td data-label="Severity" className="px-4 py-2">
                      <Badge tone={SEVERITY_TONE[a.severity] ?? "slate"}>{a.severity}</Badge>
                    </td>
                    <td data-label="Where" className="px-4 py-2">
                      <span className="min-w-0 break-all">
                        {a.hostName}
                        {a.subject && <span className="text-slate-500"> / {a.subject}</span>}
                      </span>
                    </td>
                    <td data-label="Count" className="px-4 py-2 tabular-nums" title={a.count > 1 ? `happened ${a.count} times while open` : undefined}>
                      {a.count > 1 ? `×${a.count}` : "1"}
                    </td>
                    <td data-label="Last" className="px-4 py-2 whitespace-nowrap">
                      <RelativeTime at={a.lastAt.getTime()} now={now} />
                    </td>
                    <td data-label="First" className="px-4 py-2 whitespace-nowrap">
                      <RelativeTime at={a.firstAt.getTime()} now={now} />
                    </td>
                    <td data-card="end" className="px-4 py-2 text-right whitespace-nowrap">
                      <AlertActions alert={a} now={now} compact />
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
        {list.data && (
          <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
            {rows.length === 0 ? (state === "open" || state === "firing" ? "Nothing open: no alert is firing on the hosts you see." : "No alert matches.") : `${rows.length} alert${rows.length === 1 ? "" : "s"}`}
            {list.data.length === LIMIT && ` (the newest ${LIMIT} of this state read)`}
          </p>
        )}
      </Card>
    </div>
  );
}
