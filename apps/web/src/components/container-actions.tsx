"use client";

import { useEffect, useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import type { ContainerOperationInput, SIGNALS } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { usePickedHosts } from "./host-picker";
import { Button, ConfirmDialog, Dialog, ErrorNote, Input, Select, Spinner, TYPED_CONFIRM_OVER, TargetList, toast } from "./ui";

export interface ActionTarget {
  hostId: string;
  id: string;
  name: string;
  state: string;
  /** Named in the confirmation; looked up by id (hosts.search) when the caller does not know it. */
  hostName?: string;
}

type Result = { id: string; hostName: string; ok: boolean; unknown?: boolean; error?: { message: string } };
type Signal = (typeof SIGNALS)[number];
/** The actions that ask first: they end or interrupt what a container is doing. */
type Confirmed = "stop" | "restart" | "kill" | "remove";
/** What a row's menu can ask of a headless ContainerActions. */
export type RequestedAction = Confirmed | "start" | "pause" | "unpause";

/** The signals Kill offers, SIGTERM first, each with what it does to a typical process. */
const KILL_SIGNALS: { signal: Signal; meaning: string }[] = [
  { signal: "SIGTERM", meaning: "asks the process to exit; it can clean up first (what docker stop sends)" },
  { signal: "SIGKILL", meaning: "ends it at once; it cannot be caught, nothing is cleaned up (exit code 137)" },
  { signal: "SIGINT", meaning: "as Ctrl-C in a terminal; most programs exit" },
  { signal: "SIGHUP", meaning: "hang-up; many daemons reload their configuration instead of exiting" },
  { signal: "SIGQUIT", meaning: "quit with a core dump or, in some runtimes, a thread dump" },
];

/** Whether a role (the caller's on a host, as the server reports it) allows container actions; the server checks again on every call. */
export function mayOperate(role: string | undefined): boolean {
  return role === "operator" || role === "admin";
}

/** True when the signed-in user may act on containers on at least one host (fleet-wide or by a group grant). */
export function useCanOperateSomewhere(): boolean {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  return mayOperate(me.data?.highestRole);
}

const DONE: Record<ContainerOperationInput["action"], string> = {
  start: "Started",
  stop: "Stopped",
  restart: "Restarted",
  kill: "Killed",
  pause: "Paused",
  unpause: "Unpaused",
  rename: "Renamed",
  remove: "Removed",
};

/** A long selection goes in requests of about this many, so the page can say how far it has got. */
const CHUNK = 50;

/**
 * Sends a selection in requests of at most CHUNK targets, one after another, reporting the count
 * done. Sizes are even (120 goes as 40 + 40 + 40): a request of one target is answered with its error
 * instead of a result list, which a chunk must not be.
 */
async function operateInChunks<T extends { hostId: string; id: string }>(
  targets: T[],
  send: (chunk: T[]) => Promise<Result[]>,
  onProgress: (p: { done: number; total: number }) => void,
): Promise<{ results: Result[]; error?: Error }> {
  const size = Math.ceil(targets.length / Math.ceil(targets.length / CHUNK));
  const results: Result[] = [];
  onProgress({ done: 0, total: targets.length });
  for (let i = 0; i < targets.length; i += size) {
    try {
      results.push(...(await send(targets.slice(i, i + size))));
    } catch (err) {
      return { results, error: err instanceof Error ? err : new Error(String(err)) };
    }
    onProgress({ done: results.length, total: targets.length });
  }
  return { results };
}

const isRunning = (t: ActionTarget) => t.state === "running" || t.state === "restarting" || t.state === "paused";
const count = (n: number) => `${n} container${n === 1 ? "" : "s"}`;

/** The toast for an operation's results: "Stopped 3 containers", or which failed and why. */
export function outcomeOf(operation: ContainerOperationInput, results: Result[], nameOf: (id: string) => string): Parameters<typeof toast>[0] {
  const verb = operation.action === "kill" ? `Sent ${operation.signal ?? "SIGKILL"} to` : DONE[operation.action];
  const failed = results.filter((r) => !r.ok);
  const unknown = failed.filter((r) => r.unknown).length;
  const ok = results.length - failed.length;
  const subject = results.length === 1 ? nameOf(results[0]!.id) : count(results.length);
  const details = failed.map((r) => `${nameOf(r.id)} on ${r.hostName}: ${r.unknown ? "no answer in time, the outcome is unknown (the list shows what the engine reports)" : (r.error?.message ?? "failed")}`);
  if (!failed.length) return { tone: "ok", title: `${verb} ${subject}` };
  if (!ok && results.length === 1) return { tone: "error", title: `Could not ${operation.action} ${subject}`, details };
  // Every part counted, so a bulk outcome reads in one line: "Stopped 48 of 50 containers; 1 failed, 1 unknown".
  const parts = [failed.length - unknown && `${failed.length - unknown} failed`, unknown && `${unknown} unknown`].filter(Boolean).join(", ");
  return { tone: ok ? "mixed" : "error", title: ok ? `${verb} ${ok} of ${count(results.length)}; ${parts}` : `Could not ${operation.action} ${count(results.length)}: ${parts}`, details };
}

/**
 * Lifecycle actions for one container or a selection across hosts. Stop, restart, kill and remove ask
 * first in a dialog naming every target (past ten, the count must be typed); each outcome is a toast,
 * and a failure is listed by name and host, never hiding the ones that succeeded.
 */
export function ContainerActions({
  targets,
  onDone,
  compact = false,
  headless = false,
  request = null,
}: {
  targets: ActionTarget[];
  onDone?: (op: ContainerOperationInput, results: Result[]) => void;
  compact?: boolean;
  /** Only the dialogs, opened by `request` (a row's menu): no toolbar of its own. */
  headless?: boolean;
  /** Each new object opens that action's confirmation (or runs it, for those that do not ask). */
  request?: { action: RequestedAction } | null;
}) {
  const trpc = useTRPC();
  const operate = useMutation(trpc.containers.operate.mutationOptions());
  // The names of the targets' hosts the caller did not pass: those hosts only, by id.
  const hostNames = usePickedHosts(targets.filter((t) => !t.hostName).map((t) => t.hostId));
  const [failures, setFailures] = useState<string[]>([]);
  // Kill defaults to SIGTERM: a chance to shut down cleanly; SIGKILL is one choice away.
  const [signal, setSignal] = useState<Signal>("SIGTERM");
  const [timeout, setTimeoutSeconds] = useState(10);
  const [dialog, setDialog] = useState<Confirmed | "rename" | null>(null);
  const [newName, setNewName] = useState("");
  const [force, setForce] = useState(false);
  const [volumes, setVolumes] = useState(false);

  const running = targets.some((t) => t.state === "running" || t.state === "restarting");
  const paused = targets.some((t) => t.state === "paused");
  const stopped = targets.some((t) => t.state === "exited" || t.state === "created" || t.state === "dead");
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const busy = progress !== null;
  const hostOf = (t: ActionTarget) => t.hostName ?? hostNames.get(t.hostId)?.name ?? t.hostId;
  const nameOf = (id: string) => targets.find((t) => t.id === id)?.name ?? id.slice(0, 12);
  const single = targets.length === 1 ? targets[0] : undefined;
  const runningTargets = targets.filter(isRunning);

  function run(operation: ContainerOperationInput) {
    setFailures([]);
    setDialog(null);
    const report = (res: Result[]) => {
      const outcome = outcomeOf(operation, res, nameOf);
      toast(outcome);
      setFailures(outcome.details ?? []);
      onDone?.(operation, res);
    };
    // The promise, not mutate's callbacks: those are skipped once this unmounts, and a bulk remove
    // unmounts it (the removed rows leave the selection) before the answer arrives.
    void operateInChunks(targets, (chunk) => operate.mutateAsync({ targets: chunk.map(({ hostId, id }) => ({ hostId, id })), operation }), setProgress).then(
      ({ results, error }) => {
        setProgress(null);
        if (!error) return report(results);
        // A chunk refused outright (the session ended, the network went): what was done is still said.
        const rest = targets.length - results.length;
        if (results.length) report(results);
        toast({ tone: "error", title: `Could not ${operation.action} ${single ? single.name : count(rest)}`, details: [error.message] });
      },
    );
  }

  function open(which: Confirmed) {
    setForce(false);
    setVolumes(false);
    setDialog(which);
  }

  // A row menu's choice arrives as a new request object: an event from outside, acted on once.
  useEffect(() => {
    if (!request) return;
    const { action } = request;
    // eslint-disable-next-line react-hooks/set-state-in-effect -- the request is the event; there is no render to derive it from
    if (action === "start" || action === "pause" || action === "unpause") run({ action });
    else open(action);
    // Only a new request acts; `run` and `open` read the current targets.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request]);

  const what = single ? single.name : count(targets.length);
  const typed = targets.length > TYPED_CONFIRM_OVER ? String(targets.length) : undefined;
  const list = (
    <TargetList
      label="Containers"
      items={targets.map((t) => ({ key: `${t.hostId}/${t.id}`, name: t.name, detail: `on ${hostOf(t)} · ${t.state}` }))}
    />
  );
  const timeoutField = (
    <label className="flex items-center gap-2">
      <span>Seconds to wait after SIGTERM before SIGKILL</span>
      <Input type="number" min={0} max={3600} value={timeout} onChange={(e) => setTimeoutSeconds(Math.min(3600, Math.max(0, Number(e.target.value) || 0)))} className="w-20 py-1" />
    </label>
  );

  return (
    <div className={headless ? "contents" : "space-y-2"}>
      {!headless && (
      <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Container actions">
        <Button disabled={busy || !stopped} onClick={() => run({ action: "start" })}>
          Start
        </Button>
        <Button disabled={busy || !(running || paused)} onClick={() => open("stop")}>
          Stop…
        </Button>
        <Button disabled={busy} onClick={() => open("restart")}>
          Restart…
        </Button>
        <Button disabled={busy || !(running || paused)} onClick={() => open("kill")}>
          Kill…
        </Button>
        <Button disabled={busy || !running} onClick={() => run({ action: "pause" })}>
          Pause
        </Button>
        <Button disabled={busy || !paused} onClick={() => run({ action: "unpause" })}>
          Unpause
        </Button>
        {single && !compact && (
          <Button
            disabled={busy}
            onClick={() => {
              setNewName(single.name);
              setDialog("rename");
            }}
          >
            Rename
          </Button>
        )}
        <Button variant="danger" disabled={busy} onClick={() => open("remove")}>
          Remove…
        </Button>
        {progress && <Spinner label={progress.total > CHUNK ? `Working… ${progress.done} of ${count(progress.total)} done` : `Working on ${count(progress.total)}…`} />}
      </div>
      )}

      {!headless && <ErrorNote error={operate.error} />}
      {!headless && failures.length > 0 && (
        <div className="text-sm text-red-700" data-testid="action-failures">
          {failures.map((f, i) => (
            <p key={i}>{f}</p>
          ))}
        </div>
      )}

      <ConfirmDialog open={dialog === "stop"} onClose={() => setDialog(null)} title={`Stop ${what}?`} confirmLabel={`Stop ${what}`} typed={typed} onConfirm={() => run({ action: "stop", timeoutSeconds: timeout })}>
        <p>Each gets SIGTERM, then SIGKILL if it has not exited in time.</p>
        {list}
        {timeoutField}
      </ConfirmDialog>

      <ConfirmDialog open={dialog === "restart"} onClose={() => setDialog(null)} title={`Restart ${what}?`} confirmLabel={`Restart ${what}`} typed={typed} onConfirm={() => run({ action: "restart", timeoutSeconds: timeout })}>
        <p>Each is stopped (SIGTERM, then SIGKILL after the wait) and started again; what it was doing is interrupted.</p>
        {list}
        {timeoutField}
      </ConfirmDialog>

      <ConfirmDialog open={dialog === "kill"} onClose={() => setDialog(null)} title={`Kill ${what}?`} confirmLabel={`Send ${signal}`} typed={typed} onConfirm={() => run({ action: "kill", signal })}>
        <p>Sends a signal to each container&apos;s main process at once, without a grace period.</p>
        {list}
        <label className="flex items-center gap-2">
          <span className="font-medium">Signal</span>
          <Select value={signal} onChange={(e) => setSignal(e.target.value as Signal)} className="py-1" aria-describedby="kill-signal-meaning">
            {KILL_SIGNALS.map((s) => (
              <option key={s.signal} value={s.signal}>
                {s.signal}
              </option>
            ))}
          </Select>
        </label>
        <p id="kill-signal-meaning" className="text-slate-600" data-testid="signal-meaning">
          {signal}: {KILL_SIGNALS.find((s) => s.signal === signal)?.meaning}
        </p>
        <details className="text-slate-600">
          <summary className="cursor-pointer">What each signal does</summary>
          <dl className="mt-1 grid grid-cols-[auto_1fr] gap-x-3 gap-y-0.5">
            {KILL_SIGNALS.map((s) => (
              <div key={s.signal} className="contents">
                <dt className="font-mono">{s.signal}</dt>
                <dd>{s.meaning}</dd>
              </div>
            ))}
          </dl>
        </details>
      </ConfirmDialog>

      <ConfirmDialog
        open={dialog === "remove"}
        onClose={() => setDialog(null)}
        title={`Remove ${what}?`}
        confirmLabel={`Remove ${what}`}
        typed={typed}
        blocked={runningTargets.length && !force ? `${runningTargets.length === 1 ? `${runningTargets[0]!.name} is` : `${count(runningTargets.length)} are`} running: check Force, or stop first.` : null}
        onConfirm={() => run({ action: "remove", force, removeVolumes: volumes })}
      >
        <p>Each container and its writable layer are deleted; its image and named volumes stay.</p>
        {list}
        {runningTargets.length > 0 && (
          <label className="flex items-start gap-2">
            <input type="checkbox" className="mt-1" checked={force} onChange={(e) => setForce(e.target.checked)} />
            <span>
              <span className="font-medium">Force</span>: {runningTargets.length === 1 ? "it is running; it is" : `${count(runningTargets.length)} are running; they are`} killed (SIGKILL, no clean shutdown) and then removed.
            </span>
          </label>
        )}
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-1" checked={volumes} onChange={(e) => setVolumes(e.target.checked)} />
          <span>Also remove anonymous volumes (their data is lost; named volumes are kept)</span>
        </label>
      </ConfirmDialog>

      <Dialog open={dialog === "rename"} onClose={() => setDialog(null)} title="Rename container">
        <form
          className="flex items-end gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            run({ action: "rename", name: newName.trim() });
          }}
        >
          <label className="flex-1 space-y-1 text-sm">
            <span className="font-medium">New name</span>
            <Input value={newName} onChange={(e) => setNewName(e.target.value)} className="w-full" autoFocus required pattern="[a-zA-Z0-9][a-zA-Z0-9_.\-]*" />
          </label>
          <Button type="submit" variant="primary">
            Rename
          </Button>
        </form>
      </Dialog>
    </div>
  );
}
