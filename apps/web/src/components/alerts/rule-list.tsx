"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { RULE_KIND_WORDS } from "../../../server/alerts/alert-kinds";
import { usePickedHosts } from "../host-picker";
import { SortHeader, useSort } from "../resources/sortable";
import { Badge, Button, Card, ConfirmDialog, ErrorNote, Input, RelativeTime, Spinner, toast, useNow } from "../ui";
import { SEVERITY_RANK, SEVERITY_TONE } from "./alert-state";
import { AdminsOnly } from "./admins-only";
import { AlertTabs } from "./alert-tabs";
import { type Rule, RuleDialog } from "./rule-dialog";

type Column = "name" | "kind" | "severity" | "enabled" | "updated";

/** What a rule's scope covers, in a few words. */
function scopeWords(r: Rule, hostName: (id: string) => string): string {
  const parts = [
    r.scope.hostIds.length ? `hosts ${r.scope.hostIds.map(hostName).join(", ")}` : "",
    r.scope.groups.length ? `groups ${r.scope.groups.join(", ")}` : "",
    r.scope.name ? `name ${r.scope.name}` : "",
    r.scope.image ? `image ${r.scope.image}` : "",
    r.scope.label ? `label ${r.scope.label}` : "",
  ].filter(Boolean);
  return parts.length ? parts.join("; ") : "everything";
}

