"use client";

import Link from "next/link";
import { useEffect, useState } from "react";
import { useSubscription } from "@trpc/tanstack-react-query";
import type { RolloutState, TargetPhase } from "../../server/containers/rollouts";
import { useTRPC } from "@/lib/trpc";
import { shortId } from "@/lib/format";
import { ImagePullProgress } from "./image-pull-progress";
import { Badge, ErrorNote, Spinner } from "./ui";

const PHASE: Record<TargetPhase, { label: string; tone: "green" | "red" | "amber" | "slate" | "sky" }> = {
  waiting: { label: "waiting", tone: "slate" },
  pulling: { label: "pulling", tone: "sky" },
  recreating: { label: "recreating", tone: "sky" },
  replaced: { label: "replaced", tone: "green" },
  "up-to-date": { label: "already up to date", tone: "green" },
  "rolled-back": { label: "rolled back", tone: "amber" },
  "rollback-failed": { label: "rollback failed", tone: "red" },
  failed: { label: "failed", tone: "red" },
  skipped: { label: "skipped", tone: "slate" },
};

const VERB = { recreate: "Recreating", update: "Updating", rollback: "Rolling back" } as const;

function heading(state: RolloutState | null): string {
  if (!state) return "Starting…";
  const n = state.targets.length;
  const what = `${n} container${n === 1 ? "" : "s"}`;
  if (!state.done) return `${VERB[state.kind]} ${what}…`;
  const ok = state.targets.filter((t) => t.phase === "replaced" || t.phase === "up-to-date").length;
  if (ok === n) return `Done: ${what} ${state.kind === "rollback" ? "rolled back" : state.kind === "update" ? "up to date" : "recreated"}`;
  return `Stopped: ${ok} of ${what} done`;
}

/** A rollout live from the server, per container: its phase, what the agent says, and the pull's layers while it pulls. */
export function RolloutProgress({ rolloutId, onDone }: { rolloutId: string; onDone?: (state: RolloutState) => void }) {
  const trpc = useTRPC();
  const [state, setState] = useState<RolloutState | null>(null);
  const done = state?.done ?? false;
  const sub = useSubscription(trpc.containers.rollout.subscriptionOptions({ rolloutId }, { enabled: !done, onData: setState }));
  useEffect(() => {
    if (done && state) onDone?.(state);
    // Once per rollout: `done` turns true once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [done]);
  return (
    <div className="space-y-3 rounded-md border border-slate-200 p-3" aria-live="polite" data-testid="rollout">
      <p className="flex items-center gap-2 text-sm font-medium" data-testid="rollout-heading">
        {!done && <Spinner label="" />}
        {heading(state)}
      </p>
      {state?.stopped && <p className="text-sm text-red-700">Stopped at the first failure: {state.stopped}</p>}
      <ErrorNote error={sub.error} />
      <ul className="space-y-3">
        {state?.targets.map((t) => (
          <li key={`${t.hostId}/${t.id}`} className="space-y-1 text-sm" data-testid="rollout-target">
            <div className="flex flex-wrap items-center gap-2">
              <Link href={`/containers/${t.hostId}/${t.currentId ?? t.id}`} className="font-medium hover:underline">
                {t.name}
              </Link>
              <span className="text-slate-500">on {t.hostName}</span>
              <Badge tone={PHASE[t.phase].tone}>{PHASE[t.phase].label}</Badge>
              {t.toImageId && t.fromImageId !== t.toImageId && (
                <span className="font-mono text-xs text-slate-500">
                  {shortId(t.fromImageId ?? "")} → {shortId(t.toImageId)}
                </span>
              )}
            </div>
            {t.message && <p className={FAILED_PHASES.has(t.phase) ? "text-red-700" : "text-slate-600"}>{t.message}</p>}
            {t.phase === "pulling" && t.pullId && <ImagePullProgress pullId={t.pullId} />}
          </li>
        ))}
      </ul>
    </div>
  );
}

const FAILED_PHASES: ReadonlySet<TargetPhase> = new Set(["failed", "rolled-back", "rollback-failed"]);
