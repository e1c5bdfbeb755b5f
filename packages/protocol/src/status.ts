import type { ContainerSummary } from "./model";

/**
 * The engine's human duration (go-units HumanDuration), so the UI says exactly what `docker ps` says.
 */
export function humanDuration(ms: number): string {
  const seconds = Math.trunc(ms / 1000);
  if (seconds < 1) return "Less than a second";
  if (seconds === 1) return "1 second";
  if (seconds < 60) return `${seconds} seconds`;
  const minutes = Math.trunc(seconds / 60);
  if (minutes === 1) return "About a minute";
  if (minutes < 60) return `${minutes} minutes`;
  const hours = Math.round(ms / 3_600_000);
  if (hours === 1) return "About an hour";
  if (hours < 48) return `${hours} hours`;
  if (hours < 24 * 7 * 2) return `${Math.trunc(hours / 24)} days`;
  if (hours < 24 * 30 * 2) return `${Math.trunc(hours / 24 / 7)} weeks`;
  if (hours < 24 * 365 * 2) return `${Math.trunc(hours / 24 / 30)} months`;
  return `${Math.trunc(Math.trunc(ms / 3_600_000) / 24 / 365)} years`;
}

type StatusInput = Pick<ContainerSummary, "state" | "exitCode" | "startedAt" | "finishedAt" | "health">;

/** The engine's container status line (`State.String()` in moby), computed at `now`. */
export function containerStatus(c: StatusInput, now: number = Date.now()): string {
  const since = (t: number | null) => humanDuration(Math.max(0, now - (t ?? now)));
  switch (c.state) {
    case "running":
      if (c.health) return `Up ${since(c.startedAt)} (${c.health === "starting" ? "health: starting" : c.health})`;
      return `Up ${since(c.startedAt)}`;
    case "paused":
      return `Up ${since(c.startedAt)} (Paused)`;
    case "restarting":
      return `Restarting (${c.exitCode}) ${since(c.finishedAt)} ago`;
    case "removing":
      return "Removal In Progress";
    case "dead":
      return "Dead";
    case "created":
      return "Created";
    case "exited":
      if (c.startedAt === null) return "Created";
      if (c.finishedAt === null) return "";
      return `Exited (${c.exitCode}) ${since(c.finishedAt)} ago`;
  }
}

/** The instant the status text is relative to, for an exact time on hover. */
export function containerStatusSince(c: StatusInput): number | null {
  if (c.state === "running" || c.state === "paused") return c.startedAt;
  if (c.state === "exited" || c.state === "restarting") return c.finishedAt;
  return null;
}

/** How a status reads at a glance: fine, needs a look, broken, or simply not running. */
export type StatusTone = "ok" | "warn" | "bad" | "idle";

const SIGNALS: Record<number, string> = { 1: "SIGHUP", 2: "SIGINT", 6: "SIGABRT", 9: "SIGKILL", 11: "SIGSEGV", 15: "SIGTERM" };

/**
 * The tone of a container's status and what it means in words (for hover and screen readers, so
 * colour is never the only cue). An exit code above 128 is a signal: 143 (SIGTERM) is how `docker
 * stop` ends a process and reads as a clean stop; 137 (SIGKILL) is a kill or the OOM killer.
 */
export function statusTone(c: Pick<ContainerSummary, "state" | "exitCode" | "health">): { tone: StatusTone; meaning: string } {
  switch (c.state) {
    case "running":
      if (c.health === "unhealthy") return { tone: "bad", meaning: "running, but its health check fails" };
      if (c.health === "starting") return { tone: "warn", meaning: "running, health check not yet passed" };
      return { tone: "ok", meaning: c.health === "healthy" ? "running and healthy" : "running" };
    case "paused":
      return { tone: "warn", meaning: "paused" };
    case "restarting":
      // Amber, not red: the engine is bringing it back; a crash loop shows as its exit code and restarts.
      return { tone: "warn", meaning: `restarting after exiting with code ${c.exitCode}` };
    case "removing":
      return { tone: "warn", meaning: "being removed" };
    case "dead":
      return { tone: "bad", meaning: "dead: the engine could not stop or remove it" };
    case "created":
      return { tone: "idle", meaning: "created, never started" };
    case "exited": {
      if (c.exitCode === 0) return { tone: "idle", meaning: "stopped: exited cleanly (code 0)" };
      const signal = c.exitCode > 128 ? SIGNALS[c.exitCode - 128] ?? `signal ${c.exitCode - 128}` : null;
      if (signal === "SIGTERM" || signal === "SIGINT") return { tone: "idle", meaning: `stopped by ${signal} (code ${c.exitCode})` };
      if (signal === "SIGKILL") return { tone: "warn", meaning: `killed by SIGKILL (code ${c.exitCode}): a kill, a stop that timed out, or out of memory` };
      if (signal) return { tone: "bad", meaning: `ended by ${signal} (code ${c.exitCode})` };
      return { tone: "bad", meaning: `failed: exited with code ${c.exitCode}` };
    }
  }
}
