"use client";

import Link from "next/link";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { exactTime, shortId } from "@/lib/format";
import { finalEntry } from "../../server/audit/audit-groups";
import { Badge, RelativeTime } from "./ui";

export type AuditEntryView = inferRouterOutputs<AppRouter>["audit"]["list"]["items"][number];

export const AUDIT_COLUMNS = 7;

/** The outcome, in words and colour; a failure shows the engine's own words right under it. */
export function AuditOutcome({ entry: e }: { entry: AuditEntryView }) {
  switch (e.phase) {
    case "succeeded":
      return <Badge tone="green">succeeded</Badge>;
    case "failed":
      return (
        <div className="space-y-1">
          <Badge tone="red">failed</Badge>
          {e.error && (
            <p data-testid="audit-error" title={e.error} className="line-clamp-2 break-words text-xs text-red-700">
              {e.error}
            </p>
          )}
        </div>
      );
    case "refused":
      return (
        <div className="space-y-1">
          <Badge tone="red">refused</Badge>
          {e.error && <p className="line-clamp-2 break-words text-xs text-red-700">{e.error}</p>}
        </div>
      );
    case "unknown":
      return (
        <div className="space-y-1">
          <Badge tone="amber">outcome unknown</Badge>
          <p className="text-xs text-amber-800">{e.error ?? "the host did not answer; a later entry settles it"}</p>
        </div>
      );
    case "observed":
      return (
        <div className="space-y-1">
          <Badge tone="amber">observed</Badge>
          <p className="text-xs text-amber-800">on the host, outside Stevedore</p>
        </div>
      );
    default:
      return <Badge tone="slate">{e.phase}</Badge>;
  }
}

/** Where a person acted from, on hover; a host's own events have no address or browser. */
function actorOrigin(e: AuditEntryView): string | undefined {
  if (e.actorType === "host") return undefined;
  return [e.sourceIp ?? "address unknown", e.userAgent ?? "client unknown"].join(" · ");
}

export function AuditActor({ entry: e }: { entry: AuditEntryView }) {
  if (e.actorType === "host") return <span className="italic text-slate-500">{e.actorName}</span>;
  return (
    <>
      <span title={actorOrigin(e)} className="cursor-help">
        {e.actorName}
      </span>
      {e.actorType === "token" && <span className="ml-1.5 text-xs text-slate-500">(API token)</span>}
    </>
  );
}

export function AuditTarget({ entry: e }: { entry: AuditEntryView }) {
  if (e.targetType === "container" && e.hostId && e.targetId) {
    return (
      <Link href={`/containers/${e.hostId}/${e.targetId}`} className="group">
        <span className="font-medium group-hover:underline">{e.targetName ?? "unnamed"}</span>{" "}
        <span className="font-mono text-xs text-sky-700">{shortId(e.targetId)}</span>
      </Link>
    );
  }
  if (e.targetName) return <span className="font-medium">{e.targetName}</span>;
  if (e.targetType) return <span className="text-slate-500">{e.targetType.replace("-", " ")}</span>;
  return <span className="text-slate-500">—</span>;
}

/** A terminal session's entry links to its recording, or says why there is none. */
function TerminalRecording({ entry: e }: { entry: AuditEntryView }) {
  if (!e.action.startsWith("terminal.") || e.action === "terminal.refused" || !e.params) return null;
  let p: { sessionId?: string; recording?: { file?: string; error?: string | null; truncated?: boolean } | null };
  try {
    p = JSON.parse(e.params);
  } catch {
    return null;
  }
  if (!p.sessionId || p.recording === undefined) return null;
  if (!p.recording || (p.recording.error && !p.recording.file)) return <p className="mt-1 font-sans text-xs text-red-700">not recorded: {p.recording?.error ?? "no recording"}</p>;
  return (
    <p className="mt-1 font-sans text-xs">
      <Link href={`/recordings/${p.sessionId}`} className="text-sky-700 hover:underline">
        Play recording
      </Link>
      {p.recording.truncated && <span className="ml-1 text-amber-800">(truncated at the size cap)</span>}
      {p.recording.error && <span className="ml-1 text-red-700">(recording error: {p.recording.error})</span>}
    </p>
  );
}

export type AuditGroupView = inferRouterOutputs<AppRouter>["audit"]["groups"]["rows"][number];

/** What a row shows: the request's first entry (what was asked) and its final outcome. */
function summaryOf(g: AuditGroupView) {
  const first = g.entries[0]!;
  const last = g.entries[g.entries.length - 1]!;
  return { first, final: finalEntry(g.entries), last };
}

/** A run of one target's observed events, by action: "die ×12, start ×12". */
function actionCounts(g: AuditGroupView): string {
  const counts = new Map<string, number>();
  for (const e of g.entries) counts.set(e.action, (counts.get(e.action) ?? 0) + 1);
  return [...counts].map(([a, n]) => (n > 1 ? `${a.replace(/^container\./, "")} ×${n}` : a.replace(/^container\./, ""))).join(", ");
}

