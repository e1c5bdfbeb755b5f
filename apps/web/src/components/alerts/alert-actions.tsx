"use client";

import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { exactTime } from "@/lib/format";
import { Button, Dialog, ErrorNote, Select, toast } from "../ui";
import { SILENCE_CHOICES, alertState, type AlertRow } from "./alert-state";

type Target = Pick<AlertRow, "id" | "summary" | "hostName" | "resolvedAt" | "acknowledgedAt" | "silencedUntil" | "mayOperate">;

/** After an action, every alert query refetches (the change stream would too, a moment later). */
function useRefreshAlerts() {
  const trpc = useTRPC();
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: trpc.alerts.pathKey() });
}

/**
 * Acknowledge and Silence for an alert, each asking first; shown only to those who may operate on its
 * host (the server refuses everyone else), and only while the alert is open.
 */
export function AlertActions({ alert, now, compact = false }: { alert: Target; now: number; compact?: boolean }) {
  const [asking, setAsking] = useState<"ack" | "silence" | null>(null);
  if (!alert.mayOperate || alert.resolvedAt) return null;
  const state = alertState(alert, now);
  const small = compact ? "py-0.5 text-xs" : "";
  return (
    <span className={`inline-flex gap-2 ${compact ? "flex-nowrap" : "flex-wrap"}`}>
      {!alert.acknowledgedAt && (
        <Button variant={compact ? "ghost" : "secondary"} className={small} onClick={() => setAsking("ack")} aria-label={compact ? `Acknowledge ${alert.summary}` : undefined}>
          Acknowledge…
        </Button>
      )}
      <Button variant={compact ? "ghost" : "secondary"} className={small} onClick={() => setAsking("silence")} aria-label={compact ? `Silence ${alert.summary}` : undefined}>
        {state === "silenced" ? "Change silence…" : "Silence…"}
      </Button>
      {asking === "ack" && <AcknowledgeDialog alert={alert} onClose={() => setAsking(null)} />}
      {asking === "silence" && <SilenceDialog alert={alert} now={now} onClose={() => setAsking(null)} />}
    </span>
  );
}

function AcknowledgeDialog({ alert, onClose }: { alert: Target; onClose: () => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshAlerts();
  const ack = useMutation(trpc.alerts.acknowledge.mutationOptions());
  return (
    <Dialog open onClose={onClose} title="Acknowledge this alert?">
      <form
        className="space-y-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          ack.mutate(
            { alertId: alert.id },
            {
              onSuccess: () => {
                toast({ tone: "ok", title: `Acknowledged: ${alert.summary}` });
                void refresh();
                onClose();
              },
            },
          );
        }}
      >
        <p>
          <span className="font-medium">{alert.summary}</span> on <span className="font-medium">{alert.hostName}</span>
        </p>
        <p className="text-slate-600">It leaves the firing count with your name on it. It stays open until its condition clears, and its channels still hear when it resolves.</p>
        <ErrorNote error={ack.error} />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={ack.isPending}>
            {ack.isPending ? "Acknowledging…" : "Acknowledge"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function SilenceDialog({ alert, now, onClose }: { alert: Target; now: number; onClose: () => void }) {
  const trpc = useTRPC();
  const refresh = useRefreshAlerts();
  const silence = useMutation(trpc.alerts.silence.mutationOptions());
  const [minutes, setMinutes] = useState<number>(60);
  const silenced = alertState(alert, now) === "silenced";
  const send = (m: number) =>
    silence.mutate(
      { alertId: alert.id, minutes: m },
      {
        onSuccess: (a) => {
          toast({ tone: "ok", title: a.silencedUntil ? `Silenced until ${exactTime(a.silencedUntil.getTime())}: ${alert.summary}` : `Silence lifted: ${alert.summary}` });
          void refresh();
          onClose();
        },
      },
    );
  return (
    <Dialog open onClose={onClose} title="Silence this alert?">
      <form
        className="space-y-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          send(minutes);
        }}
      >
        <p>
          <span className="font-medium">{alert.summary}</span> on <span className="font-medium">{alert.hostName}</span>
        </p>
        <p className="text-slate-600">
          No notification goes out for it while silenced, and it leaves the firing count. The silence carries over to the next alert of the same condition until it ends.
        </p>
        {silenced && alert.silencedUntil && <p>Silenced now until {exactTime(alert.silencedUntil.getTime())}.</p>}
        <label className="flex flex-wrap items-center gap-2">
          <span className="font-medium">For</span>
          <Select value={minutes} onChange={(e) => setMinutes(Number(e.target.value))}>
            {SILENCE_CHOICES.map((c) => (
              <option key={c.minutes} value={c.minutes}>
                {c.label}
              </option>
            ))}
          </Select>
        </label>
        <ErrorNote error={silence.error} />
        <div className="flex flex-wrap justify-end gap-2">
          {silenced && (
            <Button className="mr-auto" disabled={silence.isPending} onClick={() => send(0)}>
              Lift the silence
            </Button>
          )}
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={silence.isPending}>
            {silence.isPending ? "Silencing…" : "Silence"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
