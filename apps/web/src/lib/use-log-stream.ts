"use client";

import { useEffect, useMemo, useRef, useState } from "react";
import { LOG_FRAME_HEADER, LOGS_SOCKET_PATH, LogsServerMessage, type LogOptions } from "@stevedore/protocol";
import { useTRPCClient } from "@/lib/trpc";
import { LogBuffer, type LogTarget } from "./log-buffer";
import { openTicketSocket } from "./ticket-socket";

/** `waiting`: a followed container stopped; the server resumes the stream when it runs again. */
export type SourceStatus = { kind: "connecting" } | { kind: "live"; tty: boolean } | { kind: "waiting" } | { kind: "ended"; reason: string; message?: string };

/** The history to start from; the stream then follows (unless paused). */
export interface LogRange {
  tail?: number;
  since?: number;
  /** Stop at this time instead of following. */
  until?: number;
  /** Bumped to reopen the same range (after the connection dropped). */
  attempt?: number;
}

/**
 * Streams the logs of one or more containers over one /logs socket into a bounded LogBuffer. Frames
 * are taken in once per animation frame and acknowledged then, so the server never sends much more
 * than the page can render; while `paused`, nothing is taken in or acknowledged, so the server stops
 * at its high-water mark and the lines wait in the engine (nothing is lost). A new range reopens.
 */
export function useLogStream(targets: LogTarget[], range: LogRange, paused: boolean) {
  const client = useTRPCClient();
  const key = JSON.stringify({ targets, range });
  // A new range starts from an empty buffer, with every source connecting again.
  // eslint-disable-next-line react-hooks/exhaustive-deps
  const buffer = useMemo(() => new LogBuffer(), [key]);
  const [version, setVersion] = useState(0);
  const [state, setState] = useState<{ key: string; statuses: SourceStatus[]; error: string | null }>({ key: "", statuses: [], error: null });
  const current = state.key === key ? state : { statuses: targets.map((): SourceStatus => ({ kind: "connecting" })), error: null };
  const pausedRef = useRef(paused);
  const drain = useRef<() => void>(() => {});

  useEffect(() => {
    pausedRef.current = paused;
    if (!paused) drain.current();
  }, [paused]);

  useEffect(() => {
    const { targets: ts, range: r } = JSON.parse(key) as { targets: LogTarget[]; range: LogRange };
    let disposed = false;
    let ws: WebSocket | null = null;
    let frame = 0;
    const pending: Uint8Array[] = [];
    let statuses: SourceStatus[] = ts.map(() => ({ kind: "connecting" }));
    const setStatuses = (update: (prev: SourceStatus[]) => SourceStatus[]) => {
      statuses = update(statuses);
      setState({ key, statuses, error: null });
    };

    // Stream numbers are the target's index + 1: one socket per view, opened once.
    const take = () => {
      frame = 0;
      if (pausedRef.current || pending.length === 0) return;
      let bytes = 0;
      for (const f of pending.splice(0)) {
        bytes += f.length;
        const view = new DataView(f.buffer, f.byteOffset, f.byteLength);
        buffer.push(view.getUint32(0) - 1, f[LOG_FRAME_HEADER - 1] === 2, f.subarray(LOG_FRAME_HEADER));
      }
      buffer.endBatch(ts.length > 1);
      setVersion((v) => v + 1);
      if (ws?.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: "ack", bytes }));
    };
    const schedule = () => {
      if (!frame) frame = requestAnimationFrame(take);
    };
    drain.current = schedule;

    client.logs.ticket.mutate({ containers: ts }).then(
      ({ ticket }) => {
        if (disposed) return;
        const socket = openTicketSocket(LOGS_SOCKET_PATH, ticket);
        ws = socket;
        socket.onopen = () => {
          ts.forEach((t, i) => {
            const options: LogOptions = { follow: r.until === undefined, timestamps: true, tail: r.tail, since: r.since, until: r.until };
            socket.send(JSON.stringify({ type: "open", stream: i + 1, hostId: t.hostId, containerId: t.containerId, options }));
          });
        };
        socket.onmessage = (ev) => {
          if (typeof ev.data !== "string") {
            pending.push(new Uint8Array(ev.data as ArrayBuffer));
            schedule();
            return;
          }
          const parsed = LogsServerMessage.safeParse(JSON.parse(ev.data));
          if (!parsed.success) return;
          const msg = parsed.data;
          const status: SourceStatus = msg.type === "started" ? { kind: "live", tty: msg.tty } : msg.type === "waiting" ? { kind: "waiting" } : { kind: "ended", reason: msg.reason, message: msg.message };
          setStatuses((prev) => prev.map((s, i) => (i === msg.stream - 1 ? status : s)));
        };
        socket.onclose = (ev) => {
          if (disposed) return;
          setStatuses((prev) => prev.map((s) => (s.kind === "ended" ? s : { kind: "ended", reason: "closed", message: ev.reason || "the connection closed" })));
        };
      },
      (err: Error) => !disposed && setState({ key, statuses, error: err.message }),
    );

    return () => {
      disposed = true;
      cancelAnimationFrame(frame);
      drain.current = () => {};
      ws?.close();
    };
  }, [client, buffer, key]);

  return { buffer, version, statuses: current.statuses, error: current.error };
}