function RowAction({ g }: { g: AuditGroupView }) {
  const { first } = summaryOf(g);
  if (g.kind === "observed" && g.entries.length > 1)
    return (
      <>
        <span data-testid="audit-repeats">{g.entries.length} events</span>
        <span className="block font-sans text-xs text-slate-600">{actionCounts(g)}</span>
      </>
    );
  return (
    <>
      {first.action}
      {g.entries.some((e) => e.action === "terminal.close") && <span className="ml-1 font-sans text-xs text-slate-500">· closed</span>}
      <TerminalRecording entry={g.entries.find((e) => e.phase === "requested") ?? first} />
    </>
  );
}

/** The row's time: when it ended (a run: from its first to its last event). */
function RowTime({ g, now }: { g: AuditGroupView; now: number }) {
  const { first, last } = summaryOf(g);
  return (
    <>
      <RelativeTime at={last.at.getTime()} now={now} />
      {g.kind === "observed" && g.entries.length > 1 && (
        <span className="block text-xs text-slate-500">
          since <RelativeTime at={first.at.getTime()} now={now} />
        </span>
      )}
    </>
  );
}

function Toggle({ g, open, onToggle, detailsId }: { g: AuditGroupView; open: boolean; onToggle: () => void; detailsId: string }) {
  return (
    <button
      type="button"
      aria-expanded={open}
      aria-controls={detailsId}
      // The state is aria-expanded's; the name stays the same open or closed.
      aria-label={`The ${g.entries.length} ${g.entries.length === 1 ? "entry" : "entries"} of this ${g.kind === "request" ? "request" : "run"}`}
      onClick={onToggle}
      className="grid size-6 shrink-0 place-items-center rounded text-slate-500 hover:bg-slate-200"
    >
      <span aria-hidden className={`transition-transform ${open ? "rotate-90" : ""}`}>
        ▸
      </span>
    </button>
  );
}

function HostLink({ entry: e }: { entry: AuditEntryView }) {
  if (!e.hostId) return <span className="text-slate-500">—</span>;
  return (
    <Link href={`/hosts/${e.hostId}`} title={e.hostName ?? e.hostId} className="hover:underline">
      {e.hostName ?? e.hostId}
    </Link>
  );
}

interface RowProps {
  group: AuditGroupView;
  now: number;
  open: boolean;
  onToggle: () => void;
  onRequest: (requestId: string) => void;
  onActor: (actorId: string) => void;
}

/** One request (or run of observed events) as a table row, and when open, each of its entries. */
export function AuditRow({ group: g, now, open, onToggle, onRequest, onActor }: RowProps) {
  const detailsId = `audit-row-${g.key}`;
  const { first, final } = summaryOf(g);
  return (
    <>
      <tr data-testid="audit-row" data-key={g.key} data-entries={g.entries.length} className={`align-top hover:bg-slate-50 ${open ? "bg-slate-50" : ""}`}>
        <td className="py-2 pl-2">
          <Toggle g={g} open={open} onToggle={onToggle} detailsId={detailsId} />
        </td>
        <td className="px-3 py-2 text-slate-600">
          <RowTime g={g} now={now} />
        </td>
        <td className="break-words px-3 py-2">
          <AuditActor entry={first} />
        </td>
        <td className="break-words px-3 pb-2 pt-2.5 font-mono text-xs">
          <RowAction g={g} />
        </td>
        <td className="px-3 py-2">
          <AuditOutcome entry={final} />
        </td>
        <td className="truncate px-3 py-2">
          <HostLink entry={first} />
        </td>
        <td className="break-words px-3 py-2">
          <AuditTarget entry={first} />
        </td>
      </tr>
      {open && (
        <tr id={detailsId} data-testid="audit-details" className="bg-slate-50">
          <td />
          <td colSpan={AUDIT_COLUMNS - 1} className="px-3 pb-4 pt-1">
            <GroupEntries g={g} now={now} onRequest={onRequest} onActor={onActor} />
          </td>
        </tr>
      )}
    </>
  );
}

/** The same row as a card, for narrow screens. */
export function AuditCard({ group: g, now, open, onToggle, onRequest, onActor }: RowProps) {
  const detailsId = `audit-card-${g.key}`;
  const { first, final } = summaryOf(g);
  return (
    <li data-testid="audit-card" data-key={g.key} className="space-y-1.5 p-3 text-sm">
      <div className="flex items-start gap-2">
        <Toggle g={g} open={open} onToggle={onToggle} detailsId={detailsId} />
        <div className="min-w-0 flex-1 space-y-1">
          <div className="flex flex-wrap items-baseline justify-between gap-x-3">
            <span className="break-all font-mono text-xs">
              <RowAction g={g} />
            </span>
            <span className="text-xs text-slate-600">
              <RowTime g={g} now={now} />
            </span>
          </div>
          <AuditOutcome entry={final} />
          <p className="break-words text-xs text-slate-600">
            <AuditActor entry={first} /> · <HostLink entry={first} /> · <AuditTarget entry={first} />
          </p>
        </div>
      </div>
      {open && (
        <div id={detailsId} data-testid="audit-card-details" className="pl-8">
          <GroupEntries g={g} now={now} onRequest={onRequest} onActor={onActor} />
        </div>
      )}
    </li>
  );
}

