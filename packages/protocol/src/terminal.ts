import { z } from "zod";
import { ContainerId } from "./model";
import { LogsEnded, LogsStart } from "./logs";

/**
 * Terminals. Each session has its own WebSocket on both legs, never the agent's control channel:
 *
 *   browser ──/terminal?ticket=…──▶ control plane ◀──/agent/stream (dialled by the agent)── agent ── engine
 *
 * The control plane asks the agent (a `stream.open` request on the control channel) to dial a stream
 * socket for a stream id; on that socket it sends `terminal.start`, then input as binary frames. The
 * agent answers `started`, then output as binary frames (first byte: 1 stdout, 2 stderr), and `ended`.
 * Backpressure is TCP's on the agent leg (the control plane stops reading; the agent stops reading
 * the engine) and the browser's acknowledgements on the browser leg (xterm.js's flow-control pattern).
 */

export const TERMINAL_SOCKET_PATH = "/terminal";
export const AGENT_STREAM_PATH = "/agent/stream";
export const STREAM_ID_HEADER = "x-stevedore-stream";

/** Unacknowledged output above which the control plane stops reading the agent, and below which it resumes. */
export const TERMINAL_HIGH_WATER = 100 * 1024;
export const TERMINAL_LOW_WATER = 10 * 1024;

/** The first byte of each binary output frame from the agent. */
export const OutputStream = { stdout: 1, stderr: 2 } as const;

export const TerminalMode = z.enum(["attach", "exec"]);
export type TerminalMode = z.infer<typeof TerminalMode>;

/** The engine's detach-keys syntax: comma-separated `ctrl-<key>` or single characters, e.g. `ctrl-p,ctrl-q`. */
export const DetachKeys = z
  .string()
  .trim()
  .max(64)
  .regex(/^((ctrl-[a-z@[\\\]^_])|[a-zA-Z0-9])(,((ctrl-[a-z@[\\\]^_])|[a-zA-Z0-9]))*$/, "detach keys look like ctrl-p,ctrl-q (ctrl-<letter> or single characters, comma-separated)");
export const DEFAULT_DETACH_KEYS = "ctrl-p,ctrl-q";

export const TerminalSize = z.object({ cols: z.number().int().min(1).max(1000), rows: z.number().int().min(1).max(1000) });
export type TerminalSize = z.infer<typeof TerminalSize>;

export const TerminalStart = z.object({
  type: z.literal("terminal.start"),
  mode: TerminalMode,
  containerId: ContainerId,
  /** exec only: the command, e.g. ["sh"]. */
  cmd: z.array(z.string().max(4096)).min(1).max(256).optional(),
  /** exec only: user[:group] inside the container. */
  user: z.string().max(256).optional(),
  size: TerminalSize,
  detachKeys: DetachKeys,
});
export type TerminalStart = z.infer<typeof TerminalStart>;

/** How a session ended, as the UI words it. */
export const TerminalEndReason = z.enum(["exited", "detached", "container-stopped", "closed", "error"]);
export type TerminalEndReason = z.infer<typeof TerminalEndReason>;

/** control plane → agent, text frames on a stream socket (a terminal's, or a log stream's: logs.ts). */
export const StreamControlMessage = z.discriminatedUnion("type", [
  TerminalStart,
  LogsStart,
  z.object({ type: z.literal("resize"), size: TerminalSize }),
  z.object({ type: z.literal("close") }),
]);
export type StreamControlMessage = z.infer<typeof StreamControlMessage>;

/** agent → control plane, text frames on a stream socket. */
export const StreamAgentMessage = z.discriminatedUnion("type", [
  z.object({ type: z.literal("started"), tty: z.boolean(), execId: z.string().max(128).optional() }),
  z.object({
    type: z.literal("ended"),
    reason: TerminalEndReason,
    exitCode: z.number().int().optional(),
    message: z.string().max(4096).optional(),
  }),
  LogsEnded,
]);
export type StreamAgentMessage = z.infer<typeof StreamAgentMessage>;

/** An opaque id for one user watching one session (the same in all their tabs), never their user id. */
export const ViewerId = z.string().regex(/^v_[A-Za-z0-9_-]{8,40}$/, "not a viewer id");

/**
 * Who is watching a session, one entry per user (a user with two tabs is one viewer). The owner (who
 * opened it) always may type; anyone else who joins watches read-only until the owner allows them.
 */
