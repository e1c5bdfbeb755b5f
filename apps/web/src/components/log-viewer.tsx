"use client";

import Anser from "anser";
import { useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useVirtualizer } from "@tanstack/react-virtual";
import { LOGS_DOWNLOAD_PATH } from "@stevedore/protocol";
import { type LogLine, type LogTarget, plainText } from "@/lib/log-buffer";
import { type LogRange, type SourceStatus, useLogStream } from "@/lib/use-log-stream";
import { Badge, Button, Input, Select } from "./ui";

const ROW_HEIGHT = 18;
/** One colour per container in a merged view (readable on the dark panel). */
const SOURCE_COLOURS = ["#7dd3fc", "#fda4af", "#86efac", "#fcd34d", "#c4b5fd", "#f9a8d4", "#5eead4", "#fdba74"];
const TAILS = [
  { label: "last 100 lines", value: "100" },
  { label: "last 1,000 lines", value: "1000" },
  { label: "last 10,000 lines", value: "10000" },
  { label: "all history", value: "" },
];
const SINCES = [
  { label: "any time", value: "" },
  { label: "last 5 minutes", value: "300" },
  { label: "last hour", value: "3600" },
  { label: "last 24 hours", value: "86400" },
];

export interface LogSource extends LogTarget {
  name: string;
  hostName: string;
}

/**
 * A live log view of one container or several merged (each with its own colour and name): history
 * (tail, since), then following; stderr marked; ANSI colours; timestamps on or off; search with
 * highlight and next/previous (Enter / Shift+Enter); pause/resume; download of the selected range.
 * A virtualized list over a bounded buffer: a flood never freezes the page.
 */
