import type http from "node:http";
import type { Duplex } from "node:stream";

/** A JSON answer that no cache keeps: every API response outside tRPC goes through here. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}

const STATUS_TEXT: Record<number, string> = { 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 503: "Service Unavailable" };

/**
 * Refuses a WebSocket upgrade with a plain HTTP answer, then closes the socket: a client that never
 * closes its side cannot keep it (and the server's shutdown) waiting.
 */
export function refuseUpgrade(socket: Duplex, status: 401 | 403 | 404 | 503, reason: string, headers: Record<string, string> = {}): void {
  const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join("");
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status]}\r\nConnection: close\r\nContent-Type: text/plain\r\n${extra}\r\n${reason}\n`, () => socket.destroy());
  setTimeout(() => socket.destroy(), 1_000).unref();
}
