"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { bytes } from "@/lib/format";
import { useTRPC, type RouterOutputs } from "@/lib/trpc";
import { AuditActor, AuditOutcome, AuditTarget } from "../audit-row";
import { Gauge } from "../gauge";
import { HostStatusBadge } from "../host-status-badge";
import { Badge, Card, ErrorNote, RelativeTime, Spinner, useNow } from "../ui";

type Overview = RouterOutputs["overview"]["get"];
type Problem = Overview["problems"][number];
type Pressure = Overview["pressure"][number];

/** The home page: what is wrong first, then how full each host is, then what people did. */
export function FleetOverview() {
  const trpc = useTRPC();
  const now = useNow(5_000);
  // Containers and hosts come live through fleet.changes; resource figures move with the stats interval.
  const overview = useQuery({ ...trpc.overview.get.queryOptions(), refetchInterval: 10_000 });
  const activity = useQuery({ ...trpc.audit.list.queryOptions({ limit: 40 }), refetchInterval: 15_000 });

  if (overview.isPending) return <Spinner label="Loading the overview…" />;
  if (overview.error) return <ErrorNote error={overview.error} />;
  const o = overview.data;
  const down = o.hosts.offline + o.hosts.engine_down;
  const attention = o.containers.unhealthy + o.containers.restarting + o.containers.failed;
  // One line per action: its outcome, not the "requested" entry before it.
  const outcomes = activity.data?.items.filter((e) => e.phase !== "requested").slice(0, 8) ?? [];

  return (
    <div className="space-y-6">
      <h1 className="text-xl font-semibold">Overview</h1>
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4" data-testid="overview-tiles">
        <Tile label="Hosts online" href="/hosts" value={`${o.hosts.online} of ${o.hosts.total}`} tone={down ? "red" : "slate"} note={down ? `${down} unreachable or engine down` : "all reachable"} />
        <Tile label="Containers running" href="/containers?state=running" value={`${o.containers.running} of ${o.containers.total}`} note={`${o.containers.stopped} stopped · ${o.containers.paused} paused · ${o.containers.created} created`} />
        <Tile label="Need attention" href="#attention" value={String(attention)} tone={attention ? "red" : "slate"} note={attention ? `${o.containers.unhealthy} unhealthy · ${o.containers.restarting} restarting · ${o.containers.failed} failed` : "nothing broken"} />
        <Tile label="Updates available" href="/updates" value={String(o.outdated)} tone={o.outdated ? "amber" : "slate"} note={o.outdated ? "running containers behind their tag" : "every checked image is current"} />
      </div>

      <Card title={<span id="attention">Needs attention</span>} actions={o.problemsTotal > o.problems.length ? <span className="text-xs text-slate-600">newest {o.problems.length} of {o.problemsTotal}</span> : null}>
        {o.problems.length === 0 ? (
          <p className="px-4 py-3 text-sm text-slate-600">No container is unhealthy, restarting or exited with an error.</p>
        ) : (
          <ul className="divide-y divide-slate-100" data-testid="overview-problems">
            {o.problems.map((p) => (
              <ProblemRow key={`${p.hostId}/${p.id}`} p={p} now={now} />
            ))}
          </ul>
        )}
      </Card>

      <div className="grid items-start gap-6 lg:grid-cols-[3fr_2fr]">
        <Card className="min-w-0" title="Hosts" actions={<Link href="/hosts" className="text-sm text-sky-800 hover:underline">All hosts</Link>}>
          <div className="overflow-x-auto">
            <table className="w-full min-w-[34rem] text-left text-sm" data-testid="overview-hosts">
              <caption className="sr-only">Hosts, unreachable and most loaded first</caption>
              <thead className="border-b border-slate-200 text-xs text-slate-600">
                <tr>
                  <th className="px-4 py-2 font-medium">Host</th>
                  <th className="px-2 py-2 font-medium">Containers</th>
                  <th className="px-2 py-2 font-medium">CPU</th>
                  <th className="px-2 py-2 font-medium">Memory</th>
                  <th className="px-2 py-2 pr-4 font-medium">Disk</th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {o.pressure.map((h) => (
                  <HostRow key={h.id} h={h} />
                ))}
              </tbody>
            </table>
          </div>
          {o.hosts.total > o.pressure.length && <p className="border-t border-slate-100 px-4 py-2 text-xs text-slate-600">The {o.pressure.length} most loaded of {o.hosts.total} hosts.</p>}
          {o.hosts.total === 0 && <p className="px-4 py-3 text-sm text-slate-600">No hosts you can see yet.</p>}
        </Card>

        <Card className="min-w-0" title="Recent activity" actions={<Link href="/audit" className="text-sm text-sky-800 hover:underline">Audit trail</Link>}>
          <ErrorNote error={activity.error} />
          {activity.data && outcomes.length === 0 && <p className="px-4 py-3 text-sm text-slate-600">Nothing recorded yet.</p>}
          <ul className="divide-y divide-slate-100" data-testid="overview-activity">
            {outcomes.map((e) => (
              <li key={e.seq} className="space-y-1 px-4 py-2 text-sm">
                <div className="flex flex-wrap items-center gap-x-2 gap-y-1">
                  <span className="font-mono text-xs">{e.action}</span>
                  <AuditOutcome entry={e} />
                  <span className="ml-auto text-xs text-slate-600">
                    <RelativeTime at={e.at.getTime()} now={now} />
                  </span>
                </div>
                <div className="flex flex-wrap gap-x-2 text-xs text-slate-600">
                  {/* An observed entry's outcome already says it happened outside Stevedore. */}
                  {e.phase !== "observed" && <AuditActor entry={e} />}
                  <AuditTarget entry={e} />
                </div>
              </li>
            ))}
          </ul>
        </Card>
      </div>
    </div>
  );
}

