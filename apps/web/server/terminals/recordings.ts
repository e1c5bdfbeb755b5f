import { z } from "zod";
import type { Db } from "../db";

/**
 * Who may play (and see) a terminal session's recording: admins, and the user who opened the session.
 * Recordings can hold secrets typed or shown on screen, so watching a session live (a join) or seeing
 * its host is not enough. The .cast endpoint and the recordings list both apply this rule.
 */
export function mayPlayRecording(user: { id: string; role: string }, openedBy: string | null): boolean {
  return user.role === "admin" || (openedBy !== null && openedBy === user.id);
}

export const RECORDING_SORTS = ["started", "duration", "user", "container", "host"] as const;

export const RecordingQuery = z.object({
  /** Words that each appear in who opened it, the container, the host or the command (any case). */
  q: z.string().trim().max(200).optional(),
  hostId: z.string().max(64).optional(),
  /** One session's facts (the recording page). */
  sessionId: z.string().max(64).optional(),
  sort: z.enum(RECORDING_SORTS).default("started"),
  dir: z.enum(["asc", "desc"]).default("desc"),
});
export type RecordingQuery = z.input<typeof RecordingQuery>;

/**
 * The newest sessions read at most: the list is built from the audit trail (the open and close
 * entries), sorted and filtered in the process. At 90 days' retention that covers about 22
 * sessions a day; older ones say so (`truncated`) and stay reachable from the audit trail.
 */
export const MAX_RECORDINGS = 2_000;

export interface RecordingView {
  sessionId: string;
  requestId: string;
  openedBy: string;
  openedById: string | null;
  hostId: string | null;
  hostName: string | null;
  containerId: string | null;
  containerName: string | null;
  mode: string;
  command: string;
  startedAt: Date;
  /** Null while the session is open (or when its close was never recorded: the control plane stopped). */
  endedAt: Date | null;
  durationMs: number | null;
  /** The recording's size in bytes once closed. */
  bytes: number | null;
  truncated: boolean;
  /** Why there is no (whole) recording. */
  error: string | null;
  /** Whether the file is still here (deleted after the retention period otherwise). */
  available: boolean;
}

interface OpenParams {
  sessionId?: string;
  mode?: string;
  command?: string;
  recording?: { file?: string; error?: string | null } | null;
}
interface CloseParams {
  durationMs?: number;
  recording?: { bytes?: number; truncated?: boolean; error?: string | null } | null;
}

const parse = <T>(json: string | null): T => {
  try {
    return (json ? JSON.parse(json) : {}) as T;
  } catch {
    return {} as T;
  }
};

/**
 * The recorded terminal sessions `user` may play (mayPlayRecording), from their audit entries: who
 * opened it, the container, the host, when, how long, the recording's size. Sorted and filtered as asked.
 */
export async function listRecordings(
  db: Db,
  user: { id: string; role: string },
  raw: RecordingQuery,
  exists: (sessionId: string) => boolean,
): Promise<{ items: RecordingView[]; truncated: boolean }> {
  const q = RecordingQuery.parse(raw);
  const opened = await db.auditEntry.findMany({
    where: {
      action: { in: ["terminal.attach", "terminal.exec"] },
      phase: "requested",
      ...(user.role === "admin" ? {} : { actorId: user.id }),
      ...(q.hostId ? { hostId: q.hostId } : {}),
      ...(q.sessionId ? { params: { contains: `"sessionId":${JSON.stringify(q.sessionId)}` } } : {}),
    },
    orderBy: { seq: "desc" },
    take: MAX_RECORDINGS + 1,
  });
  const truncated = opened.length > MAX_RECORDINGS;
  const page = opened.slice(0, MAX_RECORDINGS);
  const closes = page.length
    ? await db.auditEntry.findMany({ where: { action: "terminal.close", requestId: { in: page.map((e) => e.requestId) } }, select: { requestId: true, at: true, params: true } })
    : [];
  const closed = new Map(closes.map((c) => [c.requestId, c]));
  const words = (q.q ?? "").toLowerCase().split(/\s+/).filter(Boolean);
  const items: RecordingView[] = [];
  for (const e of page) {
    const p = parse<OpenParams>(e.params);
    // A session refused before it was recorded has no recording to list.
    if (!p.sessionId || !p.recording?.file || !mayPlayRecording(user, e.actorId)) continue;
    if (q.sessionId && p.sessionId !== q.sessionId) continue;
    const close = closed.get(e.requestId);
    const c = parse<CloseParams>(close?.params ?? null);
    const view: RecordingView = {
      sessionId: p.sessionId,
      requestId: e.requestId,
      openedBy: e.actorName,
      openedById: e.actorId,
      hostId: e.hostId,
      hostName: e.hostName,
      containerId: e.targetId,
      containerName: e.targetName,
      mode: p.mode ?? e.action.slice("terminal.".length),
      command: p.command ?? "",
      startedAt: e.at,
      endedAt: close?.at ?? null,
      durationMs: typeof c.durationMs === "number" ? c.durationMs : null,
      bytes: typeof c.recording?.bytes === "number" ? c.recording.bytes : null,
      truncated: c.recording?.truncated === true,
      error: c.recording?.error ?? p.recording.error ?? null,
      available: exists(p.sessionId),
    };
    const text = [view.openedBy, view.containerName, view.hostName, view.command, view.sessionId].join(" ").toLowerCase();
    if (words.every((w) => text.includes(w))) items.push(view);
  }
  const key: Record<(typeof RECORDING_SORTS)[number], (r: RecordingView) => number | string> = {
    started: (r) => r.startedAt.getTime(),
    // Not closed (yet): as long as it has lasted so far.
    duration: (r) => r.durationMs ?? Date.now() - r.startedAt.getTime(),
    user: (r) => r.openedBy.toLowerCase(),
    container: (r) => (r.containerName ?? "").toLowerCase(),
    host: (r) => (r.hostName ?? "").toLowerCase(),
  };
  const by = key[q.sort];
  const sign = q.dir === "asc" ? 1 : -1;
  // Ties keep the newest first.
  items.sort((a, b) => {
    const x = by(a);
    const y = by(b);
    return x < y ? -sign : x > y ? sign : b.startedAt.getTime() - a.startedAt.getTime();
  });
  return { items, truncated };
}
