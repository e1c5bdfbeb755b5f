"use client";

import Link from "next/link";
import { usePathname, useRouter, useSearchParams } from "next/navigation";
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { REQUEST_ID_LABEL, STARTED_BY_LABEL } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { shortId } from "@/lib/format";
import { ContainerOverview, type InspectSummary } from "./container/container-overview";
import { ContainerProcesses } from "./container/container-processes";
import { InspectTree } from "./container/inspect-tree";
import { ContainerActions, mayOperate } from "./container-actions";
import { ContainerRecreateActions } from "./container-recreate-actions";
import { ContainerStatus } from "./container-status";
import { ContainerDiff } from "./container-diff";
import { ContainerLogs } from "./container-logs";
import { ContainerStats } from "./container-stats";
import { ContainerTerminal } from "./container-terminal";
import { Tabs, type TabItem } from "./tabs";
import { OpenAlerts } from "./alerts/open-alerts";
import { BackLink, Card, ErrorNote, RelativeTime, Spinner, useNow } from "./ui";

const TABS = ["overview", "logs", "terminal", "stats", "processes", "changes", "inspect"] as const;
type Tab = (typeof TABS)[number];

export function ContainerDetail({ hostId, id }: { hostId: string; id: string }) {
  const trpc = useTRPC();
  const router = useRouter();
  const pathname = usePathname();
  const params = useSearchParams();
  // Set by the run form for an interactive run: attach as soon as the page is up.
  const autoAttach = params.get("terminal") === "attach";
  // The tab lives in the URL, so a link or a reload opens the same one.
  const asked = params.get("tab");
  const tab: Tab = TABS.includes(asked as Tab) ? (asked as Tab) : autoAttach ? "terminal" : "overview";
  const setTab = (next: string) => {
    const query = new URLSearchParams(params);
    query.set("tab", next);
    query.delete("terminal");
    router.replace(`${pathname}?${query}`, { scroll: false });
  };
  const now = useNow();
  const detail = useQuery(trpc.containers.get.queryOptions({ hostId, id }));

  if (detail.isPending) return <Spinner label="Loading container…" />;
  if (detail.error) {
    return (
      <div className="space-y-3">
        <BackLink href="/containers">Containers</BackLink>
        <ErrorNote error={detail.error} />
      </div>
    );
  }
  const { container: c, inspect } = detail.data;
  const startedBy = c.labels[STARTED_BY_LABEL];
  const requestId = c.labels[REQUEST_ID_LABEL];
  const i = (inspect ?? {}) as InspectSummary;
  const running = c.state === "running" || c.state === "paused";
  const unreachable = <p className="text-sm text-slate-600">The host is not reachable: this needs its agent connected.</p>;
  const whenLive = (panel: () => ReactNode) => () => (c.live ? panel() : unreachable);
  const tabs: TabItem[] = [
    { value: "overview", label: "Overview", content: () => <ContainerOverview c={c} inspect={i} now={now} /> },
    {
      value: "logs",
      label: "Logs",
      content: whenLive(() => (c.logs ? <ContainerLogs hostId={c.hostId} id={c.id} name={c.name} hostName={c.hostName} /> : <MissingPermissionNote what="logs" hostName={c.hostName} />)),
    },
    {
      value: "terminal",
      label: "Terminal",
      content: whenLive(() =>
        c.terminal ? <ContainerTerminal hostId={c.hostId} id={c.id} running={c.state === "running"} autoAttach={autoAttach} /> : <MissingPermissionNote what="terminal" hostName={c.hostName} />,
      ),
    },
    { value: "stats", label: "Stats", content: whenLive(() => <ContainerStats hostId={c.hostId} id={c.id} running={c.state === "running"} memoryLimited={(i.HostConfig?.Memory ?? 0) > 0} />) },
    { value: "processes", label: "Processes", content: whenLive(() => <ContainerProcesses hostId={c.hostId} id={c.id} running={running} />) },
    { value: "changes", label: "Changes", content: whenLive(() => <ContainerDiff hostId={c.hostId} id={c.id} />) },
    { value: "inspect", label: "Inspect", content: () => (inspect ? <InspectTree document={inspect} /> : unreachable) },
  ];

  return (
    <div className="space-y-4">
      <div>
        <BackLink href="/containers">Containers</BackLink>
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold">{c.name}</h1>
          <span className="font-mono text-xs text-slate-500" title={c.id}>
            {shortId(c.id)}
          </span>
          <ContainerStatus c={c} now={now} />
          <span className="text-sm text-slate-500">
            on{" "}
            <Link href={`/hosts/${c.hostId}`} className="text-sky-700 hover:underline">
              {c.hostName}
            </Link>
          </span>
        </div>
        {startedBy && (
          <p className="mt-1 text-sm text-slate-600">
            Started by <span className="font-medium">{startedBy}</span> through Stevedore, <RelativeTime at={c.createdAt} now={now} />
            {requestId && (
              <>
                {" · "}
                <Link href={`/audit?requestId=${encodeURIComponent(requestId)}`} className="text-sky-700 hover:underline">
                  audit entry
                </Link>
              </>
            )}
          </p>
        )}
        {!c.live && <p className="mt-2 text-sm text-amber-800">The host is not reachable: this is the last state its agent reported.</p>}
      </div>
      <OpenAlerts hostId={c.hostId} container={c.name} />

      {mayOperate(c.access) && c.live && (
        <Card>
          <div className="p-3">
            <ContainerActions
              targets={[{ hostId: c.hostId, id: c.id, name: c.name, state: c.state }]}
              onDone={(op, results) => {
                if (op.action === "remove" && results[0]?.ok) router.push("/containers");
              }}
            />
          </div>
          <div className="border-t border-slate-100 p-3">
            <ContainerRecreateActions c={c} update={detail.data.update} />
          </div>
        </Card>
      )}

      <Tabs label="Container" value={tab} onChange={setTab} items={tabs} />
    </div>
  );
}

/** A tab this user may not use says so, with what they need and who gives it, instead of just not being there. */
function MissingPermissionNote({ what, hostName }: { what: "logs" | "terminal"; hostName: string }) {
  return (
    <p className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm text-slate-700" data-testid="missing-permission">
      {`The ${what === "logs" ? "logs need the logs" : "terminal needs the terminal"} permission on ${hostName}; an admin can grant it per host group.`}
    </p>
  );
}