const TILE_TONES = { slate: "text-slate-900", red: "text-red-700", amber: "text-amber-800" } as const;

function Tile({ label, value, note, href, tone = "slate" }: { label: string; value: string; note: string; href: string; tone?: keyof typeof TILE_TONES }) {
  return (
    <Link href={href} className="rounded-lg border border-slate-200 bg-white p-4 shadow-xs hover:border-sky-300" data-testid={`tile-${label}`}>
      <div className="text-xs font-medium text-slate-600">{label}</div>
      <div className={`mt-1 text-2xl font-semibold tabular-nums ${TILE_TONES[tone]}`}>{value}</div>
      <div className="mt-1 text-xs text-slate-600">{note}</div>
    </Link>
  );
}

const PROBLEM_TONE = { unhealthy: "red", restarting: "amber", "exited with an error": "red", dead: "red" } as const;

function ProblemRow({ p, now }: { p: Problem; now: number }) {
  const what = p.problem === "exited with an error" ? `exited (${p.exitCode})` : p.problem;
  return (
    <li className="flex flex-wrap items-center gap-x-3 gap-y-1 px-4 py-2 text-sm" data-testid="overview-problem">
      <Link href={`/containers/${p.hostId}/${p.id}`} className="font-medium text-sky-800 hover:underline">
        {p.name}
      </Link>
      <Badge tone={PROBLEM_TONE[p.problem]}>{what}</Badge>
      <span className="min-w-0 truncate text-xs text-slate-600">
        {p.image} on {p.hostName}
      </span>
      {p.since !== null && (
        <span className="ml-auto text-xs text-slate-600">
          <RelativeTime at={p.since} now={now} />
        </span>
      )}
    </li>
  );
}

function HostRow({ h }: { h: Pressure }) {
  return (
    <tr data-testid="overview-host" data-host={h.name}>
      <td className="px-4 py-2">
        <div className="flex flex-wrap items-center gap-2">
          <Link href={`/hosts/${h.id}`} className="font-medium text-sky-800 hover:underline">
            {h.name}
          </Link>
          {h.status !== "online" && <HostStatusBadge status={h.status} />}
        </div>
      </td>
      <td className="px-2 py-2 tabular-nums">
        {h.containersRunning} / {h.containersTotal}
      </td>
      <td className="px-2 py-2">
        <Gauge label="CPU" share={h.cpu} />
      </td>
      <td className="px-2 py-2">
        <Gauge label="Memory" share={h.memory} />
      </td>
      <td className="px-2 py-2 pr-4">
        <Gauge label="Disk" share={h.disk} detail={h.diskFreeBytes !== null ? `${bytes(h.diskFreeBytes)} free` : undefined} />
      </td>
    </tr>
  );
}
