import os from "node:os";
import type Docker from "dockerode";
import WebSocket from "ws";
import { AGENT_STREAM_PATH, STREAM_ID_HEADER, StreamControlMessage, decodeMessage } from "@stevedore/protocol";
import type { Logger } from "pino";
import type { Credentials } from "./credentials";
import { LogStream } from "./log-stream";
import { TerminalStream } from "./terminal-stream";

const OPEN_TIMEOUT_MS = 10_000;

/**
 * Dials the control plane's stream endpoint for this id (a `stream.open` request); resolves once the
 * socket is open. Its first message says what it carries: a terminal (`terminal.start`) or a
 * container's logs (`logs.start`).
 */
export function openStream(creds: Credentials, controlPlaneUrl: string, ca: string | undefined, streamId: string, docker: Docker, parentLog: Logger): Promise<WebSocket> {
  const url = new URL(AGENT_STREAM_PATH, controlPlaneUrl);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  const ws = new WebSocket(url, {
    headers: { authorization: `Bearer ${creds.credential}`, [STREAM_ID_HEADER]: streamId, "user-agent": `stevedore-agent (${os.hostname()})` },
    handshakeTimeout: OPEN_TIMEOUT_MS,
    perMessageDeflate: false,
    // The pinned CA alone, as for the control socket (undefined: the system's CAs).
    ...(ca && { ca }),
  });
  const log = parentLog.child({ streamId });
  ws.once("message", (data: Buffer, isBinary) => {
    const decoded = isBinary ? null : decodeMessage(StreamControlMessage, data);
    if (decoded?.ok && decoded.message.type === "terminal.start") new TerminalStream(ws, docker, log, decoded.message);
    else if (decoded?.ok && decoded.message.type === "logs.start") new LogStream(ws, docker, log, decoded.message);
    else {
      log.warn({ error: decoded && !decoded.ok ? decoded.error : "not a start message" }, "bad first message on a stream socket");
      ws.close(1008, "expected terminal.start or logs.start");
    }
  });
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve(ws));
    ws.once("unexpected-response", (_req, res) => {
      res.resume();
      reject(new Error(`the control plane refused the stream socket (HTTP ${res.statusCode})`));
    });
    ws.once("error", reject);
  });
}
