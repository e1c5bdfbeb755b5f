"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { Badge, RelativeTime, useNow } from "../ui";
import { SEVERITY_TONE, STATE_TONE, alertHref, alertState } from "./alert-state";

/**
 * A host's or a container's open alerts as a banner linking to each; nothing at all when there are
 * none. A container's are those of its name on its host (an alert follows the name across recreations).
 */
export function OpenAlerts({ hostId, container }: { hostId: string; container?: string }) {
  const trpc = useTRPC();
  const tick = useNow(10_000);
  const open = useQuery(trpc.alerts.list.queryOptions({ state: "open", hostId, subject: container, limit: 20 }));
  const now = Math.max(tick, open.dataUpdatedAt);
  const rows = open.data ?? [];
  if (rows.length === 0) return null;
  return (
    <section aria-label="Open alerts" data-testid="open-alerts" className="rounded-lg border border-red-200 bg-red-50 px-4 py-3 text-sm text-red-900">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <h2 className="font-semibold">
          {rows.length} open alert{rows.length === 1 ? "" : "s"}
          {container ? " on this container" : " on this host"}
        </h2>
        {!container && (
          <Link href={`/alerts?host=${encodeURIComponent(hostId)}`} className="text-sky-800 underline">
            All of this host’s alerts
          </Link>
        )}
      </div>
      <ul className="mt-2 space-y-1">
        {rows.map((a) => {
          const st = alertState(a, now);
          return (
            <li key={a.id} className="flex flex-wrap items-center gap-2">
              <Badge tone={SEVERITY_TONE[a.severity] ?? "slate"}>{a.severity}</Badge>
              <Badge tone={STATE_TONE[st]}>{st}</Badge>
              <Link href={alertHref(a.id)} className="min-w-0 font-medium break-words text-red-950 underline">
                {a.summary}
              </Link>
              {a.count > 1 && <span>×{a.count}</span>}
              <span className="text-red-800">
                <RelativeTime at={a.lastAt.getTime()} now={now} />
              </span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
