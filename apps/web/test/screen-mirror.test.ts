// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { describe, expect, it } from "vitest";
import { ScreenMirror } from "../server/terminals/screen-mirror";

describe("screen mirror (the emulator behind terminal replay)", () => {
  it("replays colours and the cursor's screen, not raw bytes", async () => {
    const m = new ScreenMirror("mirror-colours", { cols: 40, rows: 5 });
    m.write(Buffer.from("first\r\n\x1b[2J\x1b[H\x1b[32mgreen\x1b[0m after clear"));
    const screen = await m.snapshot();
    m.dispose();
    expect(screen).toContain("\x1b[32mgreen");
    expect(screen).toContain("after clear");
    expect(screen).not.toContain("\x1b[2J");
  });

  it("keeps up with a flood by redrawing from the latest output, and ends on the flood's last screen", async () => {
    const m = new ScreenMirror("mirror-flood", { cols: 80, rows: 24 });
    const line = (i: number) => `line ${String(i).padStart(8, "0")} ${"y".repeat(60)}\r\n`;
    // ~30 MB at once: far more than the emulator parses before the snapshot is asked for.
    let chunk = "";
    for (let i = 0; i < 400_000; i++) {
      chunk += line(i);
      if (chunk.length > 64 * 1024) {
        m.write(Buffer.from(chunk));
        chunk = "";
      }
    }
    m.write(Buffer.from(`${chunk}END-OF-FLOOD`));
    const screen = await m.snapshot();
    m.dispose();
    expect(screen).toContain("line 00399999");
    expect(screen).toContain("END-OF-FLOOD");
  });
});
