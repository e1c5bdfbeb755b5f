"use client";

import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { bytes } from "@/lib/format";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { AddHostDialog } from "./add-host-dialog";
import { GroupBadges, HostGroupsDialog } from "./group-picker";
import { HostStatusBadge } from "./host-status-badge";
import { TopConsumers } from "./top-consumers";
import { Badge, Button, Card, ErrorNote, Input, RelativeTime, Spinner, useNow } from "./ui";

type HostView = inferRouterOutputs<AppRouter>["hosts"]["list"][number];

export function HostList() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const totals = useQuery({ ...trpc.stats.hosts.queryOptions(), refetchInterval: 5_000 });
  const [adding, setAdding] = useState(false);
  const [filter, setFilter] = useState("");
  const now = useNow();
  const isAdmin = me.data?.role === "admin";
  const f = filter.trim().toLowerCase();
  const shown = hosts.data?.filter((h) => !f || h.name.toLowerCase().includes(f) || (h.engine?.os || h.facts.os || "").toLowerCase().includes(f) || h.status.includes(f) || h.groups.some((g) => g.includes(f)));

  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">Hosts</h1>
        <div className="flex items-center gap-2">
          <Input type="search" aria-label="Filter hosts" placeholder="Filter by name, group, OS or status…" value={filter} onChange={(e) => setFilter(e.target.value)} className="w-64" />
          {isAdmin && (
            <Button variant="primary" onClick={() => setAdding(true)}>
              Add host
            </Button>
          )}
        </div>
      </div>
      <ErrorNote error={hosts.error} />
      {hosts.isPending && <Spinner label="Loading hosts…" />}
      <TopConsumers />
      {hosts.data?.length === 0 && (
        <Card>
          <p className="p-6 text-sm text-slate-600">No hosts yet. {isAdmin ? "Use “Add host” to enroll the first one." : "Ask an admin to add one."}</p>
        </Card>
      )}
      <div className="grid gap-3">
        {shown?.map((h) => <HostCard key={h.id} host={h} now={now} isAdmin={isAdmin} totals={totals.data?.[h.id]} />)}
      </div>
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
  const revoke = useMutation(trpc.hosts.revoke.mutationOptions());
  const [editingGroups, setEditingGroups] = useState(false);
  return (
    <Card className="scroll-mt-4" >
      <div id={h.id} data-testid="host-card" data-host={h.name} className="space-y-3 p-4">
        <div className="flex flex-wrap items-center gap-3">
          <h2 className="text-base font-semibold">{h.name}</h2>
          <HostStatusBadge status={h.status} title={h.engineError ?? undefined} />
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
              <Button
                variant="danger"
                disabled={revoke.isPending}
                onClick={() => {
                  if (confirm(`Revoke ${h.name}? Its agent is disconnected now and refused from then on.`)) revoke.mutate({ hostId: h.id });
                }}
              >
                Revoke
              </Button>
            )}
          </span>
        </div>
        <div className="flex flex-wrap items-center gap-2 text-sm" data-testid="host-groups">
          <GroupBadges groups={h.groups} />
          {isAdmin && (
            <Button variant="ghost" className="py-0.5 text-xs" onClick={() => setEditingGroups(true)} aria-label={`Edit the groups of ${h.name}`}>
              Edit groups
            </Button>
          )}
          <span className="text-xs text-slate-500">you are {h.access} here</span>
        </div>
        <HostGroupsDialog key={String(editingGroups)} host={h} open={editingGroups} onClose={() => setEditingGroups(false)} />
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
