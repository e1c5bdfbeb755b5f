"use client";

import Link from "next/link";
import * as Menu from "@radix-ui/react-dropdown-menu";
import { mergedLogsHref } from "@/lib/log-buffer";
import { mayOperate, type RequestedAction } from "./container-actions";

export interface RowMenuTarget {
  hostId: string;
  id: string;
  name: string;
  state: string;
  access: string | undefined;
  logs: boolean;
  terminal: boolean;
  live: boolean;
}

const ITEM =
  "flex cursor-default select-none items-center rounded px-2.5 py-1.5 text-sm outline-none data-[disabled]:text-slate-500 data-[highlighted]:bg-sky-100 data-[highlighted]:text-sky-900";

/**
 * A row's own actions (Radix menu: arrow keys, Enter, Escape, typeahead), offered as the caller's
 * role on the host and the container's state allow. Confirmed actions open the same dialogs as the toolbar.
 */
export function ContainerRowMenu({ c, onAction }: { c: RowMenuTarget; onAction: (action: RequestedAction) => void }) {
  const operate = mayOperate(c.access) && c.live;
  const up = c.state === "running" || c.state === "restarting";
  const stopped = c.state === "exited" || c.state === "created" || c.state === "dead";
  const actions: { action: RequestedAction; label: string; danger?: boolean }[] = !operate
    ? []
    : [
        ...(stopped ? [{ action: "start" as const, label: "Start" }] : []),
        ...(up || c.state === "paused" ? [{ action: "stop" as const, label: "Stop…" }] : []),
        { action: "restart", label: "Restart…" },
        ...(up || c.state === "paused" ? [{ action: "kill" as const, label: "Kill…" }] : []),
        ...(c.state === "running" ? [{ action: "pause" as const, label: "Pause" }] : []),
        ...(c.state === "paused" ? [{ action: "unpause" as const, label: "Unpause" }] : []),
        { action: "remove", label: "Remove…", danger: true },
      ];
  const page = `/containers/${c.hostId}/${c.id}`;
  return (
    <Menu.Root modal={false}>
      <Menu.Trigger
        aria-label={`Actions for ${c.name}`}
        data-testid="row-menu"
        className="rounded px-2 py-0.5 text-lg leading-none text-slate-600 hover:bg-slate-200 focus-visible:outline-2 focus-visible:outline-sky-600 data-[state=open]:bg-slate-200"
      >
        <span aria-hidden>⋯</span>
      </Menu.Trigger>
      <Menu.Portal>
        <Menu.Content
          align="end"
          sideOffset={4}
          collisionPadding={8}
          className="z-40 min-w-40 rounded-md border border-slate-200 bg-white p-1 shadow-lg"
        >
          <Menu.Label className="truncate px-2.5 py-1 text-xs text-slate-500">{c.name}</Menu.Label>
          {actions.map((a) => (
            <Menu.Item key={a.action} className={`${ITEM} ${a.danger ? "text-red-700" : ""}`} onSelect={() => onAction(a.action)}>
              {a.label}
            </Menu.Item>
          ))}
          {actions.length > 0 && <Menu.Separator className="my-1 h-px bg-slate-200" />}
          <Menu.Item asChild className={ITEM}>
            <Link href={page}>Open</Link>
          </Menu.Item>
          {c.logs && (
            <Menu.Item asChild className={ITEM}>
              <Link href={mergedLogsHref([c])}>Logs</Link>
            </Menu.Item>
          )}
          {c.terminal && c.live && c.state === "running" && (
            <Menu.Item asChild className={ITEM}>
              <Link href={`${page}?terminal=attach`}>Terminal</Link>
            </Menu.Item>
          )}
        </Menu.Content>
      </Menu.Portal>
    </Menu.Root>
  );
}
