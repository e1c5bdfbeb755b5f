import WebSocket from "ws";
import { TERMINAL_SOCKET_PATH, type TerminalServerMessage } from "@stevedore/protocol";
import { waitFor } from "./engine";
import { socketOpened } from "./ws";

/**
 * A terminal viewer as a browser is one: opens /terminal with a ticket and the page's Origin, collects
 * output, and acknowledges what it "rendered" (at once, or only when told, to play a slow browser).
 */
export class TerminalClient {
  readonly ws: WebSocket;
  readonly messages: TerminalServerMessage[] = [];
  private chunks: Buffer[] = [];
  received = 0;
  /** Output messages received (the relay's frame count). */
  frames = 0;
  lastOutputAt = 0;
  private unacked = 0;
  closed: { code: number; reason: string } | null = null;

  /** `keepOutput: false` counts output without keeping it (a long flood). */
  constructor(url: string, ticket: string, opts: { cookie: string; origin?: string; autoAck?: boolean; keepOutput?: boolean }) {
    this.ws = new WebSocket(`${url.replace(/^http/, "ws")}${TERMINAL_SOCKET_PATH}?ticket=${encodeURIComponent(ticket)}`, { headers: { origin: opts.origin ?? url, cookie: opts.cookie } });
    const autoAck = opts.autoAck ?? true;
    this.ws.on("message", (data: Buffer, isBinary) => {
      if (!isBinary) {
        this.messages.push(JSON.parse(data.toString()) as TerminalServerMessage);
        return;
      }
      if (opts.keepOutput !== false) this.chunks.push(data);
      this.received += data.length;
      this.frames++;
      this.lastOutputAt = Date.now();
      this.unacked += data.length;
      if (autoAck) this.ack();
    });
    this.ws.on("close", (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ws.on("error", () => {});
  }

  opened(): Promise<void> {
    return socketOpened(this.ws);
  }

  get text(): string {
    return Buffer.concat(this.chunks).toString("utf8");
  }

  ack(): void {
    if (this.unacked === 0 || this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(JSON.stringify({ type: "ack", bytes: this.unacked }));
    this.unacked = 0;
  }

  type(text: string): void {
    this.ws.send(Buffer.from(text), { binary: true });
  }

  resize(cols: number, rows: number): void {
    this.ws.send(JSON.stringify({ type: "resize", size: { cols, rows } }));
  }

  async waitForText(pattern: RegExp | string, timeoutMs = 10_000): Promise<void> {
    await waitFor(() => (typeof pattern === "string" ? this.text.includes(pattern) : pattern.test(this.text)), { timeoutMs, what: `terminal output ${pattern}` }).catch((err: Error) => {
      throw new Error(`${err.message}; the terminal shows ${JSON.stringify(this.text.slice(-400))}, messages ${JSON.stringify(this.messages)}`);
    });
  }

  async message<T extends TerminalServerMessage["type"]>(type: T, timeoutMs = 10_000): Promise<Extract<TerminalServerMessage, { type: T }>> {
    return waitFor(() => this.messages.find((m) => m.type === type) as Extract<TerminalServerMessage, { type: T }> | undefined, { timeoutMs, what: `a "${type}" message` });
  }

  close(): void {
    this.ws.close();
  }
}
