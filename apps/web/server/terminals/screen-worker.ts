/**
 * The terminal emulators behind screen replay, one per session, in a worker thread: parsing output
 * costs CPU that must not delay the relay of other sessions and hosts on the main thread.
 */
import { parentPort } from "node:worker_threads";
import headless from "@xterm/headless";
import serialize from "@xterm/addon-serialize";
import type { ScreenReply, ScreenRequest } from "./screen-protocol";

/** Lines of scrollback kept for a viewer who joins or reconnects. */
const SCROLLBACK = 1000;

interface Screen {
  term: headless.Terminal;
  serializer: serialize.SerializeAddon;
}

const screens = new Map<string, Screen>();
const port = parentPort!;
const reply = (msg: ScreenReply) => port.postMessage(msg);

port.on("message", (msg: ScreenRequest) => {
  const screen = screens.get(msg.id);
  switch (msg.type) {
    case "create": {
      const term = new headless.Terminal({ cols: msg.cols, rows: msg.rows, scrollback: SCROLLBACK, allowProposedApi: true });
      const serializer = new serialize.SerializeAddon();
      term.loadAddon(serializer);
      screens.set(msg.id, { term, serializer });
      return;
    }
    case "write": {
      const bytes = msg.data.byteLength;
      if (!screen) return reply({ type: "written", id: msg.id, bytes });
      screen.term.write(msg.data, () => reply({ type: "written", id: msg.id, bytes }));
      return;
    }
    case "reset":
      screen?.term.reset();
      return;
    case "resize":
      screen?.term.resize(msg.cols, msg.rows);
      return;
    case "snapshot":
      // Answered once everything written before it has been parsed.
      if (!screen) return reply({ type: "snapshot", id: msg.id, requestId: msg.requestId, data: "" });
      screen.term.write("", () => reply({ type: "snapshot", id: msg.id, requestId: msg.requestId, data: screen.serializer.serialize({ scrollback: SCROLLBACK }) }));
      return;
    case "dispose":
      screen?.term.dispose();
      screens.delete(msg.id);
      return;
  }
});
