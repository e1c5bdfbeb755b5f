"use client";

import { useState } from "react";
import { Button, CopyButton, copyText } from "../ui";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const LEAF_TONE = { string: "text-emerald-800", number: "text-sky-800", boolean: "text-amber-800", object: "text-slate-500" } as const;

/**
 * `docker inspect` as a tree: the first level open, the rest on demand, each branch copyable as JSON.
 * Written here rather than taken from npm: the JSON viewers there are either unmaintained or pull in
 * a styling system, and <details> gives keyboard and screen-reader support for free.
 */
export function InspectTree({ document }: { document: unknown }) {
  // Remounting with a new key applies "expand all" / "collapse all" to every branch at once.
  const [mode, setMode] = useState<{ open: boolean; key: number }>({ open: false, key: 0 });
  const json = JSON.stringify(document, null, 2);
  return (
    <div className="space-y-2" data-testid="inspect-tree">
      <div className="flex flex-wrap gap-2">
        <Button onClick={() => setMode((m) => ({ open: true, key: m.key + 1 }))}>Expand all</Button>
        <Button onClick={() => setMode((m) => ({ open: false, key: m.key + 1 }))}>Collapse all</Button>
        <CopyButton text={json} label="Copy JSON" />
      </div>
      <ul key={mode.key} className="overflow-x-auto rounded-md border border-slate-200 bg-white p-3 font-mono text-xs">
        {entries(document as Json).map(([k, v]) => (
          <Branch key={k} name={k} value={v} path={k} allOpen={mode.open} />
        ))}
      </ul>
    </div>
  );
}

function entries(value: Json): [string, Json][] {
  if (Array.isArray(value)) return value.map((v, i) => [String(i), v]);
  if (value !== null && typeof value === "object") return Object.entries(value);
  return [];
}

function Branch({ name, value, path, allOpen }: { name: string; value: Json; path: string; allOpen: boolean }) {
  const children = entries(value);
  const isContainer = value !== null && typeof value === "object";
  if (!isContainer || children.length === 0) {
    const tone = value === null ? LEAF_TONE.object : LEAF_TONE[typeof value as keyof typeof LEAF_TONE];
    return (
      <li className="py-0.5 pl-4" data-path={path}>
        <span className="text-slate-700">{name}</span>: <span className={`break-all ${tone}`}>{JSON.stringify(value)}</span>
      </li>
    );
  }
  const summary = Array.isArray(value) ? `[${children.length}]` : `{${children.length}}`;
  return (
    // The copy control sits beside the summary, not inside it: a control within <summary> is a control
    // inside a control (axe: nested-interactive), which keyboards and screen readers handle badly.
    <li data-path={path} className="relative">
      <details open={allOpen} className="py-0.5">
        <summary className="cursor-pointer pr-14">
          <span className="text-slate-700">{name}</span> <span className="text-slate-500">{summary}</span>
        </summary>
        <ul className="ml-1.5 border-l border-slate-200 pl-2">
          {children.map(([k, v]) => (
            <Branch key={k} name={k} value={v} path={`${path}.${k}`} allOpen={allOpen} />
          ))}
        </ul>
      </details>
      <CopyLink text={JSON.stringify(value, null, 2)} what={path} />
    </li>
  );
}

/** A quiet copy control beside a branch, shown on hover and on keyboard focus. */
function CopyLink({ text, what }: { text: string; what: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <button
      type="button"
      aria-label={`Copy ${what} as JSON`}
      className="absolute top-0.5 right-0 rounded px-1 text-sky-800 opacity-0 hover:underline hover:opacity-100 focus-visible:opacity-100 [details:has(>summary:hover)+&]:opacity-100"
      onClick={(e) => {
        e.preventDefault();
        void copyText(text).then(
          () => {
            setCopied(true);
            setTimeout(() => setCopied(false), 1500);
          },
          () => undefined,
        );
      }}
    >
      {copied ? "copied" : "copy"}
    </button>
  );
}
