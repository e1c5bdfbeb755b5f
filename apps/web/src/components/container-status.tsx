import { type StatusTone, containerStatus, containerStatusSince, statusTone, type ContainerSummary } from "@stevedore/protocol";
import { exactTime } from "@/lib/format";

/** Shape as well as colour: a ring for "needs a look", a square for "broken". */
const DOT: Record<StatusTone, string> = {
  ok: "rounded-full bg-emerald-500",
  warn: "rounded-full bg-amber-500",
  bad: "rounded-[1px] bg-red-600",
  idle: "rounded-full bg-slate-400",
};

const TEXT: Record<StatusTone, string> = {
  ok: "",
  warn: "text-amber-800",
  bad: "text-red-700",
  idle: "",
};

/** The status in the engine's own words ("Exited (0) 7 minutes ago"), what it means and the exact time on hover. */
export function ContainerStatus({ c, now }: { c: Pick<ContainerSummary, "state" | "exitCode" | "startedAt" | "finishedAt" | "health">; now: number }) {
  const since = containerStatusSince(c);
  const { tone, meaning } = statusTone(c);
  return (
    <span className="inline-flex items-center gap-1.5 whitespace-nowrap" title={since ? `${meaning}, since ${exactTime(since)}` : meaning} data-tone={tone}>
      <span className={`size-2 ${DOT[tone]}`} aria-hidden />
      <span data-testid="container-status" className={TEXT[tone]}>
        {containerStatus(c, now)}
      </span>
      <span className="sr-only">: {meaning}</span>
    </span>
  );
}
