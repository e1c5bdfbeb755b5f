import fs from "node:fs";
import path from "node:path";
import { StringDecoder } from "node:string_decoder";

/** The label of the marker event that names who typed the input events after it. */
export const INPUT_MARKER = "input: ";

export interface RecordingOutcome {
  /** File name under the recordings directory. */
  file: string;
  bytes: number;
  truncated: boolean;
  /** Set when the recording could not be (fully) written. */
  error: string | null;
}

/**
 * An asciicast v2 recording (https://docs.asciinema.org/manual/asciicast/v2/): a header line, then one
 * JSON array per event, [seconds, "o" | "i" | "r" | "m", data]. Output is decoded as UTF-8 across chunk
 * boundaries, so a character split between two reads is written whole. Past `maxBytes` the recording
 * stops (the session goes on) and says so in its outcome.
 *
 * Input is attributed: before the first input event, and whenever the typist changes, a marker event
 * `[seconds, "m", "input: <email>"]` names who typed the input events that follow. Markers are part of
 * asciicast v2 (asciinema-player shows them as chapter points; older players skip unknown codes), so
 * the file still plays everywhere, and `"i"` events keep their standard shape.
 */
export class Recorder {
  private readonly out: fs.WriteStream;
  private readonly started = process.hrtime.bigint();
  private readonly output = new StringDecoder("utf8");
  private input = new StringDecoder("utf8");
  /** Who typed the last input event (its marker has been written). */
  private typist: string | null = null;
  private bytes = 0;
  private truncated = false;
  private error: string | null = null;
  private closed: Promise<void> | null = null;

  constructor(
    private readonly dir: string,
    readonly file: string,
    header: { cols: number; rows: number; title: string; command: string },
    private readonly maxBytes: number,
  ) {
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.out = fs.createWriteStream(path.join(dir, file), { flags: "wx", mode: 0o600 });
    this.out.on("error", (err) => (this.error ??= err.message));
    this.write(
      JSON.stringify({
        version: 2,
        width: header.cols,
        height: header.rows,
        timestamp: Math.floor(Date.now() / 1000),
        title: header.title,
        command: header.command,
        env: { TERM: "xterm-256color", SHELL: header.command },
      }),
    );
  }

  /** Fails if the file cannot be created (strict mode refuses the session then). */
  ready(): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.error) return reject(new Error(this.error));
      this.out.once("open", () => resolve());
      this.out.once("error", reject);
    });
  }

  outputData(data: Buffer): void {
    const text = this.output.write(data);
    if (text) this.event("o", text);
  }

  /** Input typed by `typist` (an email); a marker names them when they are not who typed last. */
  inputData(data: Buffer, typist: string): void {
    if (typist !== this.typist) {
      // A character the previous typist left half-sent is theirs, not the next one's.
      const rest = this.input.end();
      if (rest) this.event("i", rest);
      this.input = new StringDecoder("utf8");
      this.typist = typist;
      this.event("m", `${INPUT_MARKER}${typist}`);
    }
    const text = this.input.write(data);
    if (text) this.event("i", text);
  }

  resize(cols: number, rows: number): void {
    this.event("r", `${cols}x${rows}`);
  }

  close(): Promise<RecordingOutcome> {
    this.closed ??= new Promise<void>((resolve) => this.out.end(resolve));
    return this.closed.then(() => ({ file: this.file, bytes: this.bytes, truncated: this.truncated, error: this.error }));
  }

  private event(code: "o" | "i" | "r" | "m", data: string): void {
    const seconds = Number(process.hrtime.bigint() - this.started) / 1e9;
    this.write(JSON.stringify([Math.round(seconds * 1e6) / 1e6, code, data]));
  }

  private write(line: string): void {
    if (this.truncated || this.closed) return;
    const size = Buffer.byteLength(line) + 1;
    if (this.bytes + size > this.maxBytes) {
      this.truncated = true;
      return;
    }
    this.bytes += size;
    this.out.write(`${line}\n`);
  }
}
