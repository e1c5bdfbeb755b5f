import WebSocket from "ws";
import { LOG_FRAME_HEADER, LOGS_SOCKET_PATH, type LogOptions, type LogsServerMessage } from "@stevedore/protocol";
import { waitFor } from "./engine";
import { socketOpened } from "./ws";

export interface LogLine {
  stream: number;
  kind: "stdout" | "stderr";
  text: string;
}

/**
 * A logs viewer as a browser is one: opens /logs with a ticket and the page's Origin, opens container
 * streams on it, splits frames into lines per stream, and acknowledges what it "rendered" (at once,
 * or only when told, to play a slow browser).
 */
export class LogsClient {
  readonly ws: WebSocket;
  readonly messages: LogsServerMessage[] = [];
  readonly lines: LogLine[] = [];
  received = 0;
  /** Newline bytes received (lines, also when they are not kept). */
  newlines = 0;
  private unacked = 0;
  private readonly partial = new Map<string, string>();
  closed: { code: number; reason: string } | null = null;

  constructor(url: string, ticket: string, opts: { cookie: string; origin?: string; autoAck?: boolean; keepLines?: boolean }) {
    this.ws = new WebSocket(`${url.replace(/^http/, "ws")}${LOGS_SOCKET_PATH}?ticket=${encodeURIComponent(ticket)}`, { headers: { origin: opts.origin ?? url, cookie: opts.cookie } });
    const autoAck = opts.autoAck ?? true;
    this.ws.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) {
        this.messages.push(JSON.parse(data.toString()) as LogsServerMessage);
        return;
      }
      this.received += data.length;
      this.unacked += data.length;
      for (let i = data.indexOf(10, LOG_FRAME_HEADER); i !== -1; i = data.indexOf(10, i + 1)) this.newlines++;
      if (opts.keepLines !== false) this.split(data);
      if (autoAck) this.ack();
    });
    this.ws.on("close", (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ws.on("error", () => {});
  }

  private split(frame: Buffer): void {
    const stream = frame.readUInt32BE(0);
    const kind = frame[LOG_FRAME_HEADER - 1] === 2 ? "stderr" : "stdout";
    const key = `${stream}:${kind}`;
    const parts = ((this.partial.get(key) ?? "") + frame.subarray(LOG_FRAME_HEADER).toString("utf8")).split("\n");
    this.partial.set(key, parts.pop()!);
    for (const text of parts) this.lines.push({ stream, kind, text });
  }

  opened(): Promise<void> {
    return socketOpened(this.ws);
  }

  open(stream: number, hostId: string, containerId: string, options: Partial<LogOptions> = {}): void {
    this.ws.send(JSON.stringify({ type: "open", stream, hostId, containerId, options: { follow: true, timestamps: false, ...options } }));
  }

  closeStream(stream: number): void {
    this.ws.send(JSON.stringify({ type: "close", stream }));
  }

  ack(): void {
    if (this.unacked === 0 || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ type: "ack", bytes: this.unacked }));
    this.unacked = 0;
  }

  textOf(stream: number, kind?: LogLine["kind"]): string[] {
    return this.lines.filter((l) => l.stream === stream && (!kind || l.kind === kind)).map((l) => l.text);
  }

  async waitForLine(stream: number, pattern: RegExp, timeoutMs = 10_000): Promise<LogLine> {
    return waitFor(() => this.lines.find((l) => l.stream === stream && pattern.test(l.text)), { timeoutMs, what: `a line ${pattern} on stream ${stream}` }).catch((err: Error) => {
      throw new Error(`${err.message}; got ${JSON.stringify(this.lines.slice(-10))}, messages ${JSON.stringify(this.messages)}`);
    });
  }

  async message<T extends LogsServerMessage["type"]>(type: T, stream: number, timeoutMs = 10_000): Promise<Extract<LogsServerMessage, { type: T }>> {
    return waitFor(() => this.messages.find((m) => m.type === type && m.stream === stream) as Extract<LogsServerMessage, { type: T }> | undefined, { timeoutMs, what: `a "${type}" message for stream ${stream}` });
  }

  close(): void {
    this.ws.close();
  }
}
