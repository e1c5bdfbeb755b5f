"use client";

import { useMemo, useState, type ReactNode } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import * as Popover from "@radix-ui/react-popover";
import { Command } from "cmdk";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { HostStatusBadge } from "./host-status-badge";

export type PickedHost = inferRouterOutputs<AppRouter>["hosts"]["search"]["items"][number];
/** Which hosts a picker offers: e.g. `{ status: "online", operable: true }` where something runs. */
export type HostScope = Pick<inferRouterInputs<AppRouter>["hosts"]["search"], "status" | "operable" | "group">;

/** How many hosts a picker shows at once: typing narrows the search on the server. */
const PICKER_PAGE = 20;

/** The hosts a picker holds, read by id (they may not be on the search's page); `settled` once answered. */
export function usePickedHostsQuery(ids: readonly string[]): { hosts: Map<string, PickedHost>; settled: boolean } {
  const trpc = useTRPC();
  const sorted = [...new Set(ids)].sort().slice(0, 500);
  const q = useQuery({ ...trpc.hosts.search.queryOptions({ ids: sorted, limit: Math.max(1, sorted.length) }), enabled: sorted.length > 0, placeholderData: keepPreviousData });
  // One Map per answer, so memoized rows given it re-render only when the hosts changed.
  const hosts = useMemo(() => new Map(q.data?.items.map((h) => [h.id, h])), [q.data]);
  return { hosts, settled: sorted.length === 0 || (q.isFetched && !q.isPlaceholderData) };
}

export function usePickedHosts(ids: readonly string[]): Map<string, PickedHost> {
  return usePickedHostsQuery(ids).hosts;
}

interface CommonProps {
  /** The control's accessible name ("Host", "Hosts to run on"). */
  label: string;
  scope?: HostScope;
  /** Said after a host's name in the list (e.g. "you are viewer here"). */
  describe?: (h: PickedHost) => ReactNode;
  className?: string;
  disabled?: boolean;
}

/**
 * One host (or none, shown as `noneLabel`), picked from a search the server answers as you type:
 * a button that opens a combobox (cmdk: an input with role combobox over a listbox, arrow keys and
 * Enter, Escape closes) in a Radix popover. The fleet is never loaded whole.
 */
export function HostPicker({ value, onChange, noneLabel, ...common }: CommonProps & { value: string; onChange: (hostId: string) => void; noneLabel?: string }) {
  const picked = usePickedHostsQuery(value ? [value] : []);
  // A host the caller cannot see (or no longer in the fleet) shows as its id.
  const shown = value ? (picked.hosts.get(value)?.name ?? (picked.settled ? value : "…")) : (noneLabel ?? "Choose a host");
  return (
    <PickerShell
      {...common}
      shown={shown}
      isPicked={(id) => id === value}
      none={noneLabel !== undefined ? { label: noneLabel, selected: !value, pick: () => onChange("") } : undefined}
      pick={(h, close) => {
        onChange(h.id);
        close();
      }}
    />
  );
}

/** Several hosts: choosing one in the list adds or removes it, and the list stays open. */
export function HostMultiPicker({ value, onChange, placeholder = "Add hosts…", ...common }: CommonProps & { value: readonly string[]; onChange: (hostIds: string[]) => void; placeholder?: string }) {
  return (
    <PickerShell
      {...common}
      shown={value.length ? `${value.length} host${value.length === 1 ? "" : "s"} chosen · add or remove…` : placeholder}
      isPicked={(id) => value.includes(id)}
      pick={(h) => onChange(value.includes(h.id) ? value.filter((x) => x !== h.id) : [...value, h.id])}
    />
  );
}

