import type { IncomingMessage } from "node:http";
import type Docker from "dockerode";
import type WebSocket from "ws";
import { ChunkCoalescer, OutputStream, StreamControlMessage, decodeMessage, engineTimestamp, type LogsEndReason, type LogsStart, type StreamAgentMessage } from "@stevedore/protocol";
import type { Logger } from "pino";
import { engineMessage } from "./engine";
import { FrameDemuxer, StreamSender } from "./stream-io";

/**
 * One container's logs on a dedicated socket to the control plane (`docker logs [-f]`): history, then
 * live output while following. Without a TTY the engine multiplexes stdout and stderr with one 8-byte
 * header per line; consecutive lines of one kind go out as one frame [kind, bytes…], batched per
 * event-loop turn (or per 5 ms window while flooding). Backpressure pauses the engine's response, and
 * the engine then simply reads its log file later: the container itself is never slowed.
 */
export class LogStream {
  private response: IncomingMessage | null = null;
  private ended = false;
  private readonly sender: StreamSender;
  private readonly abort = new AbortController();

  constructor(
    private readonly ws: WebSocket,
    private readonly docker: Docker,
    private readonly log: Logger,
    start: LogsStart,
  ) {
    this.sender = new StreamSender(ws);
    ws.on("message", (data: Buffer, isBinary) => {
      const decoded = isBinary ? null : decodeMessage(StreamControlMessage, data);
      if (decoded?.ok && decoded.message.type === "close") this.end("closed");
    });
    ws.on("close", () => this.stop());
    ws.on("error", (err) => log.debug({ err: err.message }, "log stream socket error"));
    this.begin(start).catch((err: unknown) => this.end("error", engineMessage(err)));
  }

  private async begin({ containerId, options }: LogsStart): Promise<void> {
    const info = await this.docker.getContainer(containerId).inspect();
    const tty = info.Config.Tty;
    // dockerode buffers the whole answer unless following; dial directly to stream history too.
    const response = await new Promise<IncomingMessage>((resolve, reject) =>
      this.docker.modem.dial(
        {
          path: `/containers/${containerId}/logs?`,
          method: "GET",
          isStream: true,
          abortSignal: this.abort.signal,
          statusCodes: { 200: true, 404: "no such container", 500: "server error" },
          options: {
            follow: options.follow,
            stdout: true,
            stderr: true,
            timestamps: options.timestamps,
            tail: options.tail === undefined ? "all" : String(options.tail),
            ...(options.since !== undefined ? { since: engineTimestamp(options.since) } : {}),
            ...(options.until !== undefined ? { until: engineTimestamp(options.until) } : {}),
          },
        },
        (err, data) => (err ? reject(err as Error) : resolve(data as IncomingMessage)),
      ),
    );
    if (this.ended) return void response.destroy();
    this.response = response;
    this.sender.source = response;
    const output = new ChunkCoalescer(tty ? (data) => this.sender.send(Buffer.concat([Buffer.of(OutputStream.stdout), data])) : (data) => this.sendDemuxed(data));
    response.on("data", (chunk: Buffer) => output.push(chunk));
    response.on("end", () => {
      output.flush();
      this.finish(options.follow);
    });
    response.on("error", (err) => {
      if (!this.ended) this.end("error", err.message);
    });
    this.sender.sendJson({ type: "started", tty } satisfies StreamAgentMessage);
  }

  /** One frame per run of lines of one kind: a flood of lines costs a few frames per batch, not one per line. */
  private sendDemuxed(data: Buffer): void {
    this.demux.push(data);
    this.flushRun();
  }
  private run: { kind: number; parts: Buffer[] } = { kind: 0, parts: [] };
  private readonly demux = new FrameDemuxer((kind, payload) => {
    if (kind !== this.run.kind) this.flushRun();
    this.run.kind = kind;
    this.run.parts.push(payload);
  });
  private flushRun(): void {
    if (this.run.parts.length) this.sender.send(Buffer.concat([Buffer.of(this.run.kind), ...this.run.parts]));
    this.run.parts = [];
  }

  /**
   * The engine ended the stream: all history read, or (following) the container's run ended. It may
   * be running again already (a restart), but that is a new run this stream does not follow: the
   * control plane opens another for it.
   */
  private finish(follow: boolean): void {
    if (this.ended) return;
    this.end(follow ? "container-stopped" : "eof");
  }

  private end(reason: LogsEndReason, message?: string): void {
    if (this.ended) return;
    this.ended = true;
    this.sender.sendJson({ type: "logs.ended", reason, message } satisfies StreamAgentMessage);
    this.ws.close(1000, reason);
    this.stop();
  }

  private stop(): void {
    this.ended = true;
    this.abort.abort();
    this.response?.destroy();
  }
}
