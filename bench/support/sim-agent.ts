/**
 * A simulated host for fleet benchmarks: it speaks the real agent protocol over a real WebSocket with
 * a real enrolled credential (hello, snapshot, deltas, stats; its socket answers the control plane's
 * pings), reports M made-up containers, and reconnects as the real agent does (jittered backoff; a busy
 * refusal's Retry-After). No engine behind it.
 */
import crypto from "node:crypto";
import fs from "node:fs";
import WebSocket from "ws";
import { AGENT_SOCKET_PATH, PROTOCOL_VERSION, statsTable, type AgentMessage, type ContainerStats, type ContainerSummary, type EngineFacts, type ImageSummary } from "@stevedore/protocol";
import { enroll } from "../../agent/src/credentials";
import { ReconnectPolicy } from "../../agent/src/reconnect-policy";
import type { apiClient } from "../../apps/web/test/support/stack";

const ENGINE: EngineFacts = { version: "sim", apiVersion: "1.41", storageDriver: "overlay2", dockerRootDir: "/var/lib/docker", os: "Simulated Linux", kernelVersion: "6.1.0" };

export class SimAgent {
  readonly containers: ContainerSummary[];
  online = false;
  /** When the control plane last welcomed it (performance.now()). */
  welcomedAt = 0;
  connects = 0;
  /** Connections the control plane turned away as busy (503), to come back after the backoff. */
  busyRefusals = 0;
  private ws: WebSocket | null = null;
  private readonly retry = new ReconnectPolicy();
  private stats: NodeJS.Timeout | null = null;
  private statsEveryMs = 0;
  private stopped = false;

  constructor(
    private readonly url: string,
    readonly hostId: string,
    private readonly credential: string,
    readonly name: string,
    containerCount: number,
    /** Images it reports, and what of each container differs from the made-up default. */
    private readonly shape: { images?: ImageSummary[]; container?: (i: number) => Partial<ContainerSummary> } = {},
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
      ...shape.container?.(i),
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
        this.retry.connected();
        this.welcomedAt = performance.now();
        this.connects++;
        this.send({ type: "snapshot", engine: ENGINE, containers: this.containers, images: this.shape.images ?? [] });
        this.online = true;
      }
    });
    ws.on("close", (code) => {
      this.online = false;
      const delay = this.retry.closed(code);
      if (!this.stopped) setTimeout(() => this.connect(), delay);
    });
    ws.on("unexpected-response", (_req, res) => {
      if (res.statusCode === 503) this.busyRefusals++;
      this.retry.refusedWith(res.statusCode ?? 0, Number(res.headers["retry-after"]));
      res.resume();
      ws.terminate();
    });
    ws.on("error", (err: NodeJS.ErrnoException) => this.retry.failed(err.code));
  }

  /** A container changes state (a start or a stop on the host), sent as the real agent would. */
  flip(index: number): void {
    const c = this.containers[index % this.containers.length]!;
    const now = Date.now();
    Object.assign(c, c.state === "running" ? { state: "exited", exitCode: 0, finishedAt: now } : { state: "running", startedAt: now, finishedAt: null });
    this.send({ type: "container.upsert", container: c });
  }

  /** Sends every container's figures once per interval, from a random phase, as the real agent's collector does. */
  sendStats(everyMs: number): void {
    this.statsEveryMs = everyMs;
    if (this.stats) clearInterval(this.stats);
    this.stats = setTimeout(() => {
      this.stats = setInterval(() => this.sendStatsBatch(), everyMs);
      this.sendStatsBatch();
    }, Math.random() * everyMs);
  }

  private sendStatsBatch(): void {
    const at = Date.now();
    const containers: ContainerStats[] = this.containers
      .filter((c) => c.state === "running")
      .map((c, i) => ({ id: c.id, cpuPercent: Math.random() * 50, memoryBytes: (64 + i) * 2 ** 20, memoryLimitBytes: 8 * 2 ** 30, netRxBytes: at % 1e9, netTxBytes: at % 1e8, blockReadBytes: 4096 * i, blockWriteBytes: 0, pids: 3 }));
    this.send(statsTable({ at, intervalMs: this.statsEveryMs, containers }));
  }

  send(msg: AgentMessage | Record<string, unknown>): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  stop(): void {
    this.stopped = true;
    if (this.stats) clearInterval(this.stats);
    this.ws?.close();
  }
}

/** Enrolls the agents `file` does not hold credentials for yet (once; later runs reuse them). */
export async function enrolledAgents(url: string, api: ReturnType<typeof apiClient>, count: number, file: string): Promise<{ hostId: string; credential: string; name: string }[]> {
  const known: { hostId: string; credential: string; name: string }[] = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, "utf8")) : [];
  const t0 = performance.now();
  const before = known.length;
  let next = known.length;
  await Promise.all(
    Array.from({ length: 16 }, async () => {
      while (next < count) {
        const name = `sim-${String(next++).padStart(5, "0")}`;
        const { token } = await api.hosts.createJoinToken.mutate();
        const creds = await enroll(url, token, name);
        known.push({ hostId: creds.hostId, credential: creds.credential, name });
      }
    }),
  );
  if (known.length > 0) fs.writeFileSync(file, JSON.stringify(known));
  if (known.length > before) console.log(`enrolled ${known.length - before} new agents in ${((performance.now() - t0) / 1000).toFixed(1)} s (kept in ${file})`);
  return known.slice(0, count);
}

/** Resolves with how long until every agent was online (reporting every 10 s), or NaN past the timeout. */
export async function waitAllOnline(agents: SimAgent[], timeoutMs: number): Promise<number> {
  const t0 = performance.now();
  let lastReport = t0;
  for (;;) {
    const offline = agents.filter((a) => !a.online).length;
    const now = performance.now();
    if (offline === 0) return now - t0;
    if (now - t0 > timeoutMs) {
      console.log(`           ${offline} agents still offline after ${timeoutMs / 1000} s`);
      return NaN;
    }
    if (now - lastReport >= 10_000) {
      console.log(`           ${((now - t0) / 1000).toFixed(0)} s: ${agents.length - offline} of ${agents.length} online`);
      lastReport = now;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
