"use client";

import { useEffect, useState } from "react";
import { useMutation } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import type { LayerProgress } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { bytes } from "@/lib/format";
import type { HostPullState, PullState } from "../../server/images/image-pulls";
import { Badge, Button, ErrorNote } from "./ui";

export type { PullState };

const PHASE_LABEL: Record<LayerProgress["phase"], string> = {
  waiting: "Waiting",
  downloading: "Downloading",
  verifying: "Verifying checksum",
  downloaded: "Download complete",
  extracting: "Extracting",
  complete: "Pull complete",
  exists: "Already exists",
};

/** How far one layer is: downloading is most of the work, extracting the rest. */
function layerFraction(l: LayerProgress): number {
  const part = l.total ? Math.min(1, (l.current ?? 0) / l.total) : 0;
  switch (l.phase) {
    case "waiting":
      return 0;
    case "downloading":
      return 0.8 * part;
    case "verifying":
    case "downloaded":
      return 0.8;
    case "extracting":
      return 0.8 + 0.2 * part;
    default:
      return 1;
  }
}

function hostFraction(h: HostPullState): number {
  if (h.phase === "succeeded") return 1;
  if (h.layers.length === 0) return 0;
  return h.layers.reduce((sum, l) => sum + layerFraction(l), 0) / h.layers.length;
}

function ProgressBar({ value, label, tone }: { value: number; label: string; tone: "sky" | "green" | "red" }) {
  const colour = { sky: "bg-sky-600", green: "bg-emerald-600", red: "bg-red-600" }[tone];
  return (
    <div role="progressbar" aria-label={label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(value * 100)} className="h-1.5 w-full overflow-hidden rounded-full bg-slate-200">
      <div className={`h-full ${colour} transition-[width] duration-200`} style={{ width: `${Math.round(value * 100)}%` }} />
    </div>
  );
}

function HostPullRow({ h }: { h: HostPullState }) {
  const done = h.layers.filter((l) => l.phase === "complete" || l.phase === "exists").length;
  const tone = h.phase === "succeeded" ? "green" : h.phase === "pulling" ? "sky" : "red";
  return (
    <li data-testid="pull-host" data-host={h.hostName} data-phase={h.phase} className="space-y-1.5">
      <div className="flex flex-wrap items-center gap-2 text-sm">
        <span className="font-medium">{h.hostName}</span>
        <Badge tone={tone === "sky" ? "sky" : tone}>{h.phase}</Badge>
        {h.layers.length > 0 && (
          <span className="text-xs text-slate-500">
            {done} of {h.layers.length} layers
          </span>
        )}
        {h.digest && <code className="break-all text-xs text-slate-500">{h.digest}</code>}
      </div>
      <ProgressBar value={hostFraction(h)} label={`Pull on ${h.hostName}`} tone={tone} />
      {h.error && <p className="text-sm text-red-700">{h.error.message}</p>}
      {h.phase === "pulling" && h.status && <p className="text-xs text-slate-500">{h.status}</p>}
      {h.layers.length > 0 && (
        <details open={h.phase === "pulling"}>
          <summary className="cursor-pointer text-xs text-slate-500">Layers</summary>
          <ul className="mt-1 space-y-0.5 font-mono text-xs">
            {h.layers.map((l) => (
              <li key={l.id} className="grid grid-cols-[7rem_9rem_1fr_8rem] items-center gap-2">
                <span>{l.id.slice(0, 12)}</span>
                <span className="text-slate-600">{PHASE_LABEL[l.phase]}</span>
                <ProgressBar value={layerFraction(l)} label={`Layer ${l.id}`} tone={l.phase === "complete" || l.phase === "exists" ? "green" : "sky"} />
                <span className="text-right text-slate-500">{l.total && (l.phase === "downloading" || l.phase === "extracting") ? `${bytes(l.current ?? 0)} / ${bytes(l.total)}` : ""}</span>
              </li>
            ))}
          </ul>
        </details>
      )}
    </li>
  );
}

/** What the pull came to, counted over its hosts: "Pulled" only when every host has the image. */
function pullHeading(state: PullState | null): string {
  if (!state?.done) return "Pulling";
  const count = (phase: string) => state.hosts.filter((h) => h.phase === phase).length;
  const [ok, failed, cancelled] = [count("succeeded"), count("failed"), count("cancelled")];
  if (ok === state.hosts.length) return "Pulled";
  if (ok === 0) return failed ? "Could not pull" : "Cancelled pull of";
  return `Pulled on ${ok} of ${state.hosts.length} hosts (${[failed && `${failed} failed`, cancelled && `${cancelled} cancelled`].filter(Boolean).join(", ")})`;
}

/**
 * A pull in progress, per host and per layer, live from the server; `onDone` gets the final state
 * once every host has finished (succeeded, failed or cancelled).
 */
export function ImagePullProgress({ pullId, onDone }: { pullId: string; onDone?: (state: PullState) => void }) {
  const trpc = useTRPC();
  const cancel = useMutation(trpc.images.cancelPull.mutationOptions());
  // Kept here: the subscription forgets its data once the server ends the stream (the pull is done).
  const [state, setState] = useState<PullState | null>(null);
  const done = state?.done ?? false;
  const sub = useSubscription(trpc.images.pullProgress.subscriptionOptions({ pullId }, { enabled: !done, onData: setState }));
  useEffect(() => {
    if (done && state) onDone?.(state);
    // Once per pull: `done` turns true once.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [done]);
  return (
    <div className="space-y-3 rounded-md border border-slate-200 p-3" aria-live="polite">
      <div className="flex items-center justify-between gap-2">
        <p className="text-sm">
          {pullHeading(state)} <code className="font-medium">{state?.reference ?? "…"}</code>
        </p>
        {state && !state.done && (
          <Button variant="ghost" className="py-1" disabled={cancel.isPending} onClick={() => cancel.mutate({ pullId })}>
            Cancel pull
          </Button>
        )}
      </div>
      <ErrorNote error={sub.error ?? cancel.error} />
      <ul className="space-y-3">{state?.hosts.map((h) => <HostPullRow key={h.hostId} h={h} />)}</ul>
    </div>
  );
}
