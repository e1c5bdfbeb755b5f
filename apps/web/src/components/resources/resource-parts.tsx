"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { keyValueLines } from "./key-values";
import { Badge } from "../ui";

/** A host a create or prune dialog may act on. */
export type HostChoice = { id: string; name: string };

/** The host a dialog starts on: the list's host filter when the caller may act there, else the first. */
export function firstHost(hosts: readonly HostChoice[], initialHostId: string): string {
  return hosts.some((h) => h.id === initialHostId) ? initialHostId : (hosts[0]?.id ?? "");
}

/** The options of a host picker. */
export function HostOptions({ hosts }: { hosts: readonly HostChoice[] }) {
  return hosts.map((h) => (
    <option key={h.id} value={h.id}>
      {h.name}
    </option>
  ));
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
