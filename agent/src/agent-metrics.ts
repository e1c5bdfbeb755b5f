import type Docker from "dockerode";
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

/** Distinct engine operations kept as their own series; past it they count as "other" (bounded cardinality). */
const MAX_OPERATIONS = 100;

/**
 * The engine's path with what names a container, image, exec, network or volume taken out, so a series
 * is an operation ("GET /containers/{id}/json"), never a particular container.
 */
export function engineOperation(method: string, path: string): string {
  const bare = path.split("?")[0]!.replace(/^\/v\d+\.\d+(?=\/)/, "");
  const generic = bare
    .replace(/^\/(containers|exec|networks|volumes|plugins|secrets|configs|services|tasks|nodes)\/(?!json$|create$|prune$)[^/]+/, "/$1/{id}")
    .replace(/^\/images\/(?!json$|create$|prune$|search$|load$|get$)(.+?)(\/(json|history|push|tag|get))?$/, "/images/{name}$2")
    .replace(/^\/distribution\/.+\/json$/, "/distribution/{name}/json");
  return `${method} ${generic}`;
}

/**
 * The agent's Prometheus figures (`--metrics-address`): how long the engine takes to answer, what it
 * reports, how the control-plane connection holds up, and the requests it brings.
 */
export class AgentMetrics {
  readonly registry = new Registry();
  private readonly operations = new Set<string>();
  private readonly engineRequests = new Histogram({
    name: "stevedore_agent_engine_request_duration_seconds",
    help: "From a request to the Docker Engine to its answer (a stream's: to its first byte), by operation and outcome.",
    labelNames: ["operation", "outcome"] as const,
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
    registers: [this.registry],
  });
  readonly engineEvents = new Counter({ name: "stevedore_agent_engine_events_total", help: "Engine events seen, by type.", labelNames: ["type"] as const, registers: [this.registry] });
  readonly connects = new Counter({ name: "stevedore_agent_control_connects_total", help: "Times the control plane welcomed this agent (the first connect and every reconnect).", registers: [this.registry] });
  readonly disconnects = new Counter({ name: "stevedore_agent_control_disconnects_total", help: "Times the connection to the control plane was lost.", registers: [this.registry] });
  readonly connected = new Gauge({ name: "stevedore_agent_control_connected", help: "1 while the control plane's connection is up and welcomed.", registers: [this.registry] });
  private readonly requests = new Histogram({
    name: "stevedore_agent_request_duration_seconds",
    help: "Control-plane requests answered, by method and outcome (ok, or the error's code).",
    labelNames: ["method", "outcome"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30, 120],
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry });
  }

  observeRequest(method: string, outcome: string, seconds: number): void {
    this.requests.observe({ method, outcome }, seconds);
  }

  /** Times every call dockerode makes, at its one way to the engine (modem.dial). */
  instrument(docker: Docker): void {
    type Dial = (options: { method?: string; path?: string }, callback: (err: unknown, data: unknown) => void) => void;
    const modem = docker.modem as unknown as { dial: Dial };
    const dial = modem.dial.bind(modem);
    modem.dial = (options, callback) => {
      // Read before dial: it prefixes the API version to the path.
      const operation = this.operationOf(options.method ?? "GET", options.path ?? "");
      const started = performance.now();
      dial(options, (err, data) => {
        const status = (err as { statusCode?: number } | null)?.statusCode;
        this.engineRequests.observe({ operation, outcome: err ? (status ? String(status) : "error") : "ok" }, (performance.now() - started) / 1000);
        callback(err, data);
      });
    };
  }

  private operationOf(method: string, path: string): string {
    const operation = engineOperation(method, path);
    if (this.operations.has(operation)) return operation;
    if (this.operations.size >= MAX_OPERATIONS) return "other";
    this.operations.add(operation);
    return operation;
  }
}
