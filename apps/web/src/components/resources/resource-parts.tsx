"use client";

import Link from "next/link";
import { useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { type HostScope, type PickedHost, usePickedHosts } from "../host-picker";
import { keyValueLines } from "./key-values";
import { Badge } from "../ui";

/** Where a create or prune dialog may act: online hosts the caller operates. */
export const ACTIONABLE: HostScope = { status: "online", operable: true };

/**
 * The host a dialog acts on: the list's host filter when the caller may act there, else the first
 * such host by name (both asked of the hosts search, one host each), until the user picks another.
 */
export function useDialogHost(initialHostId: string): { hostId: string; setHostId: (id: string) => void; host: PickedHost | undefined } {
  const trpc = useTRPC();
  const [chosen, setHostId] = useState<string | null>(null);
  const initial = useQuery({ ...trpc.hosts.search.queryOptions({ ...ACTIONABLE, ids: [initialHostId], limit: 1 }), enabled: !!initialHostId });
  const first = useQuery(trpc.hosts.search.queryOptions({ ...ACTIONABLE, limit: 1 }));
  const fallback = initial.data?.items[0] ?? (initialHostId && initial.isPending ? undefined : first.data?.items[0]);
  const hostId = chosen ?? fallback?.id ?? "";
  const picked = usePickedHosts(hostId ? [hostId] : []);
  return { hostId, setHostId, host: picked.get(hostId) };
}

/** A definition list of facts, each a term and its value. */
export function Facts({ rows }: { rows: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[auto_minmax(0,1fr)] gap-x-4 gap-y-1">
      {rows.map(([term, value]) => (
        <div key={term} className="contents">
          <dt className="text-slate-500">{term}</dt>
          <dd className="break-all">{value}</dd>
        </div>
      ))}
    </dl>
  );
}

export function KeyValueList({ label, values }: { label: string; values: Record<string, string> }) {
  const lines = keyValueLines(values);
  return lines.length === 0 ? <span className="text-slate-500">none</span> : (
    <ul aria-label={label} className="font-mono text-xs">
      {lines.map((l) => (
        <li key={l}>{l}</li>
      ))}
    </ul>
  );
}

/** The containers using a volume or network as links (in a row, the first three and how many more); "unused" when none. */
export function UsedBy({ hostId, containers, all = false }: { hostId: string; containers: readonly { id: string; name: string }[]; all?: boolean }) {
  if (containers.length === 0) return <Badge>unused</Badge>;
  if (all)
    return (
      <ul>
        {containers.map((c) => (
          <li key={c.id}>
            <Link href={`/containers/${hostId}/${c.id}`} className="text-sky-700 hover:underline">
              {c.name}
            </Link>
          </li>
        ))}
      </ul>
    );
  return (
    <span className="flex flex-wrap gap-1">
      {containers.slice(0, 3).map((c) => (
        <Link key={c.id} href={`/containers/${hostId}/${c.id}`} className="text-sky-700 hover:underline">
          {c.name}
        </Link>
      ))}
      {containers.length > 3 && <span className="text-slate-500">+{containers.length - 3}</span>}
    </span>
  );
}
