import type { CheckpointReport } from "../../server/audit/audit-log";

export interface WitnessSummary {
  /** What the checkpoints say about the chain, in a sentence. */
  text: string;
  /** Set when a witness holds lines not signed with the audit key. */
  warning: string | null;
}

/** The verify result's checkpoints in words, for the audit page (pure, so it is tested alone). */
export function witnessSummary(report: CheckpointReport, chainOk: boolean): WitnessSummary {
  const { checked, newest, rejected, rejectedCount } = report;
  const text = !newest
    ? "No checkpoint yet: truncation of the newest entries would not show."
    : `${chainOk ? "Reaches" : "Held to"} ${checked.toLocaleString()} signed checkpoint${checked === 1 ? "" : "s"}, the newest at entry #${newest.seq} (${new Date(newest.at).toLocaleString()}).`;
  if (rejectedCount === 0) return { text, warning: null };
  const first = rejected[0];
  const lines = `${rejectedCount.toLocaleString()} checkpoint line${rejectedCount === 1 ? " is" : "s are"}`;
  return { text, warning: `${lines} not signed with the audit key: someone else wrote to the witness${first ? ` (${first.where}: ${first.reason}${rejectedCount > 1 ? "; …" : ""})` : ""}.` };
}
