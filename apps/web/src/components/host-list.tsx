"use client";

import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { keepPreviousData, useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { bytes, exactTime } from "@/lib/format";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { AddHostDialog } from "./add-host-dialog";
import { GroupBadges, HostGroupsDialog } from "./group-picker";
import { DEFAULT_HOST_PAGE_SIZE, HOST_PAGE_SIZES, readHostView, writeView, type HostSortKey, type HostStatusFilter } from "./host-list-url";
import { HostStatusBadge } from "./host-status-badge";
import { TopConsumers } from "./top-consumers";
import { Badge, Button, Card, ConfirmDialog, ErrorNote, Input, RelativeTime, Select, Spinner, toast, useNow } from "./ui";

type HostView = inferRouterOutputs<AppRouter>["hosts"]["search"]["items"][number];

const STATUS_CHOICES: { value: HostStatusFilter; label: string }[] = [
  { value: "all", label: "All" },
  { value: "online", label: "Online" },
  { value: "engine_down", label: "Engine down" },
  { value: "offline", label: "Offline" },
];
const SORT_CHOICES: { value: HostSortKey; label: string }[] = [
  { value: "name", label: "Name" },
  { value: "status", label: "Status" },
  { value: "containers", label: "Containers" },
  { value: "seen", label: "Last seen" },
];

/**
 * The fleet's hosts as cards over the server's search, counts, sort and paging (hosts.search): the
 * browser holds one page, and a host change re-reads that page only. The view lives in the URL.
 */
export function HostList() {
  const trpc = useTRPC();
  const pathname = usePathname();
  const view = readHostView(useSearchParams());
  const me = useQuery(trpc.me.get.queryOptions());
  // The filter drives the query keystroke by keystroke and the URL follows at once, as on the containers page.
  const [text, setText] = useState(view.q);
  const q = text.trim();
  const setParam = (next: Record<string, string>) => writeView(pathname, next);
  useEffect(() => {
    if (q !== view.q) setParam({ q });
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [q]);
  const hosts = useQuery({
    ...trpc.hosts.search.queryOptions({ q, status: view.status, group: view.group || undefined, sort: view.sort, dir: view.dir, offset: view.page * view.size, limit: view.size }),
    placeholderData: keepPreviousData,
  });
  const groups = useQuery(trpc.hosts.groups.queryOptions());
  const totals = useQuery({ ...trpc.stats.hosts.queryOptions(), refetchInterval: 5_000 });
  const [adding, setAdding] = useState(false);
  const [showRevoked, setShowRevoked] = useState(false);
  const now = useNow();
  const isAdmin = me.data?.role === "admin";
  const data = hosts.data;
  const firstShown = view.page * view.size + 1;
  const filtered = !!q || view.status !== "all" || !!view.group;
  const sortBy = (key: HostSortKey) =>
    setParam(key === view.sort ? { sort: key, dir: view.dir === "asc" ? "desc" : "asc" } : { sort: key === "name" ? "" : key, dir: "" });

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Hosts</h1>
        <div className="flex flex-wrap items-center gap-2">
          <Input type="search" aria-label="Filter hosts" placeholder="Filter by name, address, group or OS…" value={text} onChange={(e) => setText(e.target.value)} className="w-full sm:w-64" />
          {!!groups.data?.length && (
            <Select aria-label="Host group" value={view.group} onChange={(e) => setParam({ group: e.target.value })}>
              <option value="">All groups</option>
              {groups.data.map((g) => (
                <option key={g.name} value={g.name}>
                  {g.name}
                </option>
              ))}
            </Select>
          )}
          {isAdmin && (
            <Button aria-pressed={showRevoked} onClick={() => setShowRevoked((v) => !v)}>
              {showRevoked ? "Hide revoked hosts" : "Show revoked hosts"}
            </Button>
          )}
          {isAdmin && (
            <Button variant="primary" onClick={() => setAdding(true)}>
              Add host
            </Button>
          )}
        </div>
      </div>
      <TopConsumers />
      <div className="flex flex-wrap items-center justify-between gap-2">
        <div role="group" aria-label="Status" className="flex flex-wrap gap-1">
          {STATUS_CHOICES.map((s) => (
            <button
              key={s.value}
              type="button"
              aria-pressed={view.status === s.value}
              onClick={() => setParam({ status: s.value === "all" ? "" : s.value })}
              className="rounded-full px-3 py-1 text-sm text-slate-600 ring-1 ring-slate-200 hover:bg-slate-100 aria-pressed:bg-slate-800 aria-pressed:text-white aria-pressed:ring-slate-800"
            >
              {s.label}
              <span className="ml-1.5 text-xs opacity-70" data-testid={`host-count-${s.value}`}>
                {(data?.byStatus[s.value] ?? 0).toLocaleString()}
              </span>
            </button>
          ))}
        </div>
        <div className="flex flex-wrap items-center gap-2 text-sm">
          <div role="group" aria-label="Sort by" className="flex flex-wrap items-center gap-1">
            <span className="text-slate-600">Sort</span>
            {SORT_CHOICES.map((c) => (
              <button
                key={c.value}
                type="button"
                aria-pressed={view.sort === c.value}
                aria-label={`Sort by ${c.label.toLowerCase()}${view.sort === c.value ? (view.dir === "asc" ? ", ascending" : ", descending") : ""}`}
                onClick={() => sortBy(c.value)}
                className="inline-flex items-center gap-1 rounded-md px-2 py-1 text-slate-700 ring-1 ring-slate-200 hover:bg-slate-100 aria-pressed:bg-sky-50 aria-pressed:text-sky-900 aria-pressed:ring-sky-300"
              >
                {c.label}
                <span aria-hidden className={view.sort === c.value ? "" : "opacity-30"}>
                  {view.sort === c.value ? (view.dir === "asc" ? "▲" : "▼") : "↕"}
                </span>
              </button>
            ))}
          </div>
          <label className="flex items-center gap-1.5">
            <span>Per page</span>
            <Select value={view.size} onChange={(e) => setParam({ size: Number(e.target.value) === DEFAULT_HOST_PAGE_SIZE ? "" : e.target.value })} className="py-1">
              {HOST_PAGE_SIZES.map((n) => (
                <option key={n} value={n}>
                  {n}
                </option>
              ))}
            </Select>
          </label>
        </div>
      </div>
      <ErrorNote error={hosts.error} />
      {hosts.isPending && <Spinner label="Loading hosts…" />}
      {data?.total === 0 && (
        <Card>
          <p className="p-6 text-sm text-slate-600">
            {filtered ? "No host matches these filters." : `No hosts yet. ${isAdmin ? "Use “Add host” to enroll the first one." : "Ask an admin to add one."}`}
          </p>
        </Card>
      )}
      <div className="grid gap-3" aria-label="Hosts found" role="list" data-rows-for={data && !hosts.isPlaceholderData ? q : undefined}>
        {data?.items.map((h) => (
          <div role="listitem" key={h.id}>
            <HostCard host={h} now={now} isAdmin={isAdmin} totals={totals.data?.[h.id]} />
          </div>
        ))}
      </div>
      {data && data.total > 0 && (
        <footer className="flex flex-wrap items-center justify-between gap-2 text-sm text-slate-600">
          <span data-testid="page-range">
            {firstShown.toLocaleString()}–{Math.min((view.page + 1) * view.size, data.total).toLocaleString()} of {data.total.toLocaleString()}
          </span>
          <span className="flex gap-2">
            <Button disabled={view.page === 0} onClick={() => setParam({ page: String(view.page - 1) })}>
              Previous
            </Button>
            <Button disabled={(view.page + 1) * view.size >= data.total} onClick={() => setParam({ page: String(view.page + 1) })}>
              Next
            </Button>
          </span>
        </footer>
      )}
      {isAdmin && showRevoked && <RevokedHosts now={now} />}
      <AddHostDialog open={adding} onClose={() => setAdding(false)} />
    </div>
  );
}

function Fact({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="truncate text-sm" title={typeof children === "string" ? children : undefined}>
        {children ?? "—"}
      </dd>
    </div>
  );
}

type HostTotals = inferRouterOutputs<AppRouter>["stats"]["hosts"][string];

function HostCard({ host: h, now, isAdmin, totals }: { host: HostView; now: number; isAdmin: boolean; totals: HostTotals | undefined }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const revoke = useMutation(trpc.hosts.revoke.mutationOptions());
  const [editingGroups, setEditingGroups] = useState(false);
  const [revoking, setRevoking] = useState(false);
  return (
    <Card className="scroll-mt-4" >
      <div id={h.id} data-testid="host-card" data-host={h.name} className="space-y-3 p-4">
        <div className="flex flex-wrap items-center gap-3">
          <h2 className="text-base font-semibold">
            <Link href={`/hosts/${h.id}`} className="hover:underline">
              {h.name}
            </Link>
          </h2>
          <HostStatusBadge status={h.status} title={h.engineError ?? undefined} />
          {h.refusedProtocol && <Badge tone="red">{refusedVerdict(h.refusedProtocol).short}</Badge>}
          {h.limited && (
            <Badge tone="amber" title={h.limited.reason}>
              limited
            </Badge>
          )}
          {h.facts.insecureTransport && (
            <Badge tone="red" title="Its agent was installed with --insecure-http and reaches Stevedore over plain http: anyone on the network path can read its credential and send it commands (root on the host). Give Stevedore TLS and reinstall the agent without the flag.">
              insecure transport
            </Badge>
          )}
          <span className="text-sm text-slate-500">
            {h.status === "online" || h.status === "engine_down" ? "connected " : "last seen "}
            <RelativeTime at={h.status === "offline" ? h.lastSeenAt : h.connectedAt} now={now} />
          </span>
          <span className="ml-auto flex items-center gap-2">
            <Link href={`/containers?host=${h.id}`} className="text-sm text-sky-700 hover:underline">
              {h.containersRunning} running / {h.containersTotal} containers
            </Link>
            {isAdmin && (
              <Button variant="danger" disabled={revoke.isPending} onClick={() => setRevoking(true)}>
                Revoke…
              </Button>
            )}
          </span>
        </div>
        <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="host-groups">
          <GroupBadges groups={h.groups} />
          {isAdmin && (
            <Button variant="ghost" className="py-0.5 text-xs" onClick={() => setEditingGroups(true)} aria-label={`Edit groups of ${h.name}`}>
              Edit groups
            </Button>
          )}
          <span className="text-xs text-slate-500">you are {h.access} here</span>
        </div>
        <HostGroupsDialog key={String(editingGroups)} host={h} open={editingGroups} onClose={() => setEditingGroups(false)} />
        <ConfirmDialog
          open={revoking}
          onClose={() => setRevoking(false)}
          title={`Revoke ${h.name}?`}
          confirmLabel={`Revoke ${h.name}`}
          onConfirm={() => {
            setRevoking(false);
            // The promise: the card unmounts when the host leaves the list, and mutate's callbacks with it.
            revoke.mutateAsync({ hostId: h.id }).then(
              () => {
                toast({ tone: "ok", title: `Revoked ${h.name}`, details: ["Its agent was disconnected and will be refused. It is listed under “Show revoked hosts”."] });
                void queryClient.invalidateQueries({ queryKey: trpc.hosts.revoked.queryKey() });
              },
              (err: Error) => toast({ tone: "error", title: `Could not revoke ${h.name}`, details: [err.message] }),
            );
          }}
        >
          <p>Revoking {h.name}:</p>
          <ul className="list-disc space-y-1 pl-5">
            <li>disconnects its agent now and refuses its credential from then on (enrolling it again needs a new join token);</li>
            <li>
              removes it and its {h.containersTotal} container{h.containersTotal === 1 ? "" : "s"} from Stevedore&apos;s views. The containers keep running on
              the machine: Stevedore just no longer sees or manages them;
            </li>
            <li>keeps its audit trail; it stays listed under “Show revoked hosts”.</li>
          </ul>
        </ConfirmDialog>
        {h.refusedProtocol && <RefusedProtocolNote refused={h.refusedProtocol} now={now} />}
        {h.status === "engine_down" && h.engineError && <p className="text-sm text-amber-800">Engine unreachable: {h.engineError}</p>}
        {h.credentialAlert && (
          <p className="text-sm text-red-800" role="alert" data-testid="host-credential-alert">
            Someone presented this host&apos;s superseded credential <RelativeTime at={h.credentialAlert.at} now={now} />
            {h.credentialAlert.ip ? ` from ${h.credentialAlert.ip}` : ""}: a copy of an old credential exists. It was refused; revoke the host and
            enroll it again if you cannot explain it.
          </p>
        )}
        {h.limited && (
          <p className="text-sm text-amber-800" data-testid="host-limited">
            Held to its limits: its agent {h.limited.reason} (<RelativeTime at={h.limited.at} now={now} />)
          </p>
        )}
        {totals && (
          <p className="text-sm text-slate-700" data-testid="host-totals">
            Containers use {(totals.cpuPercent ?? 0).toFixed(1)}% CPU (of {(h.facts.cpus ?? 1) * 100}%), {bytes(totals.memoryBytes)} memory
            {h.facts.memoryBytes ? ` of ${bytes(h.facts.memoryBytes)}` : ""}, network {bytes(totals.netRxPerSec)}/s in · {bytes(totals.netTxPerSec)}/s out, {totals.pids} processes
          </p>
        )}
        <ErrorNote error={revoke.error} />
        <dl className="grid grid-cols-2 gap-x-6 gap-y-2 md:grid-cols-4">
          <Fact label="Engine">{h.engine ? `${h.engine.version} (API ${h.engine.apiVersion})` : undefined}</Fact>
          {/* The engine names the machine's OS even when the agent runs in a container. */}
          <Fact label="OS">{h.engine?.os || h.facts.os}</Fact>
          <Fact label="Kernel">{h.facts.kernel}</Fact>
          <Fact label="Arch">{h.facts.arch}</Fact>
          <Fact label="CPUs">{h.facts.cpus}</Fact>
          <Fact label="Memory">{h.facts.memoryBytes ? bytes(h.facts.memoryBytes) : undefined}</Fact>
          <Fact label="Storage">{h.engine ? `${h.engine.storageDriver} · ${h.engine.dockerRootDir}` : undefined}</Fact>
          <Fact label="Agent">{h.facts.agentVersion ? `${h.facts.agentVersion} (protocol ${h.facts.protocolVersion})` : undefined}</Fact>
        </dl>
      </div>
    </Card>
  );
}

type Refused = NonNullable<HostView["refusedProtocol"]>;

/** Which side must be upgraded: an agent below every supported version is too old, one above is too new. */
export function refusedVerdict(r: Refused): { short: string; advice: string } {
  return r.agent < Math.min(...r.supported)
    ? { short: "agent too old", advice: "agent too old: upgrade it" }
    : { short: "agent too new", advice: "agent too new: upgrade the control plane" };
}

function RefusedProtocolNote({ refused, now }: { refused: Refused; now: number }) {
  return (
    <p className="text-sm text-red-800" role="alert" data-testid="host-refused-protocol">
      Its agent was refused <RelativeTime at={refused.at} now={now} />, {refusedVerdict(refused).advice}. It speaks protocol {refused.agent}; this control plane
      speaks {refused.supported.join(", ")}.
    </p>
  );
}

/** Hosts an admin revoked: gone from the fleet, kept here with when and by whom. */
function RevokedHosts({ now }: { now: number }) {
  const trpc = useTRPC();
  const revoked = useQuery(trpc.hosts.revoked.queryOptions());
  return (
    <Card title="Revoked hosts">
      <ErrorNote error={revoked.error} />
      {revoked.isPending && (
        <p className="p-4">
          <Spinner label="Loading revoked hosts…" />
        </p>
      )}
      {revoked.data?.length === 0 && <p className="p-4 text-sm text-slate-600">No host has been revoked.</p>}
      {!!revoked.data?.length && (
        <ul className="divide-y divide-slate-100" aria-label="Revoked hosts">
          {revoked.data.map((h) => (
            <li key={h.id} data-testid="revoked-host" className="flex flex-wrap items-baseline gap-x-4 gap-y-1 px-4 py-2.5 text-sm">
              <span className="font-medium">{h.name}</span>
              <span className="text-slate-700">
                revoked <RelativeTime at={h.revokedAt.getTime()} now={now} /> ({exactTime(h.revokedAt.getTime())}) by {h.revokedBy ?? "an unknown admin (no audit entry)"}
              </span>
              <span className="text-slate-600">
                last seen <RelativeTime at={h.lastSeenAt?.getTime() ?? null} now={now} />
                {h.agentVersion ? ` · agent ${h.agentVersion}` : ""}
              </span>
              {h.requestId && (
                <Link href={`/audit?requestId=${encodeURIComponent(h.requestId)}`} className="text-sky-700 hover:underline sm:ml-auto">
                  audit entry
                </Link>
              )}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