/** A row's entries, oldest first: a request's with all they recorded; a run's as one line each. */
function GroupEntries({ g, now, onRequest, onActor }: { g: AuditGroupView; now: number; onRequest: (id: string) => void; onActor: (id: string) => void }) {
  if (g.kind === "observed" && g.entries.length > 1)
    return (
      <ol className="space-y-0.5 text-xs" aria-label="Observed events">
        {g.entries.map((e) => (
          <li key={e.seq} data-testid="audit-entry" className="flex flex-wrap gap-x-3">
            <span className="text-slate-500">#{e.seq}</span>
            <RelativeTime at={e.at.getTime()} now={now} />
            <span className="font-mono">{e.action}</span>
            {e.error && <span className="text-red-700">{e.error}</span>}
          </li>
        ))}
      </ol>
    );
  return (
    <ol className="space-y-4">
      {g.entries.map((e) => (
        <li key={e.seq} data-testid="audit-entry" className="space-y-2">
          <h3 className="flex flex-wrap items-center gap-2 text-sm">
            <span className="font-mono text-xs">{e.action}</span>
            <AuditPhaseBadge phase={e.phase} />
            <RelativeTime at={e.at.getTime()} now={now} className="text-xs text-slate-600" />
          </h3>
          <AuditDetails entry={e} onRequest={onRequest} onActor={onActor} />
        </li>
      ))}
    </ol>
  );
}

function AuditPhaseBadge({ phase }: { phase: string }) {
  const tone = phase === "succeeded" ? "green" : phase === "failed" || phase === "refused" ? "red" : phase === "unknown" || phase === "observed" ? "amber" : "slate";
  return <Badge tone={tone}>{phase === "unknown" ? "outcome unknown" : phase}</Badge>;
}

function prettyParams(params: string | null): string | null {
  if (params === null) return null;
  try {
    return JSON.stringify(JSON.parse(params), null, 2);
  } catch {
    return params;
  }
}

function Hash({ value }: { value: string }) {
  if (/^0+$/.test(value)) return <span className="text-xs text-slate-500">none: the first entry of the chain</span>;
  return (
    <code title={value} className="cursor-help font-mono text-xs">
      {value.slice(0, 16)}…
    </code>
  );
}

const linkButton = "font-mono text-xs text-sky-700 underline decoration-dotted hover:decoration-solid";

function AuditDetails({ entry: e, onRequest, onActor }: { entry: AuditEntryView; onRequest: (id: string) => void; onActor: (id: string) => void }) {
  const params = prettyParams(e.params);
  return (
    <div className="grid gap-4 lg:grid-cols-[minmax(0,22rem)_minmax(0,1fr)]">
      <dl className="grid grid-cols-[6.5rem_minmax(0,1fr)] gap-x-3 gap-y-1.5 text-sm">
        <dt className="text-slate-500">Entry</dt>
        <dd>
          #{e.seq} <span className="font-mono text-xs text-slate-500">{e.id}</span>
        </dd>
        <dt className="text-slate-500">Time</dt>
        <dd>{exactTime(e.at.getTime())}</dd>
        <dt className="text-slate-500">Request</dt>
        <dd>
          <button type="button" className={linkButton} title="Show every entry of this request" onClick={() => onRequest(e.requestId)}>
            {e.requestId}
          </button>
        </dd>
        <dt className="text-slate-500">Actor</dt>
        <dd className="break-words">
          {e.actorName} <span className="text-xs text-slate-500">({e.actorType})</span>
          {e.actorId && (
            <>
              {" "}
              <button type="button" className={linkButton} onClick={() => onActor(e.actorId!)}>
                only this actor
              </button>
            </>
          )}
        </dd>
        <dt className="text-slate-500">Source IP</dt>
        <dd className="font-mono text-xs">{e.sourceIp ?? "—"}</dd>
        <dt className="text-slate-500">User agent</dt>
        <dd className="break-words text-xs">{e.userAgent ?? "—"}</dd>
        <dt className="text-slate-500">Hash</dt>
        <dd>
          <Hash value={e.hash} />
        </dd>
        <dt className="text-slate-500">Previous</dt>
        <dd>
          <Hash value={e.prevHash} />
        </dd>
      </dl>
      <div className="min-w-0 space-y-3">
        {e.error && (
          <div>
            <h3 className="mb-1 text-xs font-medium text-slate-500">Error (the engine&apos;s words)</h3>
            <pre className="whitespace-pre-wrap break-words rounded-md border border-red-200 bg-red-50 p-2 font-mono text-xs text-red-800">{e.error}</pre>
          </div>
        )}
        <div>
          <h3 className="mb-1 text-xs font-medium text-slate-500">Parameters (secrets redacted)</h3>
          {params ? (
            <pre data-testid="audit-params" className="palette-fixed max-h-80 overflow-auto whitespace-pre-wrap break-words rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">
              {params}
            </pre>
          ) : (
            <p className="text-sm text-slate-500">none</p>
          )}
        </div>
      </div>
    </div>
  );
}
