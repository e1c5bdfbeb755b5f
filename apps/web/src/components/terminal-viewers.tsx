"use client";

import type { TerminalViewer } from "@stevedore/protocol";
import { Badge } from "./ui";

/** This browser's place in a session: the owner's (types, decides who else may) or a viewer's. */
export interface TerminalSeat {
  viewerId: string;
  owner: boolean;
  canType: boolean;
}

/**
 * What a viewer who is not the owner must know at a glance: that they watch read-only (their
 * keystrokes go nowhere), or that the owner has let them type (and that their input is theirs).
 */
export function TerminalAccessBanner({ seat, viewers }: { seat: TerminalSeat; viewers: TerminalViewer[] }) {
  if (seat.owner) return null;
  const owner = viewers.find((v) => v.owner)?.email ?? "the user who opened it";
  if (!seat.canType) {
    return (
      <div role="status" data-testid="terminal-access" data-access="read-only" className="rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900">
        <strong className="font-semibold">Read-only.</strong> You are watching {owner}&apos;s session; your keystrokes are not sent. The owner can allow you to type.
      </div>
    );
  }
  return (
    <div role="status" data-testid="terminal-access" data-access="may-type" className="rounded-md border border-sky-300 bg-sky-50 px-3 py-2 text-sm text-sky-900">
      <strong className="font-semibold">You may type.</strong> {owner} allowed you to type into this session (as root on the host&apos;s container); your input is attributed to you. The owner can take it back at any time.
    </div>
  );
}

/**
 * Who is watching, by name. The owner sees a "may type" switch per viewer; everyone else sees who
 * may type. Shown once someone other than this browser's user is there.
 */
export function TerminalViewers({ seat, viewers, onAllow }: { seat: TerminalSeat; viewers: TerminalViewer[]; onAllow: (viewerId: string, allowed: boolean) => void }) {
  if (!viewers.some((v) => v.viewerId !== seat.viewerId)) return null;
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-1.5 rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-sm">
      <span className="text-xs font-medium text-slate-500">Watching</span>
      <ul aria-label="Viewers" data-testid="terminal-viewers" className="flex flex-wrap items-center gap-x-3 gap-y-1.5">
        {viewers.map((v) => (
          <li key={v.viewerId} data-testid="terminal-viewer" className="flex min-w-0 items-center gap-1.5">
            <span className="truncate text-slate-800" title={v.email}>
              {v.email}
            </span>
            {v.viewerId === seat.viewerId && <span className="text-xs text-slate-500">(you)</span>}
            {v.connections > 1 && <span className="text-xs text-slate-500">· {v.connections} tabs</span>}
            {v.owner ? (
              <span className="shrink-0 whitespace-nowrap">
                <Badge tone="slate">owner</Badge>
              </span>
            ) : seat.owner ? (
              <button
                type="button"
                role="switch"
                aria-checked={v.canType}
                aria-label={`Allow ${v.email} to type`}
                onClick={() => onAllow(v.viewerId, !v.canType)}
                className={`inline-flex shrink-0 items-center gap-1.5 whitespace-nowrap rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset ${v.canType ? "bg-sky-600 text-white ring-sky-600" : "bg-white text-slate-700 ring-slate-300 hover:bg-slate-100"}`}
              >
                <span aria-hidden className={`h-2 w-2 rounded-full ${v.canType ? "bg-white" : "bg-slate-400"}`} />
                {v.canType ? "may type" : "read-only"}
              </button>
            ) : (
              <span className="shrink-0 whitespace-nowrap">
                <Badge tone={v.canType ? "green" : "slate"}>{v.canType ? "may type" : "read-only"}</Badge>
              </span>
            )}
          </li>
        ))}
      </ul>
    </div>
  );
}
