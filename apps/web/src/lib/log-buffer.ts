/** What the log views keep in memory at most; older lines are dropped (and counted) as new ones come. */
export const MAX_LOG_LINES = 50_000;

export interface LogLine {
  id: number;
  /** Which container (index into the view's targets). */
  source: number;
  stderr: boolean;
  /** The engine's timestamp (RFC 3339), when it prefixed the line. */
  time: string | null;
  /** The line as the container wrote it, ANSI escapes included. */
  text: string;
}

const TIMESTAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?Z /;
// eslint-disable-next-line no-control-regex
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b\][^\x07]*(?:\x07|\x1b\\)/g;

export function plainText(text: string): string {
  return text.includes("\x1b") ? text.replace(ANSI, "") : text;
}

/**
 * The lines of one log view (one container, or several merged): bytes in, lines out, bounded. UTF-8
 * and lines split across frames are joined per container and stream; past MAX_LOG_LINES the oldest
 * lines go and `dropped` counts them.
 */
export class LogBuffer {
  lines: LogLine[] = [];
  dropped = 0;
  private nextId = 0;
  private readonly partial = new Map<string, { decoder: TextDecoder; rest: string }>();

  constructor(private readonly max = MAX_LOG_LINES) {}

  push(source: number, stderr: boolean, bytes: Uint8Array): void {
    const key = `${source}:${stderr ? 2 : 1}`;
    let p = this.partial.get(key);
    if (!p) this.partial.set(key, (p = { decoder: new TextDecoder(), rest: "" }));
    const parts = (p.rest + p.decoder.decode(bytes, { stream: true })).split("\n");
    p.rest = parts.pop()!;
    for (const raw of parts) {
      const line = raw.endsWith("\r") ? raw.slice(0, -1) : raw;
      const m = TIMESTAMP.exec(line);
      // The engine trims trailing zeros of the fraction; padded, times compare as strings.
      const time = m ? `${m[1]}.${(m[2] ?? "").padEnd(9, "0")}Z` : null;
      this.lines.push({ id: this.nextId++, source, stderr, time, text: m ? line.slice(m[0].length) : line });
    }
  }

  /**
   * Ends a batch: with several containers merged, lines are kept in time order (one container's
   * history can arrive after another's live lines), then the oldest lines beyond the bound are dropped.
   * Live lines usually arrive in order, so the sort is rare.
   */
  endBatch(merged: boolean): void {
    if (merged) {
      for (let i = Math.max(1, this.ordered); i < this.lines.length; i++) {
        if ((this.lines[i]!.time ?? "") < (this.lines[i - 1]!.time ?? "")) {
          this.lines.sort((a, b) => ((a.time ?? "") < (b.time ?? "") ? -1 : (a.time ?? "") > (b.time ?? "") ? 1 : 0));
          break;
        }
      }
    }
    this.trim();
    this.ordered = this.lines.length;
  }
  private ordered = 0;

  /** Drops the oldest lines beyond the bound (once per batch, not per line). */
  private trim(): void {
    const excess = this.lines.length - this.max;
    if (excess <= 0) return;
    this.lines.splice(0, excess);
    this.dropped += excess;
  }
}

/** A view's container, as the URL of the merged view names it: `hostId:containerId`. */
export interface LogTarget {
  hostId: string;
  containerId: string;
}

export function mergedLogsHref(targets: { hostId: string; id: string }[]): string {
  return `/logs?containers=${targets.map((t) => `${t.hostId}:${t.id}`).join(",")}`;
}

export function parseLogTargets(value: string | null): LogTarget[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim().split(":"))
    .filter((p): p is [string, string] => p.length === 2 && !!p[0] && /^[0-9a-f]{64}$/.test(p[1]!))
    .map(([hostId, containerId]) => ({ hostId, containerId }));
}