/** Alert rules (admins): list, add, edit, turn on and off, delete after asking. */
export function RuleList() {
  const trpc = useTRPC();
  const client = useQueryClient();
  const tick = useNow(10_000);
  const me = useQuery(trpc.me.get.queryOptions());
  const admin = me.data?.role === "admin";
  const rules = useQuery({ ...trpc.alerts.rules.queryOptions(), enabled: admin });
  const channels = useQuery({ ...trpc.alerts.channels.queryOptions(), enabled: admin });
  const now = Math.max(tick, rules.dataUpdatedAt);
  const [text, setText] = useState("");
  const [editing, setEditing] = useState<Rule | "new" | null>(null);
  const [removing, setRemoving] = useState<Rule | null>(null);
  const refresh = () => client.invalidateQueries({ queryKey: trpc.alerts.rules.queryKey() });
  const update = useMutation(trpc.alerts.updateRule.mutationOptions());
  const remove = useMutation(trpc.alerts.removeRule.mutationOptions());
  const { sort, sortBy, sorted } = useSort<Column, Rule>({ key: "name", dir: "asc" }, (r, key) =>
    key === "name" ? r.name : key === "kind" ? r.kind : key === "severity" ? (SEVERITY_RANK[r.severity] ?? 0) : key === "enabled" ? Number(r.enabled) : r.updatedAt.getTime(),
  );
  // Only the hosts the rules name, by id (never the whole fleet).
  const hosts = usePickedHosts((rules.data ?? []).flatMap((r) => r.scope.hostIds));
  const hostName = (id: string) => hosts.get(id)?.name ?? id;
  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name ?? "(removed channel)";
  const needle = text.trim().toLowerCase();
  const rows = (rules.data ?? []).filter((r) => !needle || [r.name, r.kind, RULE_KIND_WORDS[r.kind], scopeWords(r, hostName)].some((s) => s.toLowerCase().includes(needle)));

  if (me.data && !admin) return <AdminsOnly what="Alert rules" />;
  const toggle = (r: Rule) =>
    update.mutate(
      // A deleted channel's id would be refused: the rule keeps only the channels that exist.
      { id: r.id, rule: { ...r, enabled: !r.enabled, channelIds: r.channelIds.filter((id) => !channels.data || channels.data.some((c) => c.id === id)) } },
      {
        onSuccess: (saved) => {
          toast({ tone: "ok", title: `${saved.enabled ? "Enabled" : "Disabled"} rule ${saved.name}` });
          void refresh();
        },
        onError: (err) => toast({ tone: "error", title: `Could not change rule ${r.name}`, details: [err.message] }),
      },
    );

  return (
    <div className="space-y-4">
      <AlertTabs />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Alert rules</h1>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Input type="search" aria-label="Search rules" placeholder="Name, kind, scope…" value={text} onChange={(e) => setText(e.target.value)} className="w-48" />
          <Button variant="primary" onClick={() => setEditing("new")}>
            Add rule
          </Button>
        </div>
      </div>
      <ErrorNote error={rules.error} />
      <Card>
        {rules.isPending ? (
          <div className="p-4">
            <Spinner label="Reading rules…" />
          </div>
        ) : (
          <table className="table-cards w-full text-left text-sm" aria-label="Rules">
            <thead className="border-b border-slate-200 text-xs text-slate-500">
              <tr>
                <SortHeader label="Name" column="name" sort={sort} onSort={sortBy} />
                <SortHeader label="When" column="kind" sort={sort} onSort={sortBy} />
                <SortHeader label="Severity" column="severity" sort={sort} onSort={sortBy} />
                <th className="px-4 py-2 font-medium">Scope</th>
                <th className="px-4 py-2 font-medium">Sends to</th>
                <SortHeader label="Enabled" column="enabled" sort={sort} onSort={sortBy} />
                <SortHeader label="Changed" column="updated" sort={sort} onSort={sortBy} />
                <th className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sorted(rows).map((r) => (
                <tr key={r.id} data-testid="rule-row">
                  <td data-card="title" className="min-w-0 px-4 py-2 font-medium break-words">
                    {r.name}
                  </td>
                  <td data-label="When" className="px-4 py-2">
                    {RULE_KIND_WORDS[r.kind]}
                  </td>
                  <td data-label="Severity" className="px-4 py-2">
                    <Badge tone={SEVERITY_TONE[r.severity] ?? "slate"}>{r.severity}</Badge>
                  </td>
                  <td data-label="Scope" className="px-4 py-2 break-words">
                    {scopeWords(r, hostName)}
                  </td>
                  <td data-label="Sends to" className="px-4 py-2 break-words">
                    {r.channelIds.length ? r.channelIds.map(channelName).join(", ") : <span className="text-slate-500">no channel</span>}
                  </td>
                  <td data-label="Enabled" className="px-4 py-2">
                    <label className="inline-flex items-center gap-1.5">
                      <input type="checkbox" checked={r.enabled} disabled={update.isPending} onChange={() => toggle(r)} aria-label={`${r.name} enabled`} />
                      {r.enabled ? "on" : "off"}
                    </label>
                  </td>
                  <td data-label="Changed" className="px-4 py-2 whitespace-nowrap">
                    <RelativeTime at={r.updatedAt.getTime()} now={now} />
                  </td>
                  <td data-card="end" className="px-4 py-2 text-right whitespace-nowrap">
                    <Button variant="ghost" className="py-0.5 text-xs" onClick={() => setEditing(r)} aria-label={`Edit ${r.name}`}>
                      Edit
                    </Button>
                    <Button variant="ghost" className="py-0.5 text-xs text-red-700" onClick={() => setRemoving(r)} aria-label={`Delete ${r.name}`}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {rules.data && (
          <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
            {rules.data.length === 0 ? "No rules yet: nothing raises an alert until one is added." : `${rows.length} rule${rows.length === 1 ? "" : "s"}`}
          </p>
        )}
      </Card>
      {editing && <RuleDialog rule={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={removing ? `Delete rule ${removing.name}?` : "Delete rule?"}
        confirmLabel="Delete rule"
        onConfirm={() => {
          const r = removing;
          if (!r) return;
          remove.mutate(
            { id: r.id },
            {
              onSuccess: () => {
                toast({ tone: "ok", title: `Deleted rule ${r.name}` });
                void refresh();
                setRemoving(null);
              },
              onError: (err) => toast({ tone: "error", title: `Could not delete rule ${r.name}`, details: [err.message] }),
            },
          );
        }}
      >
        <p>
          The rule <span className="font-medium">{removing?.name}</span> stops raising alerts. Alerts it already raised stay in the list with their delivery logs.
        </p>
      </ConfirmDialog>
    </div>
  );
}