export function LogViewer({ sources }: { sources: LogSource[] }) {
  const [tail, setTail] = useState("1000");
  const [since, setSince] = useState("");
  /** A datetime-local value: read up to then instead of following. */
  const [until, setUntil] = useState("");
  const [paused, setPaused] = useState(false);
  const [timestamps, setTimestamps] = useState(false);
  const [query, setQuery] = useState("");
  const [current, setCurrent] = useState(0);
  const [stick, setStick] = useState(true);
  // The range is fixed when chosen (a relative "since" becomes a time then), so re-renders do not reopen.
  const [range, setRange] = useState<LogRange>({ tail: 1000 });
  const targets = useMemo(() => sources.map(({ hostId, containerId }) => ({ hostId, containerId })), [sources]);
  const { buffer, version, statuses, error } = useLogStream(targets, range, paused);
  const lines = buffer.lines;
  const merged = sources.length > 1;

  const chooseRange = (nextTail: string, nextSince: string, nextUntil = until) => {
    setTail(nextTail);
    setSince(nextSince);
    setUntil(nextUntil);
    const untilMs = nextUntil ? new Date(nextUntil).getTime() : undefined;
    setRange({ tail: nextTail ? Number(nextTail) : undefined, since: nextSince ? Date.now() - Number(nextSince) * 1000 : undefined, until: Number.isFinite(untilMs) ? untilMs : undefined });
  };

  const needle = query.trim().toLowerCase();
  const matches = useMemo(() => {
    if (!needle) return [] as number[];
    const found: number[] = [];
    lines.forEach((l, i) => plainText(l.text).toLowerCase().includes(needle) && found.push(i));
    return found;
    // `version` marks new lines in the same (mutated) array.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [needle, version, lines]);

  const scroller = useRef<HTMLDivElement>(null);
  // The virtualizer's functions change as it measures; the compiler skipping this component is expected.
  // eslint-disable-next-line react-hooks/incompatible-library
  const virtual = useVirtualizer({ count: lines.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_HEIGHT, overscan: 30 });

  // Following: keep the newest line in view unless the reader scrolled up (or is searching).
  useEffect(() => {
    if (stick && !needle && lines.length > 0) virtual.scrollToIndex(lines.length - 1, { align: "end" });
  }, [version, stick, needle, lines.length, virtual]);

  const goTo = (step: number) => {
    if (matches.length === 0) return;
    const next = (((current + step) % matches.length) + matches.length) % matches.length;
    setCurrent(next);
    setStick(false);
    virtual.scrollToIndex(matches[next]!, { align: "center" });
  };
  const currentLine = matches.length ? lines[matches[Math.min(current, matches.length - 1)]!]?.id : undefined;

  const downloadHref = (s: LogSource) => {
    const p = new URLSearchParams({ hostId: s.hostId, containerId: s.containerId, timestamps: timestamps ? "1" : "0" });
    if (range.tail !== undefined) p.set("tail", String(range.tail));
    if (range.since !== undefined) p.set("since", String(range.since));
    if (range.until !== undefined) p.set("until", String(range.until));
    return `${LOGS_DOWNLOAD_PATH}?${p}`;
  };

  return (
    <div className="space-y-2" data-testid="log-viewer">
      <div className="flex flex-wrap items-center gap-2">
        <Select aria-label="How much history" value={tail} onChange={(e) => chooseRange(e.target.value, since)}>
          {TAILS.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </Select>
        <Select aria-label="Since" value={since} onChange={(e) => chooseRange(tail, e.target.value)}>
          {SINCES.map((t) => (
            <option key={t.value} value={t.value}>
              {t.label}
            </option>
          ))}
        </Select>
        <label className="flex items-center gap-1.5 text-sm text-slate-700" title="Read up to this time instead of following">
          Until
          <Input type="datetime-local" step={1} aria-label="Until" value={until} onChange={(e) => chooseRange(tail, since, e.target.value)} className="w-52" />
        </label>
        <Button onClick={() => setPaused((p) => !p)} aria-pressed={paused} title={paused ? "Resume following (lines waited in the engine)" : "Pause following"}>
          {paused ? "Resume" : "Pause"}
        </Button>
        <label className="flex items-center gap-1.5 text-sm text-slate-700">
          <input type="checkbox" checked={timestamps} onChange={(e) => setTimestamps(e.target.checked)} />
          Timestamps
        </label>
        <div className="flex items-center gap-1">
          <Input
            type="search"
            aria-label="Search the logs"
            placeholder="Search (Enter, Shift+Enter)"
            value={query}
            onChange={(e) => {
              setQuery(e.target.value);
              setCurrent(0);
            }}
            onKeyDown={(e) => {
              if (e.key !== "Enter") return;
              e.preventDefault();
              goTo(e.shiftKey ? -1 : 1);
            }}
            className="w-60"
          />
          {needle && (
            <span className="text-xs text-slate-500" data-testid="log-search-count">
              {matches.length ? `${Math.min(current, matches.length - 1) + 1} of ${matches.length}` : "no match"}
            </span>
          )}
          <Button variant="ghost" aria-label="Previous match" disabled={!matches.length} onClick={() => goTo(-1)}>
            ↑
          </Button>
          <Button variant="ghost" aria-label="Next match" disabled={!matches.length} onClick={() => goTo(1)}>
            ↓
          </Button>
        </div>
        <span className="ml-auto flex flex-wrap items-center gap-2 text-sm">
          {sources.map((s) => (
            <a key={`${s.hostId}:${s.containerId}`} href={downloadHref(s)} download className="text-sky-800 underline-offset-2 hover:underline">
              Download{merged ? ` ${s.name}` : ""}
            </a>
          ))}
        </span>
      </div>

      <div className="flex flex-wrap items-center gap-2 text-xs">
        {sources.map((s, i) => (
          <span key={`${s.hostId}:${s.containerId}`} className="flex items-center gap-1">
            {merged && <span className="inline-block h-2.5 w-2.5 rounded-full" style={{ background: SOURCE_COLOURS[i % SOURCE_COLOURS.length] }} />}
            <span className="font-medium text-slate-700">
              {s.name} <span className="text-slate-500">on {s.hostName}</span>
            </span>
            <StatusBadge status={statuses[i]} paused={paused} />
          </span>
        ))}
        <span className="text-slate-500" data-testid="log-line-count">
          {lines.length.toLocaleString()} lines
        </span>
        {buffer.dropped > 0 && (
          <Badge tone="amber" title="Only the newest lines are kept in the page; download for all of them">
            {buffer.dropped.toLocaleString()} older lines dropped ·{" "}
            {sources.map((s) => (
              <a key={s.containerId} href={downloadHref(s)} download className="underline">
                show all{merged ? ` (${s.name})` : ""}
              </a>
            ))}
          </Badge>
        )}
        {error && <span className="text-red-700">{error}</span>}
        {(error || (statuses.length > 0 && statuses.every((s) => s.kind === "ended" && s.reason !== "eof"))) && (
          <Button variant="ghost" className="py-0.5" onClick={() => setRange((r) => ({ ...r, attempt: (r.attempt ?? 0) + 1 }))}>
            Reconnect
          </Button>
        )}
      </div>

      <div className="relative">
        <div
          ref={scroller}
          data-testid="log-lines"
          tabIndex={0}
          aria-label="Log lines"
          onScroll={(e) => {
            const el = e.currentTarget;
            setStick(el.scrollHeight - el.scrollTop - el.clientHeight < ROW_HEIGHT * 2);
          }}
          className="palette-fixed h-[28rem] overflow-auto rounded-md bg-slate-900 font-mono text-xs text-slate-100"
        >
          <div style={{ height: virtual.getTotalSize(), position: "relative", minWidth: "100%" }}>
            {virtual.getVirtualItems().map((row) => {
              const line = lines[row.index];
              if (!line) return null;
              return (
                <LogRow
                  key={line.id}
                  line={line}
                  top={row.start}
                  source={merged ? sources[line.source] : undefined}
                  colour={SOURCE_COLOURS[line.source % SOURCE_COLOURS.length]!}
                  timestamps={timestamps}
                  needle={needle}
                  current={line.id === currentLine}
                />
              );
            })}
          </div>
          {lines.length === 0 && <p className="p-3 text-slate-300">{statuses.some((s) => s?.kind === "connecting") ? "Connecting…" : "No log lines in this range yet."}</p>}
        </div>
        {!stick && (
          <Button variant="primary" className="absolute bottom-3 right-5" onClick={() => setStick(true)}>
            Jump to latest
          </Button>
        )}
      </div>
    </div>
  );
}

function StatusBadge({ status, paused }: { status: SourceStatus | undefined; paused: boolean }) {
  if (!status || status.kind === "connecting") return <Badge>connecting</Badge>;
  if (status.kind === "live") return paused ? <Badge tone="amber">paused</Badge> : <Badge tone="green">{status.tty ? "live (TTY)" : "live"}</Badge>;
  if (status.kind === "waiting")
    return (
      <Badge tone="amber" title="The logs resume here by themselves when the container runs again">
        container stopped · waiting for it to start
      </Badge>
    );
  const text = status.reason === "eof" ? "end of history" : status.reason === "container-stopped" ? "container stopped" : status.reason;
  return (
    <Badge tone={status.reason === "error" ? "red" : "slate"} title={status.message}>
      {text}
      {status.reason === "error" && status.message ? `: ${status.message}` : ""}
    </Badge>
  );
}

function LogRow({ line, top, source, colour, timestamps, needle, current }: { line: LogLine; top: number; source?: LogSource; colour: string; timestamps: boolean; needle: string; current: boolean }) {
  return (
    <div
      data-testid="log-line"
      data-stderr={line.stderr || undefined}
      className={`absolute left-0 flex w-full whitespace-pre px-2 ${current ? "bg-sky-900" : line.stderr ? "bg-red-950/40" : ""}`}
      style={{ top, height: ROW_HEIGHT, lineHeight: `${ROW_HEIGHT}px` }}
    >
      <span className={`mr-2 w-1 shrink-0 ${line.stderr ? "bg-red-500" : ""}`} title={line.stderr ? "stderr" : "stdout"} />
      {source && (
        <span className="mr-2 shrink-0" style={{ color: colour }}>
          {source.name}
        </span>
      )}
      {timestamps && line.time && (
        <span className="mr-2 shrink-0 text-slate-300" title={line.time}>
          {line.time.slice(0, 23).replace("T", " ")}
        </span>
      )}
      <span>{renderAnsi(line.text, needle)}</span>
    </div>
  );
}

/** ANSI colours and styles as spans (no HTML from the container ever reaches the page), with search hits marked. */
function renderAnsi(text: string, needle: string): ReactNode {
  const parts = text.includes("\x1b") ? Anser.ansiToJson(text, { use_classes: false, remove_empty: true }) : [{ content: text, fg: "", bg: "", decorations: [] as string[] }];
  return parts.map((p, i) => (
    <span
      key={i}
      style={{
        color: p.fg ? `rgb(${p.fg})` : undefined,
        background: p.bg ? `rgb(${p.bg})` : undefined,
        fontWeight: p.decorations.includes("bold") ? 600 : undefined,
        fontStyle: p.decorations.includes("italic") ? "italic" : undefined,
        textDecoration: p.decorations.includes("underline") ? "underline" : undefined,
      }}
    >
      {highlight(p.content, needle)}
    </span>
  ));
}

function highlight(text: string, needle: string): ReactNode {
  if (!needle) return text;
  const lower = text.toLowerCase();
  const out: ReactNode[] = [];
  let at = 0;
  for (let i = lower.indexOf(needle); i !== -1; i = lower.indexOf(needle, at)) {
    out.push(text.slice(at, i), <mark key={i} className="rounded-sm bg-amber-300 text-slate-900">{text.slice(i, i + needle.length)}</mark>);
    at = i + needle.length;
  }
  out.push(text.slice(at));
  return out;
}