function PickerShell({
  label,
  scope,
  describe,
  className = "",
  disabled,
  shown,
  isPicked,
  pick,
  none,
}: CommonProps & {
  shown: string;
  isPicked: (id: string) => boolean;
  pick: (h: PickedHost, close: () => void) => void;
  none?: { label: string; selected: boolean; pick: () => void };
}) {
  const trpc = useTRPC();
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
  const results = useQuery({ ...trpc.hosts.search.queryOptions({ ...scope, q: q.trim(), limit: PICKER_PAGE }), enabled: open, placeholderData: keepPreviousData });
  const close = () => {
    setOpen(false);
    setQ("");
  };
  const more = results.data ? results.data.total - results.data.items.length : 0;
  return (
    <Popover.Root open={open} onOpenChange={(o) => (o ? setOpen(true) : close())}>
      <Popover.Trigger
        // The name says the choice too: "Host: e2e-host", "Host: All hosts".
        aria-label={`${label}: ${shown}`}
        disabled={disabled}
        data-testid="host-picker"
        className={`inline-flex max-w-full items-center justify-between gap-2 rounded-md border border-slate-300 bg-white px-2 py-1.5 text-left text-sm hover:bg-slate-50 disabled:opacity-50 ${className}`}
      >
        <span className="truncate">{shown}</span>
        <span aria-hidden className="text-xs text-slate-500">
          ▾
        </span>
      </Popover.Trigger>
      <Popover.Portal>
        <Popover.Content align="start" sideOffset={4} className="z-40 w-[min(22rem,calc(100vw-1rem))] rounded-md border border-slate-200 bg-white shadow-lg">
          <Command shouldFilter={false} label={`Search hosts for ${label}`} loop>
            <Command.Input
              value={q}
              onValueChange={setQ}
              placeholder="Search hosts: name, address, group…"
              className="w-full rounded-t-md border-b border-slate-200 bg-white px-3 py-2 text-sm outline-none"
            />
            <Command.List label={label} className="max-h-72 overflow-y-auto p-1">
              {results.isPending && <Command.Loading>Searching hosts…</Command.Loading>}
              {results.data && results.data.items.length === 0 && <Command.Empty>No host matches “{q.trim()}”.</Command.Empty>}
              {/* "All hosts" is a choice while nothing is typed; a search lists hosts only, so Enter takes the first match. */}
              {none && !q.trim() && (
                <Command.Item value="__none__" onSelect={() => (none.pick(), close())} className={ITEM}>
                  <Check on={none.selected} />
                  {none.label}
                </Command.Item>
              )}
              {results.data?.items.map((h) => (
                <Command.Item key={h.id} value={h.id} onSelect={() => pick(h, close)} className={ITEM} data-checked={isPicked(h.id) || undefined}>
                  <Check on={isPicked(h.id)} />
                  <span className="truncate font-medium">{h.name}</span>
                  <HostStatusBadge status={h.status} />
                  {h.groups.length > 0 && <span className="truncate text-xs text-slate-500">{h.groups.join(", ")}</span>}
                  {describe && <span className="text-xs text-slate-500">{describe(h)}</span>}
                </Command.Item>
              ))}
            </Command.List>
            {more > 0 && <p className="border-t border-slate-200 px-3 py-1.5 text-xs text-slate-600">{more.toLocaleString()} more: type to narrow the search</p>}
          </Command>
        </Popover.Content>
      </Popover.Portal>
    </Popover.Root>
  );
}

const ITEM = "flex cursor-default items-center gap-2 rounded px-2 py-1.5 text-sm outline-none data-[selected=true]:bg-sky-100";

function Check({ on }: { on: boolean }) {
  return (
    <span className="w-4 shrink-0 text-sky-700">
      <span aria-hidden>{on ? "✓" : ""}</span>
      {on && <span className="sr-only">chosen:</span>}
    </span>
  );
}

/** The one host in scope when there is exactly one (a form then starts with it chosen), else null. */
export function useOnlyHost(scope: HostScope): string | null {
  const trpc = useTRPC();
  const q = useQuery(trpc.hosts.search.queryOptions({ ...scope, limit: 1 }));
  return q.data?.total === 1 ? q.data.items[0]!.id : null;
}

/**
 * A multi-host choice in a form: the chosen hosts as checked boxes (unchecking one drops it), and a
 * searchable picker to add or remove any host in scope.
 */
export function HostChecklist({ legend, value, onChange, scope, describe }: { legend: string; value: readonly string[]; onChange: (ids: string[]) => void; scope?: HostScope; describe?: (h: PickedHost) => ReactNode }) {
  const picked = usePickedHosts(value);
  return (
    <fieldset className="space-y-1.5 text-sm">
      <legend className="sr-only">{legend}</legend>
      {value.map((id) => {
        const h = picked.get(id);
        return (
          <label key={id} className="flex items-center gap-2">
            <input type="checkbox" checked onChange={() => onChange(value.filter((x) => x !== id))} />
            {h?.name ?? "…"} {h && <HostStatusBadge status={h.status} />}
            {h && h.groups.length > 0 && <span className="text-xs text-slate-500">{h.groups.join(", ")}</span>}
            {h && describe?.(h)}
          </label>
        );
      })}
      <HostMultiPicker label={`Add to ${legend.toLowerCase()}`} value={value} onChange={onChange} scope={scope} describe={describe} className="w-full" placeholder={value.length ? "Add more hosts…" : "Choose hosts…"} />
    </fieldset>
  );
}
