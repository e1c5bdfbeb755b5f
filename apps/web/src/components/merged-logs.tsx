"use client";

import { useMemo } from "react";
import { useSearchParams } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { parseLogTargets } from "@/lib/log-buffer";
import { useTRPC } from "@/lib/trpc";
import { LogViewer } from "./log-viewer";
import { BackLink, Card, ErrorNote, Spinner } from "./ui";

/**
 * The merged view (/logs?containers=hostId:containerId,…): several containers, on one host or many
 * (a service running on many hosts), in one stream, each line marked with its container's colour and name.
 */
export function MergedLogs() {
  const trpc = useTRPC();
  const param = useSearchParams().get("containers");
  const targets = useMemo(() => parseLogTargets(param), [param]);
  const described = useQuery({ ...trpc.logs.targets.queryOptions({ containers: targets }), enabled: targets.length > 0, staleTime: Infinity });
  const readable = useMemo(() => described.data?.filter((t) => t.logs).map((t) => ({ hostId: t.hostId, containerId: t.containerId, name: t.name, hostName: t.hostName })) ?? [], [described.data]);
  const refused = described.data?.filter((t) => !t.logs) ?? [];

  return (
    <div className="space-y-4">
      <BackLink href="/containers">Containers</BackLink>
      <h1 className="text-xl font-semibold">Logs{readable.length > 1 ? ` of ${readable.length} containers` : readable[0] ? ` of ${readable[0].name}` : ""}</h1>
      {targets.length === 0 && <p className="text-sm text-slate-600">Select containers in the list and choose &ldquo;Logs&rdquo; to follow them here together.</p>}
      <ErrorNote error={described.error} />
      {described.isLoading && <Spinner label="Loading" />}
      {refused.length > 0 && (
        <p className="text-sm text-amber-800">
          Not shown: {refused.map((t) => `${t.name} on ${t.hostName}${t.found ? " (you may not read its logs)" : " (no such container)"}`).join(", ")}.
        </p>
      )}
      {readable.length > 0 && (
        <Card>
          <div className="p-3">
            <LogViewer sources={readable} />
          </div>
        </Card>
      )}
    </div>
  );
}
