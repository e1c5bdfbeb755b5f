"use client";

import "@xterm/xterm/css/xterm.css";
import { useEffect, useRef, useState } from "react";
import { TERMINAL_SOCKET_PATH, TerminalServerMessage, type TerminalServerMessage as ServerMessage, type TerminalViewer } from "@stevedore/protocol";
import { openTicketSocket } from "@/lib/ticket-socket";
import { useTRPCClient } from "@/lib/trpc";
import { TerminalAccessBanner, type TerminalSeat, TerminalViewers } from "./terminal-viewers";
import { Badge, Button, Input } from "./ui";

/** Rendered output is acknowledged in steps of this size (the server pauses at 100 KB unacknowledged). */
const ACK_STEP = 8 * 1024;
const RECONNECT_DELAYS_MS = [250, 500, 1000, 2000, 4000];
/** At most this much typed input waits for a dropped terminal socket to come back. */
const PENDING_INPUT_LIMIT = 16 * 1024;

type Ended = Extract<ServerMessage, { type: "ended" }>;
type Status = { kind: "connecting" } | { kind: "starting" } | { kind: "live" } | { kind: "reconnecting" } | { kind: "ended"; ended: Ended };

/** How a session ended, in the words the UI uses. */
export function endedText(e: Pick<Ended, "reason" | "exitCode" | "message">): string {
  switch (e.reason) {
    case "exited":
      return `The process exited${e.exitCode !== undefined ? ` with code ${e.exitCode}` : ""}.`;
    case "detached":
      return "Detached. The container is still running.";
    case "container-stopped":
      return `The container stopped${e.exitCode !== undefined ? ` (exit code ${e.exitCode})` : ""}.`;
    case "closed":
      return `The session was closed${e.message ? `: ${e.message}` : "."}`;
    default:
      return `The session failed${e.message ? `: ${e.message}` : "."}`;
  }
}

/**
 * A live terminal session in xterm.js. Output is written to the terminal and acknowledged as it is
 * rendered (xterm.js's flow-control pattern), so a flood waits for the browser instead of piling up.
 * A dropped connection rejoins the same session with a fresh ticket and the server's copy of the
 * screen; `onEnded` reports how the session ended.
 *
 * Someone else's session is watched read-only until its owner allows typing: keystrokes and resizes
 * are then not sent at all (the server drops them too). The owner sees who watches and decides.
 */
