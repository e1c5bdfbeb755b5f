"use client";

import * as Tooltip from "@radix-ui/react-tooltip";
import { ago } from "@/lib/format";

/** The exact instant with its time zone ("7 Dec 2026, 11:32:51 UTC"), in the browser's locale. */
export const exactWithZone = (at: number) => new Date(at).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "long" });

/**
 * "3 minutes ago" as a focusable <time>, with the exact time and its zone in a Radix tooltip that
 * opens on hover and on keyboard focus (and is announced as the element's description).
 */
export function TimeAgo({ at, now, className = "" }: { at: number; now: number; className?: string }) {
  return (
    <Tooltip.Provider delayDuration={200}>
      <Tooltip.Root>
        <Tooltip.Trigger asChild>
          <time dateTime={new Date(at).toISOString()} tabIndex={0} className={`cursor-help rounded decoration-dotted outline-offset-2 hover:underline focus-visible:underline ${className}`}>
            {ago(at, now)}
          </time>
        </Tooltip.Trigger>
        <Tooltip.Portal>
          <Tooltip.Content side="top" sideOffset={4} className="z-50 rounded bg-slate-900 px-2 py-1 text-xs text-white shadow">
            {exactWithZone(at)}
            <Tooltip.Arrow className="fill-slate-900" />
          </Tooltip.Content>
        </Tooltip.Portal>
      </Tooltip.Root>
    </Tooltip.Provider>
  );
}
