"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { bytes } from "@/lib/format";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";
import { Gauge } from "../gauge";
import { GroupBadges } from "../group-picker";
import { refusedVerdict } from "../host-list";
import { HostStatusBadge } from "../host-status-badge";
import { Tabs } from "../tabs";
import { OpenAlerts } from "../alerts/open-alerts";
import { BackLink, Badge, Card, ErrorNote, RelativeTime, Spinner, useNow } from "../ui";
import { HostStats } from "./host-stats";

type Host = RouterOutputs["hosts"]["get"];
type HostStatsData = RouterOutputs["stats"]["host"];

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="grid gap-1 px-4 py-2 sm:grid-cols-[9rem_1fr] sm:gap-3">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words text-sm">{children ?? <span className="text-slate-500">not reported</span>}</dd>
    </div>
  );
}

/** One host: what it is, how loaded it is over the last 15 minutes, and where its containers and images are. */
export function HostDetail({ hostId }: { hostId: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  const now = useNow();
  const host = useQuery(trpc.hosts.get.queryOptions({ hostId }));
  const stats = useQuery({ ...trpc.stats.host.queryOptions({ hostId }), refetchInterval: (q) => Math.max(2_000, q.state.data?.intervalMs ?? 5_000) });
  const tab = params.get("tab") === "stats" ? "stats" : "overview";

  if (host.isPending) return <Spinner label="Loading host…" />;
  if (host.error) {
    return (
      <div className="space-y-3">
        <BackLink href="/hosts">Hosts</BackLink>
        <ErrorNote error={host.error} />
      </div>
    );
  }
  const h = host.data;
  return (
    <div className="space-y-4">
      <div>
        <BackLink href="/hosts">Hosts</BackLink>
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold">{h.name}</h1>
          <HostStatusBadge status={h.status} title={h.engineError ?? undefined} />
          {h.refusedProtocol && <Badge tone="red">{refusedVerdict(h.refusedProtocol).short}</Badge>}
          <span className="text-sm text-slate-500">
            {h.status === "offline" ? "last seen " : "connected "}
            <RelativeTime at={h.status === "offline" ? h.lastSeenAt : h.connectedAt} now={now} />
          </span>
        </div>
        <div className="mt-2 flex flex-wrap items-center gap-2 text-sm">
          <GroupBadges groups={h.groups} />
          <span className="text-xs text-slate-500">you are {h.access} here</span>
        </div>
        {h.engineError && <p className="mt-2 text-sm text-red-700">The engine does not answer: {h.engineError}</p>}
      </div>
      <OpenAlerts hostId={h.id} />
      <Tabs
        label="Host"
        value={tab}
        onChange={(next) => router.replace(`${pathname}?tab=${next}`, { scroll: false })}
        items={[
          { value: "overview", label: "Overview", content: () => <HostOverview h={h} stats={stats.data} /> },
          { value: "stats", label: "Stats", content: () => <HostStats h={h} stats={stats.data} error={stats.error} /> },
        ]}
      />
    </div>
  );
}

function HostOverview({ h, stats }: { h: Host; stats: HostStatsData | undefined }) {
  const latest = stats?.totals.at(-1);
  const disk = stats?.disk ?? null;
  const share = (used: number | null | undefined, capacity: number | undefined) => (latest && used != null && capacity ? Math.min(1, used / capacity) : null);
  return (
    <div className="grid items-start gap-4 lg:grid-cols-2">
      <Card title="Facts">
        <dl className="divide-y divide-slate-100" data-testid="host-facts">
          <Fact label="Engine">{h.engine ? `Docker ${h.engine.version} (API ${h.engine.apiVersion})` : undefined}</Fact>
          <Fact label="OS">{h.engine?.os || h.facts.os}</Fact>
          <Fact label="Kernel">{h.facts.kernel}</Fact>
          <Fact label="Architecture">{h.facts.arch}</Fact>
          <Fact label="CPUs">{h.facts.cpus}</Fact>
          <Fact label="Memory">{h.facts.memoryBytes ? bytes(h.facts.memoryBytes) : undefined}</Fact>
          <Fact label="Storage">{h.engine ? `${h.engine.storageDriver} in ${h.engine.dockerRootDir}` : undefined}</Fact>
          <Fact label="Agent">{h.facts.agentVersion ? `${h.facts.agentVersion}, protocol ${h.facts.protocolVersion}` : undefined}</Fact>
          <Fact label="Hostname">{h.facts.hostname}</Fact>
        </dl>
      </Card>
      <div className="space-y-4">
        <Card title="Load now">
          <dl className="grid grid-cols-1 gap-4 p-4 sm:grid-cols-3" data-testid="host-load">
            <div>
              <dt className="mb-1 text-xs text-slate-500">CPU</dt>
              <dd>
                <Gauge label="CPU" share={share(latest?.cpuPercent, (h.facts.cpus ?? 0) * 100)} />
              </dd>
            </div>
            <div>
              <dt className="mb-1 text-xs text-slate-500">Memory</dt>
              <dd>
                <Gauge label="Memory" share={share(latest?.memoryBytes, h.facts.memoryBytes)} detail={latest ? bytes(latest.memoryBytes) : undefined} />
              </dd>
            </div>
            <div>
              <dt className="mb-1 text-xs text-slate-500">Disk{disk ? ` (${disk.path})` : ""}</dt>
              <dd>
                <Gauge label="Disk" share={disk && disk.totalBytes > 0 ? (disk.totalBytes - disk.freeBytes) / disk.totalBytes : null} detail={disk ? `${bytes(disk.freeBytes)} free of ${bytes(disk.totalBytes)}` : undefined} />
              </dd>
            </div>
          </dl>
        </Card>
        <Card title="On this host">
          <ul className="divide-y divide-slate-100 text-sm">
            <li className="px-4 py-2">
              <Link href={`/containers?host=${h.id}`} className="text-sky-800 hover:underline">
                {h.containersRunning} running of {h.containersTotal} containers
              </Link>
            </li>
            <li className="px-4 py-2">
              <Link href={`/images?host=${h.id}`} className="text-sky-800 hover:underline">
                {h.images} {h.images === 1 ? "image" : "images"}
              </Link>
              {" · "}
              <Link href={`/images/${h.id}/tree`} className="text-sky-800 hover:underline">
                layer tree
              </Link>
            </li>
            <li className="px-4 py-2">
              <Link href={`/audit?hostId=${h.id}`} className="text-sky-800 hover:underline">
                Its audit trail
              </Link>
            </li>
          </ul>
        </Card>
      </div>
    </div>
  );
}
