import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import type { HostStatus } from "../fleet/types";
import type { Services } from "../services";

const HOST_STATES: readonly HostStatus[] = ["online", "offline", "engine_down"];

/**
 * What a Prometheus scrape of the control plane reads: counters and histograms fed where things
 * happen (procedures, join refusals, bus deliveries), gauges read from the services at scrape time.
 * Labels carry procedure names and fixed states only, never hosts, users or containers: bounded
 * cardinality, and nothing in a scrape names what runs where.
 */
export class ControlPlaneMetrics {
  readonly registry = new Registry();
  readonly joinRefusals = new Counter({ name: "stevedore_agent_join_refusals_total", help: "Agents sent back to retry because too many were joining at once (AGENT_JOIN_LIMIT).", registers: [this.registry] });
  readonly busLag = new Histogram({
    name: "stevedore_bus_lag_seconds",
    help: "From a replica's publish to its delivery here, by the publisher's clock (replicas only).",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly procedures = new Histogram({
    name: "stevedore_trpc_duration_seconds",
    help: "tRPC queries and mutations, by procedure and outcome (ok, or the error's code).",
    labelNames: ["procedure", "type", "outcome"] as const,
    buckets: [0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 30],
    registers: [this.registry],
  });

  constructor() {
    // process_* and nodejs_*: memory, CPU, event-loop delay (p50/p90/p99), GC, handles.
    collectDefaultMetrics({ register: this.registry });
  }

  observeProcedure(procedure: string, type: string, outcome: string, seconds: number): void {
    this.procedures.observe({ procedure, type, outcome }, seconds);
  }

  /** The gauges read from the live services at each scrape. */
  watch(s: Pick<Services, "agents" | "fleet" | "audit" | "observed" | "terminals" | "logs" | "bus">): void {
    const registers = [this.registry];
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({ name, help, registers, collect() { this.set(read()); } });
    gauge("stevedore_agents_connected", "Agents connected to this replica.", () => s.agents.connectedCount);
    new Gauge({
      name: "stevedore_hosts",
      help: "Enrolled hosts by state, fleet-wide (as this replica sees them).",
      labelNames: ["state"] as const,
      registers,
      collect() {
        const counts = new Map<HostStatus, number>(HOST_STATES.map((state) => [state, 0]));
        for (const host of s.fleet.listHosts()) counts.set(host.status, (counts.get(host.status) ?? 0) + 1);
        for (const [state, n] of counts) this.set({ state }, n);
      },
    });
    gauge("stevedore_audit_queue_depth", "Audit appends queued and not yet written.", () => s.audit.pending);
    gauge("stevedore_observed_events_backlog", "Engine events waiting for the audit trail, all hosts together.", () => s.observed.backlog);
    gauge("stevedore_terminal_sessions_open", "Terminal sessions running on this replica.", () => s.terminals.openCount);
    gauge("stevedore_log_streams_open", "Browser log streams open on this replica.", () => s.logs.openCount);
    new Counter({
      name: "stevedore_bus_rejections_total",
      help: "Bus messages and stored values refused (unsigned, bad signature, stale, replayed, bad value).",
      labelNames: ["reason"] as const,
      registers,
      collect() {
        // The bus keeps the counts; a scrape reports them as they stand.
        this.reset();
        for (const [reason, n] of Object.entries(s.bus.rejections())) this.inc({ reason }, n);
      },
    });
  }
}
