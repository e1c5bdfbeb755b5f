"use client";

import Link from "next/link";
import { useQuery } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { bytes } from "@/lib/format";
import { Card } from "./ui";

type Entry = inferRouterOutputs<AppRouter>["stats"]["top"]["byCpu"][number];

function Ranking({ title, entries, value }: { title: string; entries: Entry[]; value: (e: Entry) => string }) {
  return (
    <div className="min-w-0">
      <h3 className="mb-1 text-xs font-medium text-slate-500">{title}</h3>
      <ol className="space-y-1 text-sm">
        {entries.map((e) => (
          <li key={`${e.hostId}/${e.id}`} className="flex items-baseline gap-2">
            <Link href={`/containers/${e.hostId}/${e.id}`} className="min-w-0 truncate text-sky-700 hover:underline">
              {e.name}
            </Link>
            <span className="truncate text-xs text-slate-500">{e.hostName}</span>
            <span className="ml-auto font-mono text-xs">{value(e)}</span>
          </li>
        ))}
        {entries.length === 0 && <li className="text-slate-500">No samples yet.</li>}
      </ol>
    </div>
  );
}

/** The fleet's heaviest containers right now, by CPU and by memory. */
export function TopConsumers() {
  const trpc = useTRPC();
  const top = useQuery({ ...trpc.stats.top.queryOptions({ limit: 5 }), refetchInterval: 5_000 });
  if (!top.data) return null;
  return (
    <Card title="Top consumers across the fleet">
      <div className="grid gap-6 p-4 md:grid-cols-2" data-testid="top-consumers">
        <Ranking title="CPU (100% = one core)" entries={top.data.byCpu} value={(e) => `${(e.cpuPercent ?? 0).toFixed(1)}%`} />
        <Ranking title="Memory" entries={top.data.byMemory} value={(e) => bytes(e.memoryBytes)} />
      </div>
    </Card>
  );
}
