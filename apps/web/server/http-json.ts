import type http from "node:http";

/** A JSON answer that no cache keeps: every API response outside tRPC goes through here. */
export function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json", "cache-control": "no-store" });
  res.end(JSON.stringify(body));
}