export function TerminalView({
  sessionId,
  ticket,
  detachKeys,
  onEnded,
  onClose,
  mayCloseOthers = false,
}: {
  sessionId: string;
  ticket: string;
  detachKeys?: string;
  onEnded?: (e: Ended) => void;
  onClose?: () => void;
  /** An admin may end anyone's session; others only their own. */
  mayCloseOthers?: boolean;
}) {
  const client = useTRPCClient();
  const host = useRef<HTMLDivElement>(null);
  const [status, setStatus] = useState<Status>({ kind: "connecting" });
  const [search, setSearch] = useState<{ open: boolean; text: string }>({ open: false, text: "" });
  const searchRef = useRef<{ next: (t: string) => void; previous: (t: string) => void } | null>(null);
  const [seat, setSeat] = useState<TerminalSeat | null>(null);
  const [viewers, setViewers] = useState<TerminalViewer[]>([]);
  const [refused, setRefused] = useState<string | null>(null);
  const sendRef = useRef<(data: string) => void>(() => {});
  const onEndedRef = useRef(onEnded);
  useEffect(() => {
    onEndedRef.current = onEnded;
  });

  useEffect(() => {
    let disposed = false;
    let ws: WebSocket | null = null;
    let ended = false;
    let attempt = 0;
    const cleanups: (() => void)[] = [];

    void (async () => {
      const [{ Terminal }, { FitAddon }, { SearchAddon }, { Unicode11Addon }] = await Promise.all([
        import("@xterm/xterm"),
        import("@xterm/addon-fit"),
        import("@xterm/addon-search"),
        import("@xterm/addon-unicode11"),
      ]);
      if (disposed || !host.current) return;
      const term = new Terminal({ cursorBlink: true, allowProposedApi: true, fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", fontSize: 13, scrollback: 5000, theme: { background: "#0f172a" } });
      const fit = new FitAddon();
      const find = new SearchAddon();
      term.loadAddon(fit);
      term.loadAddon(find);
      term.loadAddon(new Unicode11Addon());
      term.unicode.activeVersion = "11";
      term.open(host.current);
      fit.fit();
      term.focus();
      searchRef.current = { next: (t) => find.findNext(t), previous: (t) => find.findPrevious(t) };
      cleanups.push(() => term.dispose());

      const encoder = new TextEncoder();
      let rendered = 0;
      // Whether this browser may type: the owner always, anyone else once the owner allows it.
      let me: TerminalSeat | null = null;
      const mayType = () => me?.canType === true;
      const seated = (next: TerminalSeat) => {
        me = next;
        term.options.disableStdin = !next.canType;
        term.options.cursorBlink = next.canType;
        setSeat(next);
      };
      let followServerSize = false;
      const send = (data: string | Uint8Array) => ws?.readyState === WebSocket.OPEN && ws.send(data);
      sendRef.current = (data) => send(data);
      const flushAck = () => {
        if (rendered > 0) send(JSON.stringify({ type: "ack", bytes: rendered }));
        rendered = 0;
      };
      const ackTimer = setInterval(flushAck, 100);
      cleanups.push(() => clearInterval(ackTimer));

      // Keys typed while the socket is down (a network blip, a server restart) go out once the
      // session is rejoined, rather than vanishing; past the limit they are dropped.
      let pending: Uint8Array[] = [];
      let pendingBytes = 0;
      const input = (bytes: Uint8Array) => {
        if (!mayType()) return;
        if (ws?.readyState === WebSocket.OPEN) ws.send(bytes);
        else if (!ended && pendingBytes + bytes.length <= PENDING_INPUT_LIMIT) {
          pending.push(bytes);
          pendingBytes += bytes.length;
        }
      };
      const flushPending = () => {
        for (const bytes of pending) send(bytes);
        pending = [];
        pendingBytes = 0;
      };
      term.onData((data) => input(encoder.encode(data)));
      term.onBinary((data) => input(Uint8Array.from(data, (c) => c.charCodeAt(0))));
      term.onResize(({ cols, rows }) => {
        // A read-only viewer follows the session's size; its own window does not change it.
        if (!followServerSize && mayType()) send(JSON.stringify({ type: "resize", size: { cols, rows } }));
      });
      // A read-only viewer keeps the session's size (it cannot set it) rather than fitting its own box.
      const observer = new ResizeObserver(() => (me === null || mayType()) && fit.fit());
      observer.observe(host.current);
      cleanups.push(() => observer.disconnect());

      const connect = (t: string) => {
        const socket = openTicketSocket(TERMINAL_SOCKET_PATH, t);
        ws = socket;
        let greeted = false;
        socket.onmessage = (ev) => {
          if (typeof ev.data !== "string") {
            const bytes = new Uint8Array(ev.data as ArrayBuffer);
            term.write(bytes, () => {
              rendered += bytes.length;
              if (rendered >= ACK_STEP) flushAck();
            });
            return;
          }
          const parsed = TerminalServerMessage.safeParse(JSON.parse(ev.data));
          if (!parsed.success) return;
          const msg = parsed.data;
          if (msg.type === "hello") {
            attempt = 0;
            // The server replays the current screen after hello: start from a clean terminal.
            if (!greeted) term.reset();
            greeted = true;
            setStatus(msg.starting ? { kind: "starting" } : { kind: "live" });
            seated({ viewerId: msg.viewerId, owner: msg.owner, canType: msg.canType });
            setViewers(msg.viewers);
            if (msg.canType) {
              send(JSON.stringify({ type: "resize", size: { cols: term.cols, rows: term.rows } }));
              flushPending();
            } else term.resize(msg.size.cols, msg.size.rows);
          } else if (msg.type === "viewers") {
            setViewers(msg.viewers);
            const mine = me && msg.viewers.find((v) => v.viewerId === me!.viewerId);
            if (me && mine && mine.canType !== me.canType) {
              seated({ ...me, canType: mine.canType });
              setRefused(null);
            }
          } else if (msg.type === "refused") {
            setRefused(msg.message);
          } else if (msg.type === "resize") {
            // Another viewer set the size: follow it rather than fight over it.
            followServerSize = true;
            term.resize(msg.size.cols, msg.size.rows);
            followServerSize = false;
          } else if (msg.type === "ended") {
            ended = true;
            setStatus({ kind: "ended", ended: msg });
            term.write(`\r\n\x1b[2m[${endedText(msg)}]\x1b[0m\r\n`);
            onEndedRef.current?.(msg);
          }
        };
        socket.onclose = () => {
          if (disposed || ended || ws !== socket) return;
          // A network blip or a server restart: rejoin the same session with a new ticket.
          setStatus({ kind: "reconnecting" });
          const delay = RECONNECT_DELAYS_MS[Math.min(attempt++, RECONNECT_DELAYS_MS.length - 1)]!;
          setTimeout(() => {
            if (disposed) return;
            client.terminals.join.mutate({ sessionId }).then(
              (r) => connect(r.ticket),
              (err: { data?: { code?: string }; message: string }) => {
                if (err.data?.code === "NOT_FOUND") {
                  ended = true;
                  const e: Ended = { type: "ended", reason: "closed", message: "the session ended while this page was away" };
                  setStatus({ kind: "ended", ended: e });
                  onEndedRef.current?.(e);
                } else socket.onclose?.(new CloseEvent("close"));
              },
            );
          }, delay);
        };
      };
      connect(ticket);
      cleanups.push(() => ws?.close());
    })();

    return () => {
      disposed = true;
      for (const c of cleanups.reverse()) c();
    };
  }, [client, sessionId, ticket]);

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span data-testid="terminal-status">
          <TerminalStatus status={status} />
        </span>
        {status.kind === "live" && viewers.length > 1 && <span className="text-xs text-slate-500">{viewers.length} watching</span>}
        {detachKeys && status.kind === "live" && seat?.canType && <span className="text-xs text-slate-500">Detach: {detachKeys.replaceAll("ctrl-", "Ctrl-").replace(",", " ")}</span>}
        <span className="ml-auto flex items-center gap-2">
          {search.open && (
            <Input
              autoFocus
              aria-label="Search the terminal"
              placeholder="Search… (Enter: next, Shift+Enter: previous)"
              value={search.text}
              onChange={(e) => setSearch({ open: true, text: e.target.value })}
              onKeyDown={(e) => {
                if (e.key === "Enter") (e.shiftKey ? searchRef.current?.previous : searchRef.current?.next)?.(search.text);
                if (e.key === "Escape") setSearch({ open: false, text: "" });
              }}
              className="w-64 py-1"
            />
          )}
          <Button variant="ghost" className="py-1" onClick={() => setSearch((s) => ({ open: !s.open, text: s.text }))} aria-pressed={search.open}>
            Search
          </Button>
          {onClose && status.kind !== "ended" && (seat?.owner || mayCloseOthers) && (
            <Button variant="ghost" className="py-1" onClick={onClose}>
              End session
            </Button>
          )}
        </span>
      </div>
      {seat && status.kind !== "ended" && (
        <>
          <TerminalAccessBanner seat={seat} viewers={viewers} />
          <TerminalViewers seat={seat} viewers={viewers} onAllow={(viewerId, allowed) => sendRef.current(JSON.stringify({ type: "allow-input", viewerId, allowed }))} />
        </>
      )}
      {refused && status.kind !== "ended" && (
        <p role="alert" data-testid="terminal-refused" className="text-sm text-red-700">
          {refused}
        </p>
      )}
      <div ref={host} data-testid="terminal" data-can-type={seat?.canType ? "true" : "false"} className="h-[max(18rem,calc(100dvh-22rem))] palette-fixed overflow-hidden rounded-md bg-slate-900 p-1" />
      {status.kind === "ended" && (
        <p role="status" data-testid="terminal-ended" className="text-sm text-slate-700">
          {endedText(status.ended)}
        </p>
      )}
    </div>
  );
}

function TerminalStatus({ status }: { status: Status }) {
  switch (status.kind) {
    case "connecting":
      return <Badge tone="slate">connecting…</Badge>;
    case "starting":
      return <Badge tone="slate">starting…</Badge>;
    case "reconnecting":
      return <Badge tone="amber">reconnecting…</Badge>;
    case "live":
      return <Badge tone="green">live</Badge>;
    default:
      return <Badge tone="slate">ended</Badge>;
  }
}
