"use client";

import { useSearchParams } from "next/navigation";
import { useEffect, useState } from "react";
import { HostFilter } from "./host-filter";
import { AUDIT_ACTIONS, AUDIT_ACTION_GROUPS_DISTINCT } from "../../server/audit/audit-actions";
import { Button, Input, Select } from "./ui";

/** The URL keys are the API's filter names, so the page's query string is also the export's. */
const FILTER_KEYS = ["q", "actorId", "hostId", "action", "phase", "from", "to", "requestId"] as const;
type FilterKey = (typeof FILTER_KEYS)[number];
export type AuditFilters = Record<FilterKey, string>;

const PHASES = [
  { value: "requested", label: "Requested" },
  { value: "succeeded", label: "Succeeded" },
  { value: "failed", label: "Failed" },
  { value: "refused", label: "Refused" },
  { value: "unknown", label: "Outcome unknown" },
  { value: "observed", label: "Observed on a host" },
] as const;
type Phase = (typeof PHASES)[number]["value"];

/** The Action filter is the server's catalogue of audited actions (audit-actions.ts): one list, never a second. */
const ACTION_GROUPS = AUDIT_ACTION_GROUPS_DISTINCT;
const ACTIONS: readonly string[] = AUDIT_ACTIONS;

const isPhase = (v: string): v is Phase => PHASES.some((p) => p.value === v);
/** A date the browser can read, as the ISO instant the server (and the export) expects; else "". */
const isoOrEmpty = (v: string) => (v && !Number.isNaN(Date.parse(v)) ? new Date(v).toISOString() : "");

/**
 * The filters in the URL (so a filtered view can be shared and exported), with values the server
 * would refuse (a hand-edited phase or date) dropped rather than shown as an error.
 */
export function useAuditFilters() {
  const params = useSearchParams();

  const raw = Object.fromEntries(FILTER_KEYS.map((k) => [k, params.get(k)?.trim() ?? ""])) as AuditFilters;
  const filters: AuditFilters = {
    ...raw,
    phase: isPhase(raw.phase) ? raw.phase : "",
    from: isoOrEmpty(raw.from),
    to: isoOrEmpty(raw.to),
  };
  const opt = (v: string) => v || undefined;
  const input = {
    q: opt(filters.q),
    actorId: opt(filters.actorId),
    hostId: opt(filters.hostId),
    action: opt(filters.action),
    requestId: opt(filters.requestId),
    phase: isPhase(filters.phase) ? filters.phase : undefined,
    from: filters.from ? new Date(filters.from) : undefined,
    to: filters.to ? new Date(filters.to) : undefined,
  };
  const queryString = new URLSearchParams(FILTER_KEYS.flatMap((k) => (filters[k] ? [[k, filters[k]]] : []))).toString();
  const active = FILTER_KEYS.some((k) => filters[k]);

  // Read-modify-write of the URL as it is now, through the History API, which the App Router syncs into
  // useSearchParams at once: router.replace commits later (after a server round trip), so two
  // debounced changes close together (search, then a date) would otherwise undo each other.
  const set = (next: Partial<AuditFilters>) => {
    const p = new URLSearchParams(window.location.search);
    for (const [k, v] of Object.entries(next)) {
      if (v) p.set(k, v);
      else p.delete(k);
    }
    const search = p.toString();
    window.history.replaceState(null, "", search ? `?${search}` : window.location.pathname);
  };
  const clear = () => set(Object.fromEntries(FILTER_KEYS.map((k) => [k, ""])));

  return { filters, input, queryString, active, set, clear };
}

type Filters = ReturnType<typeof useAuditFilters>;

