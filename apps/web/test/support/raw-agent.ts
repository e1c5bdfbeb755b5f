import WebSocket from "ws";
import { AGENT_ENROLL_PATH, AGENT_SOCKET_PATH, PROTOCOL_VERSION, type ContainerSummary } from "@stevedore/protocol";
import { waitFor } from "./engine";
import type { TestStack } from "./stack";
import { socketOpened } from "./ws";

/**
 * A hand-driven agent connection: tests speak the protocol directly to send what a real agent never
 * would (malformed, oversized or hostile messages).
 */
export class RawAgent {
  readonly ws: WebSocket;
  readonly received: { type: string; code?: string; message?: string }[] = [];
  pings = 0;
  closed: { code: number; reason: string } | null = null;

  constructor(url: string, credential: string) {
    this.ws = new WebSocket(url.replace(/^http/, "ws") + AGENT_SOCKET_PATH, { headers: { authorization: `Bearer ${credential}` }, maxPayload: 1 << 30 });
    this.ws.on("message", (d: Buffer) => this.received.push(JSON.parse(d.toString())));
    this.ws.on("ping", () => this.pings++);
    this.ws.on("close", (code, reason) => (this.closed = { code, reason: reason.toString() }));
    this.ws.on("error", () => {});
  }
  opened(): Promise<void> {
    return socketOpened(this.ws);
  }
  send(data: unknown): void {
    this.ws.send(typeof data === "string" || Buffer.isBuffer(data) ? data : JSON.stringify(data));
  }
  async next(type: string): Promise<{ type: string; code?: string; message?: string }> {
    return waitFor(() => {
      const i = this.received.findIndex((m) => m.type === type);
      return i >= 0 && this.received.splice(i, 1)[0];
    }, { timeoutMs: 5_000, what: `a "${type}" message` });
  }
  hello(protocolVersion = PROTOCOL_VERSION): void {
    this.send({
      type: "hello",
      protocolVersion,
      host: { hostname: "raw", os: "test", kernel: "k", arch: "x86_64", cpus: 1, memoryBytes: 1, agentVersion: "test" },
      engine: null,
      engineError: "no engine in this test",
    });
  }
}

/** Enrolls a host through the real endpoint and returns its credential. */
export async function enrollRawHost(stack: TestStack, hostname: string): Promise<string> {
  const res = await fetch(`${stack.url}${AGENT_ENROLL_PATH}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token: await stack.joinToken(), hostname }),
  });
  if (!res.ok) throw new Error(`enrollment failed: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { credential: string }).credential;
}

export const RAW_ENGINE = { version: "27.0.0", apiVersion: "1.46", storageDriver: "overlay2", dockerRootDir: "/var/lib/docker", os: "test", kernelVersion: "k" };

/** A made-up container the raw agent reports; `n` makes its id. */
export function rawContainer(n: number): ContainerSummary {
  return {
    id: n.toString(16).padStart(64, "0"),
    name: `raw-${n}`,
    image: "raw:latest",
    imageId: `sha256:${"a".repeat(64)}`,
    command: "sleep",
    createdAt: 1_700_000_000_000,
    state: "running",
    exitCode: 0,
    startedAt: 1_700_000_000_000,
    finishedAt: null,
    health: null,
    ports: [],
    labels: {},
  };
}
