/**
 * A simulated host for fleet benchmarks: it speaks the real agent protocol over a real WebSocket with
 * a real enrolled credential (hello, snapshot, heartbeats, deltas), reports M made-up containers, and
 * reconnects as the real agent does (jittered backoff; a busy refusal's Retry-After). No engine behind it.
 */
import crypto from "node:crypto";
import WebSocket from "ws";
import { AGENT_SOCKET_PATH, HEARTBEAT_INTERVAL_MS, PROTOCOL_VERSION, type AgentMessage, type ContainerSummary, type EngineFacts } from "@stevedore/protocol";
import { backoffDelay, busyRetryDelay } from "../../agent/src/control-connection";

const ENGINE: EngineFacts = { version: "sim", apiVersion: "1.41", storageDriver: "overlay2", dockerRootDir: "/var/lib/docker", os: "Simulated Linux", kernelVersion: "6.1.0" };

export class SimAgent {
  readonly containers: ContainerSummary[];
  online = false;
  connects = 0;
  /** Connections the control plane turned away as busy (503), to come back after the backoff. */
  busyRefusals = 0;
  private ws: WebSocket | null = null;
  private attempt = 0;
  private busyRetryMs: number | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(
    private readonly url: string,
    readonly hostId: string,
    private readonly credential: string,
    readonly name: string,
    containerCount: number,
  ) {
    const now = Date.now();
    this.containers = Array.from({ length: containerCount }, (_, i) => ({
      id: crypto.createHash("sha256").update(`${hostId}/${i}`).digest("hex"),
      name: `${name}-svc-${i}`,
      image: `registry.example.com/team/app-${i % 7}:1.${i % 5}.0`,
      imageId: `sha256:${crypto.createHash("sha256").update(`img${i % 7}`).digest("hex")}`,
      command: "/app/serve --port 8080",
      createdAt: now - 86_400_000,
      state: "running",
      exitCode: 0,
      startedAt: now - 3_600_000,
      finishedAt: null,
      health: null,
      ports: [{ privatePort: 8080, type: "tcp" }],
      labels: { team: `team-${i % 4}` },
    }));
  }

  connect(): void {
    if (this.stopped) return;
    const url = new URL(AGENT_SOCKET_PATH, this.url);
    url.protocol = "ws:";
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${this.credential}` }, perMessageDeflate: false, handshakeTimeout: 30_000 });
    this.ws = ws;
    ws.on("open", () => {
      this.send({ type: "hello", protocolVersion: PROTOCOL_VERSION, host: { hostname: this.name, os: "Simulated Linux", kernel: "6.1.0", arch: "x86_64", cpus: 4, memoryBytes: 8 * 2 ** 30, agentVersion: "sim" }, engine: ENGINE });
    });
    ws.on("message", (data: Buffer) => {
      const msg = JSON.parse(data.toString()) as { type: string };
      if (msg.type === "welcome") {
        this.attempt = 0;
        this.connects++;
        this.send({ type: "snapshot", engine: ENGINE, containers: this.containers, images: [] });
        this.online = true;
        this.heartbeat = setInterval(() => this.send({ type: "heartbeat", sentAt: Date.now() }), HEARTBEAT_INTERVAL_MS);
      }
    });
    ws.on("close", () => {
      this.online = false;
      if (this.heartbeat) clearInterval(this.heartbeat);
      const delay = this.busyRetryMs ?? backoffDelay(this.attempt++);
      this.busyRetryMs = null;
      if (!this.stopped) setTimeout(() => this.connect(), delay);
    });
    ws.on("unexpected-response", (_req, res) => {
      const retryAfter = Number(res.headers["retry-after"]);
      if (res.statusCode === 503) {
        this.busyRefusals++;
        if (retryAfter > 0) this.busyRetryMs = busyRetryDelay(retryAfter);
      }
      res.resume();
      ws.terminate();
    });
    ws.on("error", () => {});
  }

  /** A container changes state (a start or a stop on the host), sent as the real agent would. */
  flip(index: number): void {
    const c = this.containers[index % this.containers.length]!;
    const now = Date.now();
    Object.assign(c, c.state === "running" ? { state: "exited", exitCode: 0, finishedAt: now } : { state: "running", startedAt: now, finishedAt: null });
    this.send({ type: "container.upsert", container: c });
  }

  send(msg: AgentMessage | Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  stop(): void {
    this.stopped = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.ws?.close();
  }
}
