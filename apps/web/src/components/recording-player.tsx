"use client";

import "asciinema-player/dist/bundle/asciinema-player.css";
import { useEffect, useRef, useState } from "react";
import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { bytes, exactTime } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { RecordingState, recordingDuration } from "./recordings/recording-list";
import { BackLink, Card, ErrorNote, RelativeTime, Select, useNow } from "./ui";

const SPEEDS = [0.5, 1, 2, 4, 8];

/**
 * Plays a terminal recording (asciicast v2) with asciinema's player: play/pause (space), seek (the bar,
 * ←/→, 0–9), and a speed choice. The file comes from /api/recordings, which only admins and the
 * session's owner may read; it can be downloaded and played in asciinema.
 */
export function RecordingPlayer({ sessionId }: { sessionId: string }) {
  const host = useRef<HTMLDivElement>(null);
  const [speed, setSpeed] = useState(1);
  const [error, setError] = useState<string | null>(null);
  const position = useRef(0);
  const src = `/api/recordings/${encodeURIComponent(sessionId)}.cast`;
  const trpc = useTRPC();
  const now = useNow(10_000);
  const facts = useQuery(trpc.recordings.list.queryOptions({ sessionId }));
  const r = facts.data?.items[0];

  useEffect(() => {
    let disposed = false;
    let player: { dispose(): void; getCurrentTime(): number; seek(t: number): Promise<unknown> } | null = null;
    void (async () => {
      // Fetched here first, so a refusal or a missing file reads as a sentence, not a blank player.
      const res = await fetch(src);
      if (!res.ok) {
        const body = (await res.json().catch(() => null)) as { error?: string } | null;
        if (!disposed) setError(body?.error ?? `the recording could not be loaded (HTTP ${res.status})`);
        return;
      }
      const data = await res.text();
      const AsciinemaPlayer = await import("asciinema-player");
      if (disposed || !host.current) return;
      const startAt = position.current;
      player = AsciinemaPlayer.create({ data }, host.current, { speed, autoPlay: startAt > 0, fit: "width", idleTimeLimit: 2, terminalFontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace" });
      if (startAt > 0) void player.seek(startAt);
    })();
    return () => {
      disposed = true;
      if (player) position.current = player.getCurrentTime();
      player?.dispose();
    };
  }, [src, speed]);

  return (
    <div className="space-y-4">
      <div>
        <BackLink href="/recordings">Recordings</BackLink>
        <h1 className="mt-1 text-xl font-semibold">Terminal recording{r?.containerName ? `: ${r.containerName}` : ""}</h1>
        <p className="font-mono text-xs text-slate-500">{sessionId}</p>
      </div>
      {r && (
        <dl data-testid="recording-facts" className="grid grid-cols-[7rem_minmax(0,1fr)] gap-x-3 gap-y-1 text-sm sm:grid-cols-[7rem_minmax(0,1fr)_7rem_minmax(0,1fr)]">
          <dt className="text-slate-500">Opened by</dt>
          <dd className="break-words">{r.openedBy}</dd>
          <dt className="text-slate-500">Container</dt>
          <dd className="break-words">
            {r.hostId && r.containerId ? <Link href={`/containers/${r.hostId}/${r.containerId}`} className="text-sky-700 hover:underline">{r.containerName ?? r.containerId}</Link> : (r.containerName ?? "—")}
          </dd>
          <dt className="text-slate-500">Host</dt>
          <dd>{r.hostId ? <Link href={`/hosts/${r.hostId}`} className="hover:underline">{r.hostName ?? r.hostId}</Link> : "—"}</dd>
          <dt className="text-slate-500">Started</dt>
          <dd>
            <RelativeTime at={r.startedAt.getTime()} now={now} /> <span className="text-xs text-slate-500">({exactTime(r.startedAt.getTime())})</span>
          </dd>
          <dt className="text-slate-500">Duration</dt>
          <dd>{recordingDuration(r, now)}</dd>
          <dt className="text-slate-500">Session</dt>
          <dd className="break-words font-mono text-xs">
            {r.mode} {r.command} {r.bytes !== null && <span className="font-sans text-slate-500">· {bytes(r.bytes)} recorded</span>} <RecordingState r={r} />
          </dd>
        </dl>
      )}
      <ErrorNote error={error ? { message: error } : null} />
      {!error && (
        <Card
          actions={
            <div className="flex items-center gap-3 text-sm">
              <label className="flex items-center gap-1.5">
                Speed
                <Select aria-label="Playback speed" value={speed} onChange={(e) => setSpeed(Number(e.target.value))} className="py-1">
                  {SPEEDS.map((s) => (
                    <option key={s} value={s}>
                      {s}×
                    </option>
                  ))}
                </Select>
              </label>
              <a href={`${src}?download`} className="text-sky-700 hover:underline">
                Download .cast
              </a>
            </div>
          }
          title="Playback"
        >
          <div className="p-3" data-testid="recording-player" ref={host} />
          <p className="px-3 pb-3 text-xs text-slate-500">Space: play/pause · ←/→: seek 5 s · 0–9: jump to 0–90% · the bar seeks too.</p>
        </Card>
      )}
    </div>
  );
}
