import type { ContainerSummary } from "@stevedore/protocol";
import type { CallerAccess } from "../access/caller-access";
import type { Services } from "../services";
import { BestK } from "./best-k";
import type { HostStatus } from "./types";

/** How many of each list the overview names; the rest are counted and one click away. */
const PROBLEMS_SHOWN = 25;
const HOSTS_SHOWN = 12;

export type ContainerProblem = "unhealthy" | "restarting" | "exited with an error" | "dead";

export interface OverviewProblem {
  hostId: string;
  hostName: string;
  id: string;
  name: string;
  image: string;
  problem: ContainerProblem;
  exitCode: number;
  /** When it went wrong, as best the engine says: when it finished, else when it started. */
  since: number | null;
}

export interface HostPressure {
  id: string;
  name: string;
  status: HostStatus;
  containersRunning: number;
  containersTotal: number;
  /** Shares of the host's capacity, 0–1; null when not known (no recent sample, or an older agent). */
  cpu: number | null;
  memory: number | null;
  disk: number | null;
  diskFreeBytes: number | null;
}

export interface FleetOverview {
  hosts: Record<HostStatus, number> & { total: number };
  /** Visible hosts, the most pressed first. */
  pressure: HostPressure[];
  containers: { total: number; running: number; paused: number; stopped: number; created: number; unhealthy: number; restarting: number; failed: number };
  problems: OverviewProblem[];
  problemsTotal: number;
  /** Containers whose image's tag has moved on (from the last registry checks). */
  outdated: number;
}

function problemOf(c: ContainerSummary): ContainerProblem | null {
  if (c.state === "restarting") return "restarting";
  if (c.state === "dead") return "dead";
  if (c.state === "running" && c.health === "unhealthy") return "unhealthy";
  if (c.state === "exited" && c.exitCode !== 0) return "exited with an error";
  return null;
}

const ratio = (used: number, capacity: number | undefined) => (capacity && capacity > 0 ? Math.min(1, used / capacity) : null);

/**
 * What the home page shows, for the hosts this caller sees: hosts by state and pressure, containers by
 * state with the broken ones first. One pass over the visible fleet, keeping only what is shown (BestK).
 */
export function fleetOverview(svc: Pick<Services, "fleet" | "stats" | "updates">, access: CallerAccess): FleetOverview {
  const hosts = { total: 0, online: 0, offline: 0, engine_down: 0 };
  const containers = { total: 0, running: 0, paused: 0, stopped: 0, created: 0, unhealthy: 0, restarting: 0, failed: 0 };
  // Newest trouble first (what just broke is what someone is looking for); unreachable and loaded hosts first.
  const problems = new BestK<OverviewProblem>(PROBLEMS_SHOWN, (a, b) => (b.since ?? 0) - (a.since ?? 0));
  const pressure = new BestK<HostPressure>(HOSTS_SHOWN, (a, b) => pressed(b) - pressed(a) || a.name.localeCompare(b.name));
  let problemsTotal = 0;
  const totals = svc.stats.latestHostTotals();
  let outdated = 0;
  for (const id of svc.fleet.hostIds()) {
    // A host the caller cannot see costs no view (listHosts would build and sort every one).
    const h = access.sees(id) ? svc.fleet.getHost(id) : null;
    if (!h) continue;
    hosts.total++;
    hosts[h.status]++;
    const t = totals.get(h.id);
    const disk = svc.stats.disk(h.id);
    pressure.offer({
      id: h.id,
      name: h.name,
      status: h.status,
      containersRunning: h.containersRunning,
      containersTotal: h.containersTotal,
      cpu: t ? ratio(t.cpuPercent ?? 0, (h.facts.cpus ?? 0) * 100) : null,
      memory: t ? ratio(t.memoryBytes, h.facts.memoryBytes) : null,
      disk: disk ? ratio(disk.totalBytes - disk.freeBytes, disk.totalBytes) : null,
      diskFreeBytes: disk?.freeBytes ?? null,
    });
  }
  for (const host of svc.fleet.containersByHost()) {
    if (!access.sees(host.id)) continue;
    for (const c of host.view.containers) {
      containers.total++;
      if (c.state === "running") containers.running++;
      else if (c.state === "paused") containers.paused++;
      else if (c.state === "created") containers.created++;
      else if (c.state === "exited" || c.state === "dead") containers.stopped++;
      const problem = problemOf(c);
      if (problem === "unhealthy") containers.unhealthy++;
      else if (problem === "restarting") containers.restarting++;
      else if (problem) containers.failed++;
      if (problem) {
        problemsTotal++;
        problems.offer({ hostId: host.id, hostName: host.name, id: c.id, name: c.name, image: c.image, problem, exitCode: c.exitCode, since: c.finishedAt ?? c.startedAt });
      }
      if (c.state === "running" && svc.updates.statusOf(c, host.id)?.state === "outdated") outdated++;
    }
  }
  return { hosts, pressure: pressure.kept, containers, problems: problems.kept, problemsTotal, outdated };
}

/** Unreachable hosts first, then the highest of CPU, memory and disk. */
const pressed = (h: HostPressure) => (h.status !== "online" ? 2 : Math.max(h.cpu ?? 0, h.memory ?? 0, h.disk ?? 0));
