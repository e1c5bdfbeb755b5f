"use client";

import "asciinema-player/dist/bundle/asciinema-player.css";
import { useEffect, useRef, useState } from "react";
import { BackLink, Card, ErrorNote, Select } from "./ui";

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
        <BackLink href="/audit">Audit</BackLink>
        <h1 className="mt-1 text-xl font-semibold">Terminal recording</h1>
        <p className="font-mono text-xs text-slate-500">{sessionId}</p>
      </div>
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
