import { containerStatus, containerStatusSince, type ContainerSummary } from "@stevedore/protocol";
import { exactTime } from "@/lib/format";

const DOT: Record<ContainerSummary["state"], string> = {
  running: "bg-emerald-500",
  paused: "bg-amber-500",
  restarting: "bg-amber-500",
  created: "bg-slate-400",
  exited: "bg-slate-400",
  removing: "bg-red-400",
  dead: "bg-red-600",
};

/** The status in the engine's own words ("Exited (0) 7 minutes ago"), exact time on hover. */
export function ContainerStatus({ c, now }: { c: ContainerSummary; now: number }) {
  const since = containerStatusSince(c);
  return (
    <span className="inline-flex items-center gap-1.5 whitespace-nowrap" title={since ? `${c.state} since ${exactTime(since)}` : c.state}>
      <span className={`size-2 rounded-full ${DOT[c.state]}`} aria-hidden />
      <span data-testid="container-status">{containerStatus(c, now)}</span>
    </span>
  );
}
