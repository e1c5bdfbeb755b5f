"use client";

import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { SIGNALS, type ContainerOperationInput } from "@stevedore/protocol";
import { useTRPC } from "@/lib/trpc";
import { Button, Dialog, ErrorNote, Input, Select, Spinner } from "./ui";

export interface ActionTarget {
  hostId: string;
  id: string;
  name: string;
  state: string;
}

type Result = { id: string; hostName: string; ok: boolean; error?: { message: string } };

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

/**
 * Lifecycle actions for one container or a selection across hosts. Every target reports on its own:
 * a failure is listed by name in the engine's words and never hides the ones that succeeded.
 */
export function ContainerActions({ targets, onDone, compact = false }: { targets: ActionTarget[]; onDone?: (op: ContainerOperationInput, results: Result[]) => void; compact?: boolean }) {
  const trpc = useTRPC();
  const operate = useMutation(trpc.containers.operate.mutationOptions());
  const [results, setResults] = useState<Result[] | null>(null);
  const [signal, setSignal] = useState<(typeof SIGNALS)[number]>("SIGKILL");
  const [timeout, setTimeoutSeconds] = useState(10);
  const [dialog, setDialog] = useState<"rename" | "remove" | null>(null);
  const [newName, setNewName] = useState("");
  const [force, setForce] = useState(false);
  const [volumes, setVolumes] = useState(false);

  const running = targets.some((t) => t.state === "running" || t.state === "restarting");
  const paused = targets.some((t) => t.state === "paused");
  const stopped = targets.some((t) => t.state === "exited" || t.state === "created" || t.state === "dead");
  const busy = operate.isPending;

  function run(operation: ContainerOperationInput) {
    setResults(null);
    operate.mutate(
      { targets: targets.map(({ hostId, id }) => ({ hostId, id })), operation },
      {
        onSuccess: (res) => {
          setResults(res);
          onDone?.(operation, res);
        },
      },
    );
    setDialog(null);
  }

  const nameOf = (id: string) => targets.find((t) => t.id === id)?.name ?? id.slice(0, 12);
  const failed = results?.filter((r) => !r.ok) ?? [];
  const single = targets.length === 1 ? targets[0] : undefined;

  return (
    <div className="space-y-2">
      <div className="flex flex-wrap items-center gap-2" role="toolbar" aria-label="Container actions">
        <Button disabled={busy || !stopped} onClick={() => run({ action: "start" })}>
          Start
        </Button>
        <span className="inline-flex items-center gap-1">
          <Button disabled={busy || !(running || paused)} onClick={() => run({ action: "stop", timeoutSeconds: timeout })} title="SIGTERM, then SIGKILL after the timeout">
            Stop
          </Button>
          <Button disabled={busy} onClick={() => run({ action: "restart", timeoutSeconds: timeout })}>
            Restart
          </Button>
          <label className="inline-flex items-center gap-1 text-xs text-slate-500">
            after
            <Input type="number" min={0} max={3600} value={timeout} onChange={(e) => setTimeoutSeconds(Math.max(0, Number(e.target.value) || 0))} className="w-16 py-1" aria-label="Seconds before SIGKILL" />s
          </label>
        </span>
        <span className="inline-flex items-center gap-1">
          <Select aria-label="Signal" value={signal} onChange={(e) => setSignal(e.target.value as typeof signal)} className="py-1">
            {SIGNALS.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </Select>
          <Button disabled={busy || !(running || paused)} onClick={() => run({ action: "kill", signal })}>
            Kill
          </Button>
        </span>
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
        <Button variant="danger" disabled={busy} onClick={() => setDialog("remove")}>
          Remove
        </Button>
        {busy && <Spinner label={`Working on ${targets.length} container${targets.length === 1 ? "" : "s"}…`} />}
      </div>

      <ErrorNote error={operate.error} />
      {results && (
        <div role="status" className="text-sm">
          {results.length > 1 && (
            <p className={failed.length ? "text-amber-800" : "text-emerald-700"}>
              {results.length - failed.length} succeeded{failed.length ? `, ${failed.length} failed` : ""}.
            </p>
          )}
          {failed.map((r) => (
            <p key={r.id} className="text-red-700">
              {nameOf(r.id)} on {r.hostName}: {r.error?.message}
            </p>
          ))}
        </div>
      )}

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

      <Dialog open={dialog === "remove"} onClose={() => setDialog(null)} title={`Remove ${single ? single.name : `${targets.length} containers`}?`}>
        <div className="space-y-3 text-sm">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={force} onChange={(e) => setForce(e.target.checked)} /> Force (kill it first if it is running)
          </label>
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={volumes} onChange={(e) => setVolumes(e.target.checked)} /> Also remove its anonymous volumes
          </label>
          <div className="flex justify-end gap-2">
            <Button onClick={() => setDialog(null)}>Cancel</Button>
            <Button variant="danger" onClick={() => run({ action: "remove", force, removeVolumes: volumes })}>
              Remove
            </Button>
          </div>
        </div>
      </Dialog>
    </div>
  );
}
