import type { ReactNode } from "react";

/** At or above this share of a host's capacity a gauge turns amber, and red at the second. */
const WARN_AT = 0.75;
const ALERT_AT = 0.9;

/** A share of capacity as a bar and a number; "—" when the host has not said. */
export function Gauge({ label, share, detail }: { label: string; share: number | null; detail?: ReactNode }) {
  if (share === null) return <span className="text-slate-500" title={`${label}: not reported`}>—</span>;
  const percent = Math.round(share * 100);
  const bar = share >= ALERT_AT ? "bg-red-600" : share >= WARN_AT ? "bg-amber-500" : "bg-sky-600";
  return (
    <div className="min-w-[6rem]">
      <div role="meter" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} className="h-1.5 rounded-full bg-slate-200">
        <div className={`h-1.5 rounded-full ${bar}`} style={{ width: `${Math.max(2, percent)}%` }} />
      </div>
      <div className="mt-0.5 text-xs tabular-nums text-slate-700">
        {percent}%{detail ? ` · ${detail}` : ""}
      </div>
    </div>
  );
}
