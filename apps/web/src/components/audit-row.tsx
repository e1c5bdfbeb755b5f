"use client";

import Link from "next/link";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { exactTime, shortId } from "@/lib/format";
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

/** One entry, and when open, everything it recorded: parameters, the request it belongs to, its hashes. */
export function AuditRow({
  entry: e,
  now,
  open,
  onToggle,
  onRequest,
  onActor,
}: {
  entry: AuditEntryView;
  now: number;
  open: boolean;
  onToggle: () => void;
  onRequest: (requestId: string) => void;
  onActor: (actorId: string) => void;
}) {
  const detailsId = `audit-entry-${e.seq}`;
  return (
    <>
      <tr data-testid="audit-row" data-seq={e.seq} className={`align-top hover:bg-slate-50 ${open ? "bg-slate-50" : ""}`}>
        <td className="py-2 pl-2">
          <button
            type="button"
            aria-expanded={open}
            aria-controls={detailsId}
            aria-label={`Details of entry #${e.seq}`}
            onClick={onToggle}
            className="grid size-6 place-items-center rounded text-slate-500 hover:bg-slate-200"
          >
            <span aria-hidden className={`transition-transform ${open ? "rotate-90" : ""}`}>
              ▸
            </span>
          </button>
        </td>
        <td className="whitespace-nowrap px-3 py-2 text-slate-600">
          <RelativeTime at={e.at.getTime()} now={now} />
        </td>
        <td className="break-words px-3 py-2">
          <AuditActor entry={e} />
        </td>
        <td className="break-words px-3 pb-2 pt-2.5 font-mono text-xs">
          {e.action}
          <TerminalRecording entry={e} />
        </td>
        <td className="px-3 py-2">
          <AuditOutcome entry={e} />
        </td>
        <td className="truncate px-3 py-2">
          {e.hostId ? (
            <Link href={`/hosts#${e.hostId}`} title={e.hostName ?? e.hostId} className="hover:underline">
              {e.hostName ?? e.hostId}
            </Link>
          ) : (
            <span className="text-slate-500">—</span>
          )}
        </td>
        <td className="break-words px-3 py-2">
          <AuditTarget entry={e} />
        </td>
      </tr>
      {open && (
        <tr id={detailsId} data-testid="audit-details" className="bg-slate-50">
          <td />
          <td colSpan={AUDIT_COLUMNS - 1} className="px-3 pb-4 pt-1">
            <AuditDetails entry={e} onRequest={onRequest} onActor={onActor} />
          </td>
        </tr>
      )}
    </>
  );
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
            <pre data-testid="audit-params" className="max-h-80 overflow-auto whitespace-pre-wrap break-words rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">
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
