import { fileURLToPath } from "node:url";
import { Worker } from "node:worker_threads";
import type { ScreenReply, ScreenRequest } from "./screen-protocol";

/** Output in flight to the emulator above this switches a session to catching up from its tail. */
const MAX_IN_FLIGHT = 1024 * 1024;
/** While catching up, this much of the latest output is kept to redraw from. */
const TAIL_BYTES = 256 * 1024;

let worker: Worker | null = null;
const mirrors = new Map<string, ScreenMirror>();

function screenWorker(): Worker {
  if (worker) return worker;
  // The worker is TypeScript like the rest of the server: a one-line bootstrap loads it through tsx.
  const tsx = import.meta.resolve("tsx/esm/api");
  const entry = fileURLToPath(new URL("./screen-worker.ts", import.meta.url));
  worker = new Worker(`import(${JSON.stringify(tsx)}).then((api) => api.tsImport(${JSON.stringify(entry)}, ${JSON.stringify(import.meta.url)}));`, { eval: true });
  worker.unref();
  worker.on("message", (msg: ScreenReply) => mirrors.get(msg.id)?.onReply(msg));
  worker.on("error", (err) => {
    // Replays fall back to an empty screen; the sessions themselves are unaffected.
    for (const m of mirrors.values()) m.onWorkerLost(err);
    worker = null;
  });
  return worker;
}

/**
 * A copy of one session's screen, kept by a terminal emulator in a worker thread, so a viewer who
 * joins or reloads gets the screen as it is (colours, cursor, full-screen programs), not a byte tail.
 * When output arrives faster than the emulator parses it (a flood), the mirror stops feeding it and
 * keeps only the latest output; once the emulator catches up it is reset and redrawn from that tail,
 * which reproduces what a flood leaves on screen. Memory stays bounded either way.
 */
export class ScreenMirror {
  private inFlight = 0;
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private skipping = false;
  private nextRequest = 0;
  private readonly pending = new Map<number, (screen: string) => void>();
  /** Snapshots asked for while catching up wait for the redraw, so they show the latest screen. */
  private deferred: number[] = [];

  constructor(
    private readonly id: string,
    size: { cols: number; rows: number },
  ) {
    mirrors.set(id, this);
    this.post({ type: "create", id, cols: size.cols, rows: size.rows });
  }

  write(data: Buffer): void {
    if (this.skipping || this.inFlight > MAX_IN_FLIGHT) {
      this.skipping = true;
      this.keepTail(data);
      return;
    }
    this.send(data);
  }

  resize(cols: number, rows: number): void {
    this.post({ type: "resize", id: this.id, cols, rows });
  }

  /** The screen (with scrollback) as escape sequences that redraw it in a fresh terminal. */
  snapshot(): Promise<string> {
    const requestId = this.nextRequest++;
    return new Promise((resolve) => {
      this.pending.set(requestId, resolve);
      if (this.skipping) this.deferred.push(requestId);
      else this.post({ type: "snapshot", id: this.id, requestId });
    });
  }

  dispose(): void {
    this.post({ type: "dispose", id: this.id });
    mirrors.delete(this.id);
    for (const resolve of this.pending.values()) resolve("");
    this.pending.clear();
  }

  onReply(msg: ScreenReply): void {
    if (msg.type === "snapshot") {
      this.pending.get(msg.requestId)?.(msg.data);
      this.pending.delete(msg.requestId);
      return;
    }
    this.inFlight -= msg.bytes;
    if (this.skipping && this.inFlight === 0) {
      // Caught up: redraw from the latest output.
      this.skipping = false;
      this.post({ type: "reset", id: this.id });
      const tail = Buffer.concat(this.tail);
      this.tail = [];
      this.tailBytes = 0;
      this.send(tail);
      for (const requestId of this.deferred) this.post({ type: "snapshot", id: this.id, requestId });
      this.deferred = [];
    }
  }

  onWorkerLost(_err: Error): void {
    this.inFlight = 0;
    for (const resolve of this.pending.values()) resolve("");
    this.pending.clear();
  }

  private send(data: Buffer): void {
    if (data.length === 0) return;
    this.inFlight += data.length;
    this.post({ type: "write", id: this.id, data: new Uint8Array(data) });
  }

  private keepTail(data: Buffer): void {
    this.tail.push(data);
    this.tailBytes += data.length;
    while (this.tailBytes - this.tail[0]!.length >= TAIL_BYTES) this.tailBytes -= this.tail.shift()!.length;
  }

  private post(msg: ScreenRequest): void {
    screenWorker().postMessage(msg);
  }
}
