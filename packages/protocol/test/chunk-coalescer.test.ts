import { describe, expect, it } from "vitest";
import { ChunkCoalescer, OUTPUT_BATCH_MS } from "../src";

const nextTurn = () => new Promise((r) => setImmediate(r));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("terminal output batching", () => {
  it("sends a lone chunk (a keystroke's echo) at the end of the turn, joining what came in the same turn", async () => {
    const out: string[] = [];
    const c = new ChunkCoalescer((d) => out.push(d.toString()));
    c.push(Buffer.from("a"));
    c.push(Buffer.from("b"));
    expect(out).toEqual([]);
    await nextTurn();
    expect(out).toEqual(["ab"]);
    c.push(Buffer.from("c"));
    await nextTurn();
    expect(out).toEqual(["ab", "c"]);
  });

  it("gathers a fast stream into one frame per window, in order, losing nothing", async () => {
    const out: Buffer[] = [];
    const c = new ChunkCoalescer((d) => out.push(d));
    const sent: Buffer[] = [];
    const until = performance.now() + 10 * OUTPUT_BATCH_MS;
    for (let i = 0; performance.now() < until; i++) {
      const chunk = Buffer.from(`${"y\r\n".repeat(26)}${i}\n`);
      sent.push(chunk);
      c.push(chunk);
      await nextTurn();
    }
    await sleep(2 * OUTPUT_BATCH_MS);
    expect(Buffer.concat(out).equals(Buffer.concat(sent))).toBe(true);
    expect(out.length).toBeLessThan(sent.length / 2);
  });

  it("flush hands over pending output at once (before the message that ends a session)", () => {
    const out: string[] = [];
    const c = new ChunkCoalescer((d) => out.push(d.toString()));
    c.push(Buffer.from("last words"));
    c.flush();
    expect(out).toEqual(["last words"]);
    c.flush();
    expect(out).toEqual(["last words"]);
  });
});
