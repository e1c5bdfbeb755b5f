"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { Card, ErrorNote, Spinner } from "../ui";

/** `docker top`, refreshed every 3 s while the tab is open. */
export function ContainerProcesses({ hostId, id, running }: { hostId: string; id: string; running: boolean }) {
  const trpc = useTRPC();
  const top = useQuery({ ...trpc.containers.top.queryOptions({ hostId, id }), enabled: running, refetchInterval: 3_000 });
  return (
    <Card title="Processes" actions={top.isFetching ? <Spinner label="refreshing" /> : null}>
      {!running && <p className="p-4 text-sm text-slate-500">The container is not running.</p>}
      <ErrorNote error={top.error} />
      {running && top.data?.redacted && <p className="px-4 pt-3 text-xs text-slate-600">Command lines show the program only: their arguments need the logs permission.</p>}
      {/* Focusable, so a keyboard can scroll it sideways when it is wider than the screen. */}
      {running && top.data && (
        <div className="overflow-x-auto" tabIndex={0} role="region" aria-label="Processes">
          <table className="w-full text-left font-mono text-xs" data-testid="top-table">
            <thead className="border-b border-slate-200 text-slate-500">
              <tr>
                {top.data.titles.map((t) => (
                  <th key={t} className="px-3 py-1.5 font-medium">
                    {t}
                  </th>
                ))}
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {top.data.processes.map((p, n) => (
                <tr key={n}>
                  {p.map((v, k) => (
                    <td key={k} className="whitespace-nowrap px-3 py-1">
                      {v}
                    </td>
                  ))}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}
