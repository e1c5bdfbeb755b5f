import { z } from "zod";
import { ContainerId } from "./model";

/**
 * Container logs. Like terminals (terminal.ts), each log stream has its own socket to the agent, never
 * the control channel:
 *
 *   browser ──/logs-socket?ticket=…──▶ control plane ◀──/agent/stream (one per container stream)── agent ── engine
 *
 * The agent gets `logs.start` on its stream socket, answers `started`, then sends output as binary
 * frames (first byte: 1 stdout, 2 stderr; consecutive lines of one kind share a frame), and
 * `logs.ended`. One browser socket carries several container streams (the merged view): the browser
 * `open`s each with a number of its choosing (never reused on that socket), and binary frames to it
 * start with that number (4 bytes, big-endian) and the kind byte. The browser acknowledges bytes as
 * it renders them; above LOGS_HIGH_WATER unacknowledged the control plane stops reading that
 * browser's agent sockets, so a slow browser slows only its own streams.
 */

/** Not under /logs: that is a page, and Next.js's own upgrade listener (added to our server) claims its path. */
export const LOGS_SOCKET_PATH = "/logs-socket";
export const LOGS_DOWNLOAD_PATH = "/api/logs/download";
export const LOGS_HIGH_WATER = 100 * 1024;
export const LOGS_LOW_WATER = 10 * 1024;
/** Container streams one browser socket may carry at once. */
export const MAX_LOG_STREAMS = 16;
/** Bytes before the payload of a binary frame to the browser: stream number (u32 BE) and kind. */
export const LOG_FRAME_HEADER = 5;

const epochMs = z.number().int().min(0).max(8.64e15);

/** What to read, as `docker logs` takes it. Times are epoch milliseconds; no tail means everything. */
export const LogOptions = z
  .object({
    follow: z.boolean(),
    tail: z.number().int().min(0).max(10_000_000).optional(),
    since: epochMs.optional(),
    until: epochMs.optional(),
    timestamps: z.boolean(),
  })
  .refine((o) => o.since === undefined || o.until === undefined || o.since <= o.until, { message: "since must not be after until" });
export type LogOptions = z.infer<typeof LogOptions>;


/** control plane → agent, first text frame on a log stream socket. */
export const LogsStart = z.object({
  type: z.literal("logs.start"),
  containerId: ContainerId,
  options: LogOptions,
});
export type LogsStart = z.infer<typeof LogsStart>;

/** How a log stream ended: all of the history read (`eof`), the container stopped while following, … */
export const LogsEndReason = z.enum(["eof", "container-stopped", "closed", "error"]);
export type LogsEndReason = z.infer<typeof LogsEndReason>;

/** agent → control plane, the last text frame on a log stream socket. */
export const LogsEnded = z.object({ type: z.literal("logs.ended"), reason: LogsEndReason, message: z.string().max(4096).optional() });

const streamNo = z.number().int().min(1).max(0x7fffffff);

/** browser → control plane, text frames. */
export const LogsClientMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("open"), stream: streamNo, hostId: z.string().min(1).max(64), containerId: ContainerId, options: LogOptions }),
  z.object({ type: z.literal("close"), stream: streamNo }),
  /** Bytes of binary frames the browser has rendered since its last ack. */
  z.object({ type: z.literal("ack"), bytes: z.number().int().min(0).max(1 << 30) }),
]);
export type LogsClientMessage = z.infer<typeof LogsClientMessage>;

/** control plane → browser, text frames (output is binary). */
export const LogsServerMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("started"), stream: z.number().int(), tty: z.boolean() }),
  z.object({ type: z.literal("ended"), stream: z.number().int(), reason: LogsEndReason, message: z.string().optional() }),
  /**
   * A followed container stopped; the stream stays open and resumes (another `started`, then a
   * `RESTART_MARKER` line, then the new run's output) when the container runs again.
   */
  z.object({ type: z.literal("waiting"), stream: z.number().int() }),
]);
export type LogsServerMessage = z.infer<typeof LogsServerMessage>;

/** The line a followed stream shows where a container's new run begins. */
export const RESTART_MARKER = "— container restarted —";

/** The engine's `since`/`until` query value for epoch milliseconds: seconds with a fraction. */
export function engineTimestamp(ms: number): string {
  return `${Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, "0")}`;
}
