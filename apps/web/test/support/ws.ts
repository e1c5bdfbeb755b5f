import type WebSocket from "ws";

/** Resolves when the socket opens; rejects with "HTTP <status>" when the server refuses the upgrade. */
export function socketOpened(ws: WebSocket): Promise<void> {
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("unexpected-response", (req, res) => {
      req.destroy();
      reject(new Error(`HTTP ${res.statusCode}`));
    });
  });
}
