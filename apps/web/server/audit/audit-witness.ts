import fs from "node:fs";
import path from "node:path";
import { MAX_CHECKPOINT_LINE } from "./audit-checkpoint";

/** Somewhere outside the database that keeps each signed checkpoint line it is given. */
export interface Witness {
  readonly name: string;
  /** Resolves once the line is kept; rejects with why not. */
  write(line: string): Promise<void>;
}

/** A witness that can give its lines back, for `verify`. */
export interface CheckpointSource {
  readonly name: string;
  /** Every line, oldest first, numbered from 1; a line too long to be a checkpoint comes back cut short. */
  lines(): AsyncIterable<{ line: number; text: string }>;
}

/**
 * The default witness: an append-only JSON-lines file in the data directory (mode 0600). Each
 * checkpoint is one write to a descriptor opened with O_APPEND, so lines from several processes
 * sharing the file never interleave, and is synced before it counts as kept.
 */
export class FileWitness implements Witness, CheckpointSource {
  readonly name: string;

  constructor(readonly file: string) {
    // The report names the file, not where the server keeps its data.
    this.name = path.basename(file);
  }

  async write(line: string): Promise<void> {
    try {
      const fh = await fs.promises.open(this.file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o600);
      try {
        await fh.write(`${line}\n`);
        await fh.sync();
      } finally {
        await fh.close();
      }
    } catch (err) {
      // The code, not the message: that names the server's paths, and this reaches the audit page.
      throw new Error(`could not be written (${(err as NodeJS.ErrnoException).code ?? "error"})`);
    }
  }

  async *lines(): AsyncIterable<{ line: number; text: string }> {
    let stream: fs.ReadStream;
    try {
      stream = fs.createReadStream(this.file, { encoding: "utf8", highWaterMark: 64 * 1024 });
      await new Promise<void>((resolve, reject) => stream.once("open", () => resolve()).once("error", reject));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return; // no checkpoint written yet
      throw err;
    }
    // Split by hand rather than with readline, so a line without end (someone else's bytes) is cut
    // short instead of held whole in memory.
    let line = 0;
    let pending = "";
    let overlong = false;
    for await (const chunk of stream as AsyncIterable<string>) {
      let start = 0;
      for (let nl = chunk.indexOf("\n"); nl !== -1; start = nl + 1, nl = chunk.indexOf("\n", start)) {
        const text = overlong ? pending : pending + chunk.slice(start, nl);
        pending = "";
        overlong = false;
        line++;
        if (text.trim()) yield { line, text: text.slice(0, MAX_CHECKPOINT_LINE + 1) };
      }
      if (!overlong) pending += chunk.slice(start);
      if (pending.length > MAX_CHECKPOINT_LINE) {
        pending = pending.slice(0, MAX_CHECKPOINT_LINE + 1);
        overlong = true;
      }
    }
    if (pending.trim()) yield { line: line + 1, text: pending };
  }

  /** The last line of the file (read from its end), or null: where the previous run left off. */
  async last(): Promise<string | null> {
    let fh: fs.promises.FileHandle;
    try {
      fh = await fs.promises.open(this.file, "r");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
      throw err;
    }
    try {
      const { size } = await fh.stat();
      const length = Math.min(size, 2 * MAX_CHECKPOINT_LINE);
      const { buffer } = await fh.read(Buffer.alloc(length), 0, length, size - length);
      const lines = buffer.toString("utf8").split("\n").filter((l) => l.trim());
      return lines[lines.length - 1] ?? null;
    } finally {
      await fh.close();
    }
  }
}

/** Deliveries kept for a retry while the receiver is away: a day of checkpoints at the default interval. */
const MAX_PENDING = 1440;
const TIMEOUT_MS = 5_000;

/**
 * Posts each checkpoint (the same JSON as a file line) to a receiver the operator runs elsewhere
 * (AUDIT_WITNESS_URL). A failed delivery stays queued and is sent again, in order, before the next
 * checkpoint; each request gives up after 5 s. Runs beside the appends, never in their way.
 */
export class WebhookWitness implements Witness {
  readonly name = "webhook";
  private readonly pending: string[] = [];

  constructor(private readonly url: string) {}

  /** Checkpoints given but not delivered yet. */
  get backlog(): number {
    return this.pending.length;
  }

  async write(line: string): Promise<void> {
    this.pending.push(line);
    if (this.pending.length > MAX_PENDING) this.pending.shift();
    while (this.pending.length > 0) {
      await this.post(this.pending[0]!);
      this.pending.shift();
    }
  }

  private async post(body: string): Promise<void> {
    let res: Response;
    try {
      res = await fetch(this.url, {
        method: "POST",
        headers: { "content-type": "application/json", "user-agent": "stevedore-audit-witness" },
        body,
        // A redirect could carry the checkpoint somewhere the operator did not name.
        redirect: "error",
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (err) {
      // Only the cause, never the URL (it may hold a credential).
      const cause = err instanceof Error ? ((err.cause as { code?: string } | undefined)?.code ?? err.name) : String(err);
      throw new Error(`the witness could not be reached (${cause}); ${this.pending.length} checkpoint(s) kept for the next try`);
    }
    await res.body?.cancel();
    if (!res.ok) throw new Error(`the witness answered ${res.status}; ${this.pending.length} checkpoint(s) kept for the next try`);
  }
}
