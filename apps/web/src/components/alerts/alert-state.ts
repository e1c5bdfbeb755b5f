import type { RouterOutputs } from "@/lib/trpc";

export type AlertRow = RouterOutputs["alerts"]["list"][number];
export type AlertState = "firing" | "acknowledged" | "silenced" | "resolved";

/** Where an alert stands now, as the server's list filters read it: resolved, else silenced, else acknowledged, else firing. */
export function alertState(a: Pick<AlertRow, "resolvedAt" | "silencedUntil" | "acknowledgedAt">, now: number): AlertState {
  if (a.resolvedAt) return "resolved";
  if (a.silencedUntil && a.silencedUntil.getTime() > now) return "silenced";
  if (a.acknowledgedAt) return "acknowledged";
  return "firing";
}

export const STATE_TONE = { firing: "red", acknowledged: "amber", silenced: "slate", resolved: "green" } as const;
export const SEVERITY_TONE: Record<string, "red" | "amber" | "sky"> = { critical: "red", warning: "amber", info: "sky" };
/** Critical first when sorting by severity. */
export const SEVERITY_RANK: Record<string, number> = { critical: 3, warning: 2, info: 1 };

/** The silences offered, shortest first. */
export const SILENCE_CHOICES = [
  { minutes: 15, label: "15 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 4 * 60, label: "4 hours" },
  { minutes: 24 * 60, label: "1 day" },
  { minutes: 7 * 24 * 60, label: "1 week" },
] as const;

export const alertHref = (id: string) => `/alerts/${encodeURIComponent(id)}`;