export function AuditFilterBar({ filters, set }: Pick<Filters, "filters" | "set">) {
  const [text, setText] = useState(filters.q);
  const [pushed, setPushed] = useState(filters.q);
  const [seenQ, setSeenQ] = useState(filters.q);

  // The search follows typing with a short debounce; the server does the filtering.
  useEffect(() => {
    const q = text.trim();
    if (q === pushed) return;
    const t = setTimeout(() => {
      setPushed(q);
      set({ q });
    }, 250);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [text]);

  // The URL's q changed by other means ("Clear filters", a link): the box follows it.
  if (filters.q !== seenQ) {
    setSeenQ(filters.q);
    if (filters.q !== pushed) {
      setPushed(filters.q);
      setText(filters.q);
    }
  }

  // A URL value not in the lists (an action from a newer version, a removed host) still shows as chosen.
  const actionKnown = !filters.action || ACTIONS.includes(filters.action);

  return (
    <div className="flex flex-wrap items-end gap-2">
      <Field label="Search">
        <Input
          type="search"
          placeholder='Actor, host, target… "exact"'
          title={'Each word must start a word of the actor, host, target, container id, action, image or error ("ngi" finds nginx); a word in quotes matches exactly (\u201c"ux-1"\u201d finds ux-1, not ux-10)'}
          value={text}
          onChange={(e) => setText(e.target.value)}
          className="w-60"
        />
      </Field>
      <Field label="Host">
        {/* A host no longer in the fleet (revoked) shows as its id, still chosen. */}
        <HostFilter value={filters.hostId} onChange={(hostId) => set({ hostId })} />
      </Field>
      <Field label="Action">
        <Select value={filters.action} onChange={(e) => set({ action: e.target.value })}>
          <option value="">All actions</option>
          {ACTION_GROUPS.map((g) => (
            <optgroup key={g.label} label={g.label}>
              {g.actions.map((a) => (
                <option key={a} value={a}>
                  {a}
                </option>
              ))}
            </optgroup>
          ))}
          {!actionKnown && <option value={filters.action}>{filters.action}</option>}
        </Select>
      </Field>
      <Field label="Outcome">
        <Select value={filters.phase} onChange={(e) => set({ phase: e.target.value })}>
          <option value="">All outcomes</option>
          {PHASES.map((p) => (
            <option key={p.value} value={p.value}>
              {p.label}
            </option>
          ))}
        </Select>
      </Field>
      <DateTimeFilter label="From" iso={filters.from} edge="start" onCommit={(from) => set({ from })} />
      <DateTimeFilter label="To" iso={filters.to} edge="end" onCommit={(to) => set({ to })} />
    </div>
  );
}

function Field({ label, children }: { label: string; children: React.ReactNode }) {
  return (
    <label className="flex flex-col gap-1 text-xs font-medium text-slate-600">
      {label}
      {children}
    </label>
  );
}

const pad = (n: number) => String(n).padStart(2, "0");

/** An instant as a datetime-local value, in the browser's time zone, to the minute. */
function toLocalInput(iso: string): string {
  if (!iso) return "";
  const d = new Date(iso);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/**
 * A datetime-local input whose URL value is an ISO instant (so the server and the export agree on it
 * whatever the time zone). "To" covers its whole minute: 10:05 includes an entry at 10:05:30.
 */
function DateTimeFilter({ label, iso, edge, onCommit }: { label: string; iso: string; edge: "start" | "end"; onCommit: (iso: string) => void }) {
  const [draft, setDraft] = useState(() => toLocalInput(iso));
  const [seen, setSeen] = useState(iso);
  if (iso !== seen) {
    setSeen(iso);
    setDraft(toLocalInput(iso));
  }
  const commit = (local: string) => {
    if (!local) return onCommit("");
    const d = new Date(local);
    if (Number.isNaN(d.getTime())) return;
    if (edge === "end") d.setSeconds(59, 999);
    if (d.toISOString() !== iso) onCommit(d.toISOString());
  };
  // Typing fires a change per segment (each digit of a year is a valid date): let the value settle.
  useEffect(() => {
    if (!draft) return;
    const t = setTimeout(() => commit(draft), 400);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [draft]);
  return (
    <Field label={label}>
      <Input
        type="datetime-local"
        value={draft}
        onChange={(e) => setDraft(e.target.value)}
        // An incomplete value also reads as "": the filter goes only when the field is left empty.
        onBlur={(e) => {
          if (!e.target.value && iso) commit("");
        }}
      />
    </Field>
  );
}

/** Filters set from a row (one request, one actor) as removable chips, and a way back to everything. */
export function AuditFilterChips({ filters, set, active, clear, actorName }: Pick<Filters, "filters" | "set" | "active" | "clear"> & { actorName?: string }) {
  if (!active) return null;
  return (
    <div className="flex flex-wrap items-center gap-2 text-sm">
      {filters.requestId && (
        <Chip label="Request" value={filters.requestId} mono onRemove={() => set({ requestId: "" })}>
          every entry of this one request
        </Chip>
      )}
      {filters.actorId && <Chip label="Actor" value={actorName ?? filters.actorId} onRemove={() => set({ actorId: "" })} />}
      <Button variant="ghost" onClick={clear}>
        Clear filters
      </Button>
    </div>
  );
}

function Chip({ label, value, mono, onRemove, children }: { label: string; value: string; mono?: boolean; onRemove: () => void; children?: React.ReactNode }) {
  return (
    <span className="inline-flex items-center gap-1.5 rounded-full bg-sky-50 py-0.5 pl-3 pr-1 text-sky-900 ring-1 ring-sky-600/20">
      <span className="text-xs text-sky-700">{label}</span>
      <span className={mono ? "font-mono text-xs" : "font-medium"}>{value}</span>
      {children && <span className="text-xs text-sky-700">· {children}</span>}
      <button
        type="button"
        onClick={onRemove}
        aria-label={`Remove the ${label.toLowerCase()} filter`}
        className="grid size-5 place-items-center rounded-full text-sky-700 hover:bg-sky-100"
      >
        ✕
      </button>
    </span>
  );
}
