import WebSocket from "ws";
import { OutputStream } from "@stevedore/protocol";

/** Output waiting in the socket above this stops reading the engine; below the low mark it resumes. */
const SEND_HIGH_WATER = 256 * 1024;
const SEND_LOW_WATER = 64 * 1024;

/**
 * Sends binary frames on a stream socket with backpressure: while too much waits in the socket, the
 * source (the engine's stream) is paused, so a flooding container costs this process no memory.
 */
export class StreamSender {
  private paused = false;
  source: { pause(): unknown; resume(): unknown } | null = null;

  constructor(private readonly ws: WebSocket) {}

  send(frame: Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    this.ws.send(frame, { binary: true }, () => {
      if (this.paused && this.ws.bufferedAmount < SEND_LOW_WATER) {
        this.paused = false;
        this.source?.resume();
      }
    });
    if (!this.paused && this.ws.bufferedAmount > SEND_HIGH_WATER) {
      this.paused = true;
      this.source?.pause();
    }
  }

  sendJson(msg: object): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }
}

/** The engine's multiplexed (non-TTY) stream: 8-byte headers [stream, 0, 0, 0, size(4, big-endian)]. */
export class FrameDemuxer {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly onFrame: (stream: number, payload: Buffer) => void) {}

  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    let at = 0;
    while (this.pending.length - at >= 8) {
      const size = this.pending.readUInt32BE(at + 4);
      if (this.pending.length - at < 8 + size) break;
      const stream = this.pending[at]!;
      this.onFrame(stream === 2 ? OutputStream.stderr : OutputStream.stdout, this.pending.subarray(at + 8, at + 8 + size));
      at += 8 + size;
    }
    this.pending = this.pending.subarray(at);
  }
}