export const TerminalViewer = z.object({
  viewerId: ViewerId,
  email: z.string().max(254),
  canType: z.boolean(),
  owner: z.boolean(),
  /** Open sockets (tabs) of this user on the session. */
  connections: z.number().int().min(1),
});
export type TerminalViewer = z.infer<typeof TerminalViewer>;

/** browser → control plane, text frames (input is binary, and only taken from a viewer who may type). */
export const TerminalClientMessage = z.discriminatedUnion("type", [
  /** Bytes of output the browser has rendered since its last ack. */
  z.object({ type: z.literal("ack"), bytes: z.number().int().min(0).max(1 << 30) }),
  /** Only from a viewer who may type; a read-only viewer's is dropped. */
  z.object({ type: z.literal("resize"), size: TerminalSize }),
  /** Owner only: let a viewer type, or take it back. */
  z.object({ type: z.literal("allow-input"), viewerId: ViewerId, allowed: z.boolean() }),
]);
export type TerminalClientMessage = z.infer<typeof TerminalClientMessage>;

/** control plane → browser, text frames (output is binary). */
export const TerminalServerMessage = z.discriminatedUnion("type", [
  z.object({
    type: z.literal("hello"),
    sessionId: z.string(),
    mode: TerminalMode,
    tty: z.boolean(),
    size: TerminalSize,
    detachKeys: z.string(),
    /** This browser's viewer: whether it is the owner's and whether it may type now. */
    viewerId: ViewerId,
    owner: z.boolean(),
    canType: z.boolean(),
    viewers: z.array(TerminalViewer).max(1000),
    /** Set while the agent is still starting the process. */
    starting: z.boolean(),
  }),
  /** Whenever someone joins or leaves, or the owner allows or stops a viewer's typing. */
  z.object({ type: z.literal("viewers"), viewers: z.array(TerminalViewer).max(1000) }),
  /** Something this viewer sent was not done (input while read-only, an owner's action): the socket stays up. */
  z.object({ type: z.literal("refused"), message: z.string().max(1024) }),
  z.object({ type: z.literal("resize"), size: TerminalSize }),
  z.object({
    type: z.literal("ended"),
    reason: TerminalEndReason,
    exitCode: z.number().int().optional(),
    message: z.string().optional(),
  }),
]);
export type TerminalServerMessage = z.infer<typeof TerminalServerMessage>;

/** Output faster than OUTPUT_BUSY_BYTES per OUTPUT_BATCH_MS is sent in batches, one per OUTPUT_BATCH_MS. */
export const OUTPUT_BATCH_MS = 5;
const OUTPUT_BUSY_BYTES = 1024;

/**
 * Batches a stream of output chunks. Output goes out at the end of the current event-loop turn, so a
 * keystroke's echo is not delayed; only while output streams fast (a flood, a long listing) are the
 * chunks of each OUTPUT_BATCH_MS window gathered and sent together. A flood of 80-byte reads (the
 * engine's TTY path) then costs one frame, one recording event and one parse per window, not per read.
 */
export class ChunkCoalescer {
  private chunks: Buffer[] = [];
  private timer: NodeJS.Immediate | NodeJS.Timeout | null = null;
  private windowStart = 0;
  private windowBytes = 0;

  constructor(private readonly onData: (data: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.chunks.push(chunk);
    if (this.timer) return;
    const windowLeft = this.windowStart + OUTPUT_BATCH_MS - performance.now();
    const busy = windowLeft > 0 && this.windowBytes >= OUTPUT_BUSY_BYTES;
    this.timer = busy ? setTimeout(() => this.flush(), windowLeft) : setImmediate(() => this.flush());
  }

  /** Hands over what is gathered now (before a message that must follow it). */
  flush(): void {
    if (this.timer) {
      clearTimeout(this.timer as NodeJS.Timeout);
      clearImmediate(this.timer as NodeJS.Immediate);
      this.timer = null;
    }
    if (this.chunks.length === 0) return;
    const data = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks);
    this.chunks = [];
    const now = performance.now();
    if (now - this.windowStart >= OUTPUT_BATCH_MS) {
      this.windowStart = now;
      this.windowBytes = 0;
    }
    this.windowBytes += data.length;
    this.onData(data);
  }
}
