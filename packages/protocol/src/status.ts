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
