import Docker from "dockerode";
import type { AgentMetrics } from "./agent-metrics";
import type { ContainerInspectInfo, ImageInfo } from "dockerode";
import type { ContainerState, ContainerSummary, EngineFacts, ImageSummary, PortBinding } from "@stevedore/protocol";

/** The engine reports "0001-01-01T00:00:00Z" for a time that never happened. */
function parseEngineTime(value: string | undefined): number | null {
  if (!value || value.startsWith("0001-01-01")) return null;
  const t = Date.parse(value);
  return Number.isNaN(t) ? null : t;
}

const STATES = new Set<ContainerState>(["created", "running", "paused", "restarting", "removing", "exited", "dead"]);

function toPorts(ports: ContainerInspectInfo["NetworkSettings"]["Ports"] | undefined): PortBinding[] {
  const out: PortBinding[] = [];
  for (const [key, bindings] of Object.entries(ports ?? {})) {
    const [port, proto] = key.split("/");
    const privatePort = Number(port);
    const type = proto === "udp" || proto === "sctp" ? proto : "tcp";
    if (!bindings || bindings.length === 0) {
      out.push({ privatePort, type });
      continue;
    }
    for (const b of bindings) out.push({ privatePort, publicPort: Number(b.HostPort), ip: b.HostIp || undefined, type });
  }
  return out;
}

/** The engine's own rendering of a command in its container list: arguments with spaces are single-quoted. */
export function formatCommand(path: string, args: string[]): string {
  if (args.length === 0) return path;
  return `${path} ${args.map((a) => (a.includes(" ") ? `'${a}'` : a)).join(" ")}`;
}

export function toContainerSummary(info: ContainerInspectInfo): ContainerSummary {
  const state = info.State.Status as ContainerState;
  const health = info.State.Health?.Status;
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    image: info.Config.Image,
    imageId: info.Image,
    command: formatCommand(info.Path, info.Args ?? []),
    createdAt: Date.parse(info.Created),
    state: STATES.has(state) ? state : "dead",
    exitCode: info.State.ExitCode ?? 0,
    startedAt: parseEngineTime(info.State.StartedAt),
    finishedAt: parseEngineTime(info.State.FinishedAt),
    health: health === "starting" || health === "healthy" || health === "unhealthy" ? health : null,
    ports: toPorts(info.NetworkSettings?.Ports),
    labels: info.Config.Labels ?? {},
  };
}

export function toImageSummary(img: ImageInfo): ImageSummary {
  return {
    id: img.Id,
    repoTags: (img.RepoTags ?? []).filter((t) => t !== "<none>:<none>"),
    repoDigests: (img.RepoDigests ?? []).filter((d) => d !== "<none>@<none>"),
    createdAt: img.Created * 1000,
    sizeBytes: img.Size,
  };
}

export function isNotFound(err: unknown): boolean {
  return (err as { statusCode?: number }).statusCode === 404;
}

/** The engine's own words for an error (dockerode wraps them in `json.message`). */
export function engineMessage(err: unknown): string {
  const e = err as { json?: { message?: string }; message?: string };
  return e.json?.message ?? e.message ?? String(err);
}

export class Engine {
  readonly docker: Docker;

  constructor(
    socketPath?: string,
    private readonly metrics?: AgentMetrics,
  ) {
    // Without an explicit socket dockerode follows DOCKER_HOST, then /var/run/docker.sock.
    this.docker = socketPath ? new Docker({ socketPath }) : new Docker();
    metrics?.instrument(this.docker);
  }

  async facts(): Promise<EngineFacts> {
    const [version, info] = await Promise.all([this.docker.version(), this.docker.info() as Promise<Record<string, unknown>>]);
    return {
      version: version.Version,
      apiVersion: version.ApiVersion,
      storageDriver: String(info.Driver ?? ""),
      dockerRootDir: String(info.DockerRootDir ?? ""),
      os: String(info.OperatingSystem ?? ""),
      kernelVersion: String(info.KernelVersion ?? ""),
    };
  }

  async inspectContainer(id: string): Promise<ContainerSummary | null> {
    try {
      return toContainerSummary(await this.docker.getContainer(id).inspect());
    } catch (err) {
      if (isNotFound(err)) return null;
      throw err;
    }
  }

  /** Every container, inspected (a few at a time) for the start and finish times the list API omits. */
  async listContainers(): Promise<ContainerSummary[]> {
    const list = await this.docker.listContainers({ all: true });
    const out: ContainerSummary[] = [];
    let next = 0;
    const worker = async () => {
      while (next < list.length) {
        const item = list[next++]!;
        const summary = await this.inspectContainer(item.Id);
        if (summary) out.push(summary);
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, list.length) }, worker));
    return out.sort((a, b) => b.createdAt - a.createdAt);
  }

  async listImages(): Promise<ImageSummary[]> {
    return (await this.docker.listImages({ all: false })).map(toImageSummary);
  }

  /**
   * The container events the engine still remembers between two instants (the engine keeps only its
   * most recent events in memory, so a long outage can lose the oldest).
   */
  async eventsBetween(sinceNano: string, untilMs: number): Promise<EngineEvent[]> {
    const ns = BigInt(sinceNano);
    const since = `${ns / 1_000_000_000n}.${String(ns % 1_000_000_000n).padStart(9, "0")}`;
    const until = (untilMs / 1000).toFixed(3);
    const stream = (await this.docker.getEvents({ since: since as unknown as number, until: until as unknown as number, filters: { type: ["container"] } })) as NodeJS.ReadableStream;
    let text = "";
    for await (const chunk of stream) text += chunk.toString();
    return text
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as EngineEvent)
      .filter((e) => BigInt(e.timeNano) > ns);
  }

  /**
   * Streams the engine's /events for containers, images, volumes and networks. Resolves once the stream is open; `onEnd`
   * fires once when it closes (engine stopped or connection lost).
   */
  async watchEvents(onEvent: (e: EngineEvent) => void, onEnd: (err?: Error) => void): Promise<() => void> {
    const stream = (await this.docker.getEvents({ filters: { type: ["container", "image", "volume", "network"] } })) as NodeJS.ReadableStream & { destroy(): void };
    let buffer = "";
    let ended = false;
    const end = (err?: Error) => {
      if (ended) return;
      ended = true;
      onEnd(err);
    };
    stream.on("data", (chunk: Buffer) => {
      buffer += chunk.toString("utf8");
      let nl: number;
      while ((nl = buffer.indexOf("\n")) >= 0) {
        const line = buffer.slice(0, nl).trim();
        buffer = buffer.slice(nl + 1);
        if (!line) continue;
        try {
          const event = JSON.parse(line) as EngineEvent;
          this.metrics?.engineEvents.inc({ type: ["container", "image", "volume", "network"].includes(event.Type) ? event.Type : "other" });
          onEvent(event);
        } catch {
          // A line the engine garbled is skipped; the next snapshot corrects any state it carried.
        }
      }
    });
    stream.on("end", () => end());
    stream.on("close", () => end());
    stream.on("error", (err: Error) => end(err));
    return () => {
      ended = true;
      stream.destroy();
    };
  }
}

export interface EngineEvent {
  id?: string;
  Type: "container" | "image" | string;
  Action: string;
  Actor: { ID: string; Attributes?: Record<string, string> };
  time: number;
  timeNano: number;
}
