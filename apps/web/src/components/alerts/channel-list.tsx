"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { CHANNEL_KIND_WORDS } from "../../../server/alerts/channel-kinds";
import { SortHeader, useSort } from "../resources/sortable";
import { Badge, Button, Card, ConfirmDialog, ErrorNote, Input, RelativeTime, Spinner, toast, useNow } from "../ui";
import { AdminsOnly } from "./admins-only";
import { AlertTabs } from "./alert-tabs";
import { type Channel, ChannelDialog } from "./channel-dialog";

type Column = "name" | "kind" | "destination" | "updated";
const SECRET_WORDS = { url: "URL", hmacKey: "HMAC key", smtpPassword: "SMTP password", ntfyToken: "token" } as const;

/** Alert channels (admins): list, add, edit, send a test and see its real outcome, delete after asking. */
export function ChannelList() {
  const trpc = useTRPC();
  const client = useQueryClient();
  const tick = useNow(10_000);
  const me = useQuery(trpc.me.get.queryOptions());
  const admin = me.data?.role === "admin";
  const channels = useQuery({ ...trpc.alerts.channels.queryOptions(), enabled: admin });
  const rules = useQuery({ ...trpc.alerts.rules.queryOptions(), enabled: admin });
  const now = Math.max(tick, channels.dataUpdatedAt);
  const [text, setText] = useState("");
  const [editing, setEditing] = useState<Channel | "new" | null>(null);
  const [removing, setRemoving] = useState<Channel | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const remove = useMutation(trpc.alerts.removeChannel.mutationOptions());
  const test = useMutation(trpc.alerts.testChannel.mutationOptions());
  const { sort, sortBy, sorted } = useSort<Column, Channel>({ key: "name", dir: "asc" }, (c, key) =>
    key === "name" ? c.name : key === "kind" ? c.kind : key === "destination" ? (c.destination ?? "") : c.updatedAt.getTime(),
  );
  const needle = text.trim().toLowerCase();
  const rows = (channels.data ?? []).filter((c) => !needle || [c.name, c.kind, c.destination ?? ""].some((s) => s.toLowerCase().includes(needle)));
  const usedBy = (id: string) => (rules.data ?? []).filter((r) => r.channelIds.includes(id)).map((r) => r.name);

  if (me.data && !admin) return <AdminsOnly what="Alert channels" />;
  const sendTest = (c: Channel) => {
    setTesting(c.id);
    test.mutate(
      { id: c.id, channel: { name: c.name, kind: c.kind, settings: c.settings } },
      {
        onSuccess: (r) =>
          toast(
            r.ok
              ? { tone: "ok", title: `Test sent to ${c.name}`, details: [r.status ? `The receiver answered ${r.status}.` : "The mail server accepted it."] }
              : { tone: "error", title: `Test to ${c.name} failed${r.status ? ` (${r.status})` : ""}`, details: [r.error] },
          ),
        onError: (err) => toast({ tone: "error", title: `Test to ${c.name} failed`, details: [err.message] }),
        onSettled: () => setTesting(null),
      },
    );
  };

  return (
    <div className="space-y-4">
      <AlertTabs />
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Alert channels</h1>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <Input type="search" aria-label="Search channels" placeholder="Name, kind, destination…" value={text} onChange={(e) => setText(e.target.value)} className="w-48" />
          <Button variant="primary" onClick={() => setEditing("new")}>
            Add channel
          </Button>
        </div>
      </div>
      <ErrorNote error={channels.error} />
      <Card>
        {channels.isPending ? (
          <div className="p-4">
            <Spinner label="Reading channels…" />
          </div>
        ) : (
          <table className="table-cards w-full text-left text-sm" aria-label="Channels">
            <thead className="border-b border-slate-200 text-xs text-slate-500">
              <tr>
                <SortHeader label="Name" column="name" sort={sort} onSort={sortBy} />
                <SortHeader label="Kind" column="kind" sort={sort} onSort={sortBy} />
                <SortHeader label="Sends to" column="destination" sort={sort} onSort={sortBy} />
                <th className="px-4 py-2 font-medium">Secrets</th>
                <th className="px-4 py-2 font-medium">Used by</th>
                <SortHeader label="Changed" column="updated" sort={sort} onSort={sortBy} />
                <th className="px-4 py-2">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {sorted(rows).map((c) => (
                <tr key={c.id} data-testid="channel-row">
                  <td data-card="title" className="min-w-0 px-4 py-2 font-medium break-words">
                    {c.name}
                  </td>
                  <td data-label="Kind" className="px-4 py-2">
                    {CHANNEL_KIND_WORDS[c.kind]}
                  </td>
                  <td data-label="Sends to" className="px-4 py-2 font-mono text-xs break-all">
                    {c.destination ?? "—"}
                  </td>
                  <td data-label="Secrets" className="px-4 py-2">
                    <span className="inline-flex flex-wrap gap-1">
                      {Object.entries(c.secretsSet)
                        .filter(([, set]) => set)
                        .map(([k]) => (
                          <Badge key={k} tone="green">
                            {SECRET_WORDS[k as keyof typeof SECRET_WORDS]} set
                          </Badge>
                        ))}
                    </span>
                  </td>
                  <td data-label="Used by" className="px-4 py-2 break-words">
                    {usedBy(c.id).join(", ") || <span className="text-slate-500">no rule</span>}
                  </td>
                  <td data-label="Changed" className="px-4 py-2 whitespace-nowrap">
                    <RelativeTime at={c.updatedAt.getTime()} now={now} />
                  </td>
                  <td data-card="end" className="px-4 py-2 text-right whitespace-nowrap">
                    <Button variant="ghost" className="py-0.5 text-xs" disabled={testing === c.id} onClick={() => sendTest(c)} aria-label={`Send a test to ${c.name}`}>
                      {testing === c.id ? "Sending…" : "Send test"}
                    </Button>
                    <Button variant="ghost" className="py-0.5 text-xs" onClick={() => setEditing(c)} aria-label={`Edit ${c.name}`}>
                      Edit
                    </Button>
                    <Button variant="ghost" className="py-0.5 text-xs text-red-700" onClick={() => setRemoving(c)} aria-label={`Delete ${c.name}`}>
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        {channels.data && (
          <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-500">
            {channels.data.length === 0 ? "No channels yet: alerts are recorded but sent nowhere." : `${rows.length} channel${rows.length === 1 ? "" : "s"}`}
          </p>
        )}
      </Card>
      {editing && <ChannelDialog channel={editing === "new" ? null : editing} onClose={() => setEditing(null)} />}
      <ConfirmDialog
        open={removing !== null}
        onClose={() => setRemoving(null)}
        title={removing ? `Delete channel ${removing.name}?` : "Delete channel?"}
        confirmLabel="Delete channel"
        onConfirm={() => {
          const c = removing;
          if (!c) return;
          remove.mutate(
            { id: c.id },
            {
              onSuccess: () => {
                toast({ tone: "ok", title: `Deleted channel ${c.name}` });
                void client.invalidateQueries({ queryKey: trpc.alerts.channels.queryKey() });
                void client.invalidateQueries({ queryKey: trpc.alerts.rules.queryKey() });
                setRemoving(null);
              },
              onError: (err) => toast({ tone: "error", title: `Could not delete channel ${c.name}`, details: [err.message] }),
            },
          );
        }}
      >
        <p>
          The channel <span className="font-medium">{removing?.name}</span> and its stored secrets are deleted.
          {removing && usedBy(removing.id).length > 0 && <> The rules {usedBy(removing.id).join(", ")} send to it and will no longer.</>}
        </p>
      </ConfirmDialog>
    </div>
  );
}
