import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { type WebSocket, WebSocketServer } from "ws";
import { STREAM_ID_HEADER } from "@stevedore/protocol";
import type { Bus } from "../cluster/bus";
import type { Replicas } from "../cluster/replicas";
import { proxyUpgrade } from "../cluster/upgrade-proxy";
import { refuseUpgrade } from "../http-json";
import type { Logger } from "../logger";
import type { AgentGateway } from "./agent-gateway";

/** How long an agent has to dial a stream socket after being asked. */
const DIAL_TIMEOUT_MS = 15_000;

interface Awaited {
  hostId: string;
  onSocket: (ws: WebSocket) => void;
  fail: (message: string) => void;
  timer: NodeJS.Timeout;
}

/**
 * Sockets agents dial back, one per stream (a terminal session, one container's logs), so no stream
 * shares a queue with the control channel or with another stream: the control plane asks with
 * `stream.open`, the agent connects to /agent/stream with its credential and the stream's id, and the
 * socket goes to whoever asked. A stream not dialled in time, or refused by the agent, fails.
 * With several replicas the agent dials whichever one it reaches; the bus says which replica asked,
 * and the socket is handed over to it.
 */
export class AgentStreams {
  private readonly awaiting = new Map<string, Awaited>();
  /** Agents send output in batches (a few hundred KB while flooding). */
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024, perMessageDeflate: false });

  constructor(private readonly deps: { agents: AgentGateway; bus: Bus; replicas: Replicas; log: Logger }) {}

  /** Asks the host's agent to dial stream `id`; then exactly one of `onSocket` and `onFail` runs. */
  dial(hostId: string, id: string, onSocket: (ws: WebSocket) => void, onFail: (message: string) => void): void {
    const fail = (message: string) => {
      const entry = this.awaiting.get(id);
      if (!entry) return;
      clearTimeout(entry.timer);
      this.awaiting.delete(id);
      onFail(message);
    };
    const timer = setTimeout(() => fail("the host's agent did not open the stream"), DIAL_TIMEOUT_MS);
    this.awaiting.set(id, { hostId, onSocket, fail, timer });
    const { bus, replicas, agents } = this.deps;
    const asked = bus.clustered ? bus.setKey(streamKey(id), replicas.id, DIAL_TIMEOUT_MS) : Promise.resolve();
    asked
      .then(() => agents.request(hostId, "stream.open", { streamId: id }, { timeoutMs: DIAL_TIMEOUT_MS }))
      .catch((err: unknown) => fail(err instanceof Error ? err.message : String(err)));
  }

  /** Forgets a stream whose consumer left before the agent dialled; a late socket is then refused. */
  cancel(id: string): void {
    const entry = this.awaiting.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.awaiting.delete(id);
  }

  /** Agent upgrade on /agent/stream: its credential, and a stream this control plane asked that host for. */
  async handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const streamId = req.headers[STREAM_ID_HEADER];
    const entry = typeof streamId === "string" ? this.awaiting.get(streamId) : undefined;
    if (!entry && typeof streamId === "string" && streamId.length <= 128 && this.deps.bus.clustered) {
      const peer = this.deps.replicas.peer((await this.deps.bus.getKey(streamKey(streamId))) ?? "");
      if (peer) return proxyUpgrade(req, socket, head, peer, this.deps.replicas.linkToken);
    }
    const check = await this.deps.agents.verifyCredential(req);
    const refusal = !check.ok ? check.reason : !entry || entry.hostId !== check.hostId ? "no such stream for this host" : null;
    if (refusal) {
      this.deps.log.warn({ reason: refusal, ip: req.socket.remoteAddress }, "agent stream refused");
      refuseUpgrade(socket, check.ok ? 404 : check.status, refusal);
      return;
    }
    clearTimeout(entry!.timer);
    this.awaiting.delete(streamId as string);
    this.wss.handleUpgrade(req, socket, head, (ws) => entry!.onSocket(ws));
  }

  /** Server shutdown: pending dials fail, and sockets whose peer never finished closing are cut. */
  closeAll(): void {
    for (const entry of [...this.awaiting.values()]) entry.fail("the control plane is shutting down");
    for (const ws of this.wss.clients) ws.terminate();
  }
}

function streamKey(id: string): string {
  return `stream:${id}`;
}
