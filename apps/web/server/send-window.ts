import WebSocket from "ws";

/**
 * What one browser socket still owes us, counted two ways, because acknowledgements alone cannot be
 * trusted: bytes sent and not yet acknowledged (what the browser says it rendered), and bytes not yet
 * handed to the kernel (what `ws` still holds in this process: its send callback fires once a frame
 * is written out). A browser that acknowledges everything and reads nothing keeps the second one
 * growing, so flow control pauses on whichever is larger. Acknowledgements beyond what was sent are
 * ignored, never credited.
 */
export class SendWindow {
  private unacked = 0;
  private unflushed = 0;

  constructor(
    private readonly ws: WebSocket,
    /** Called when bytes leave the process, so a paused stream can resume. */
    private readonly onFlushed: () => void,
  ) {}

  send(data: Buffer): void {
    if (this.ws.readyState !== WebSocket.OPEN) return;
    const n = data.length;
    this.unacked += n;
    this.unflushed += n;
    this.ws.send(data, { binary: true }, () => {
      this.unflushed -= n;
      this.onFlushed();
    });
  }

  ack(bytes: number): void {
    this.unacked -= Math.min(bytes, this.unacked);
  }

  /** Bytes this socket is behind: the larger of unacknowledged and not yet written out. */
  get behind(): number {
    return Math.max(this.unacked, this.unflushed);
  }

  /** Bytes `ws` holds in this process for it (what a lying browser would grow). */
  get held(): number {
    return this.unflushed;
  }
}
