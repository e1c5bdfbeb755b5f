// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { describe, expect, it } from "vitest";
import { LogBuffer, mergedLogsHref, parseLogTargets, plainText } from "../src/lib/log-buffer";

const bytes = (s: string) => new TextEncoder().encode(s);

describe("the browser's log buffer", () => {
  it("joins lines and UTF-8 split across frames, per container and stream, and strips the TTY's \\r", () => {
    const b = new LogBuffer();
    const snow = bytes("snö\n");
    b.push(0, false, bytes("hel"));
    b.push(0, true, bytes("err-1\n"));
    b.push(0, false, snow.subarray(0, 0));
    b.push(0, false, bytes("lo\r\nsn"));
    b.push(0, false, snow.subarray(2, 3)); // the first byte of ö
    b.push(0, false, snow.subarray(3));
    b.endBatch(false);
    expect(b.lines.map((l) => [l.stderr, l.text])).toEqual([
      [true, "err-1"],
      [false, "hello"],
      [false, "snö"],
    ]);
  });

  it("reads the engine's timestamps (padding the fraction it trims) and orders a merged view by them", () => {
    const b = new LogBuffer();
    b.push(1, false, bytes("2026-11-28T10:00:02.5Z late-b\n"));
    b.push(0, false, bytes("2026-11-28T10:00:01.123456789Z early-a\n2026-11-28T10:00:03Z last-a\n"));
    b.endBatch(true);
    expect(b.lines.map((l) => l.text)).toEqual(["early-a", "late-b", "last-a"]);
    expect(b.lines[1]!.time).toBe("2026-11-28T10:00:02.500000000Z");
  });

  it("keeps at most its bound, counting what it dropped", () => {
    const b = new LogBuffer(3);
    b.push(0, false, bytes("1\n2\n3\n4\n5\n"));
    b.endBatch(false);
    expect(b.lines.map((l) => l.text)).toEqual(["3", "4", "5"]);
    expect(b.dropped).toBe(2);
  });

  it("strips ANSI for search, and round-trips the merged view's URL", () => {
    expect(plainText("\x1b[32mgreen\x1b[0m plain")).toBe("green plain");
    const id = "a".repeat(64);
    expect(parseLogTargets(new URL(`http://x${mergedLogsHref([{ hostId: "host_1", id }])}`).searchParams.get("containers"))).toEqual([{ hostId: "host_1", containerId: id }]);
    expect(parseLogTargets("junk,host:notanid")).toEqual([]);
  });
});
