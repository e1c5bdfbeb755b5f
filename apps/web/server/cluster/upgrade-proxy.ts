import http from "node:http";
import type { Duplex } from "node:stream";
import { CLIENT_IP_HEADER, LINK_CLIENT_IP_HEADER, LINK_TOKEN_HEADER } from "../client-address";
import { refuseUpgrade } from "../http-json";
import type { Peer } from "./replicas";

/**
 * Hands a WebSocket upgrade that belongs to another replica (an agent's stream socket, a browser
 * joining a terminal held there) over to it, byte for byte: the peer authenticates it exactly as if
 * it had come straight in (credential, ticket, cookie, Origin), and TCP carries the flow control end
 * to end. The link token tells the peer to trust the client address this replica saw.
 *
 * Hand-written (about 40 lines on node:http) rather than node-http-proxy, which is unmaintained since
 * 2020 and brings a whole HTTP proxy for this one use.
 */
export function proxyUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer, peer: Peer, linkToken: string): void {
  const target = new URL(req.url ?? "/", peer.url);
  const headers: http.OutgoingHttpHeaders = { ...req.headers, [LINK_TOKEN_HEADER]: linkToken, [LINK_CLIENT_IP_HEADER]: req.headers[CLIENT_IP_HEADER] ?? "" };
  delete headers[CLIENT_IP_HEADER];
  const out = http.request({ hostname: target.hostname, port: target.port, path: target.pathname + target.search, method: req.method, headers, timeout: 10_000 });
  const fail = () => refuseUpgrade(socket, 503, "the control-plane replica holding this connection is unreachable; retry");

  out.on("upgrade", (res, peerSocket, peerHead) => {
    socket.write(statusBlock(res));
    if (peerHead.length) socket.write(peerHead);
    if (head.length) peerSocket.write(head);
    peerSocket.setNoDelay(true);
    peerSocket.pipe(socket).pipe(peerSocket);
    const cut = () => {
      socket.destroy();
      peerSocket.destroy();
    };
    peerSocket.on("error", cut).on("close", cut);
    socket.on("error", cut).on("close", cut);
  });
  // The peer refused (401, 404, …): the client gets its answer as it is.
  out.on("response", (res) => {
    socket.write(statusBlock(res));
    res.pipe(socket);
  });
  out.on("timeout", () => out.destroy(new Error("timed out")));
  out.on("error", fail);
  socket.on("error", () => out.destroy());
  out.end();
}

function statusBlock(res: http.IncomingMessage): string {
  const lines = [`HTTP/1.1 ${res.statusCode} ${res.statusMessage}`];
  for (let i = 0; i < res.rawHeaders.length; i += 2) lines.push(`${res.rawHeaders[i]}: ${res.rawHeaders[i + 1]}`);
  return lines.join("\r\n") + "\r\n\r\n";
}
