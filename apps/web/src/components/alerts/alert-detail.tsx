"use client";

import Link from "next/link";
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { type RouterOutputs, useTRPC } from "@/lib/trpc";
import { RULE_KIND_WORDS, type RuleKind } from "../../../server/alerts/alert-kinds";
import { BackLink, Badge, Card, ErrorNote, RelativeTime, Spinner, useNow } from "../ui";
import { AlertActions } from "./alert-actions";
import { SEVERITY_TONE, STATE_TONE, alertState } from "./alert-state";

type Alert = RouterOutputs["alerts"]["get"];
type Delivery = RouterOutputs["alerts"]["deliveries"][number];

/** While a delivery waits for its next attempt, its log is read again this often (attempts send no change). */
const PENDING_POLL_MS = 2_000;

/** One alert: what fired and where, its timeline, and every delivery attempt as the server recorded it. */
export function AlertDetail({ alertId }: { alertId: string }) {
  const trpc = useTRPC();
  const tick = useNow();
  const alert = useQuery(trpc.alerts.get.queryOptions({ alertId }));
  const deliveries = useQuery({
    ...trpc.alerts.deliveries.queryOptions({ alertId }),
    refetchInterval: (q) => (q.state.data?.some((d) => d.status === "pending") ? PENDING_POLL_MS : false),
  });
  // Never behind what was just read (no "in 1 second").
  const now = Math.max(tick, alert.dataUpdatedAt, deliveries.dataUpdatedAt);

  if (alert.isPending) return <Spinner label="Loading the alert…" />;
  if (alert.error) {
    return (
      <div className="space-y-3">
        <BackLink href="/alerts">Alerts</BackLink>
        <ErrorNote error={alert.error} />
      </div>
    );
  }
  const a = alert.data;
  const st = alertState(a, now);
  return (
    <div className="space-y-4">
      <div>
        <BackLink href="/alerts">Alerts</BackLink>
        <div className="mt-1 flex flex-wrap items-center gap-3">
          <h1 className="text-xl font-semibold break-words">{a.summary}</h1>
          <Badge tone={STATE_TONE[st]}>{st}</Badge>
          <Badge tone={SEVERITY_TONE[a.severity] ?? "slate"}>{a.severity}</Badge>
        </div>
        <div className="mt-3">
          <AlertActions alert={a} now={now} />
        </div>
      </div>
      <div className="grid items-start gap-4 lg:grid-cols-2">
        <Card title="What fired">
          <dl className="divide-y divide-slate-100 text-sm">
            <Fact label="Rule">
              {a.ruleName} <span className="text-slate-500">({RULE_KIND_WORDS[a.kind as RuleKind] ?? a.kind})</span>
            </Fact>
            <Fact label="Host">
              <Link href={`/hosts/${encodeURIComponent(a.hostId)}`} className="text-sky-700 hover:underline">
                {a.hostName}
              </Link>
            </Fact>
            {a.subject && (
              <Fact label="Container">
                {a.containerId ? (
                  <Link href={`/containers/${encodeURIComponent(a.hostId)}/${encodeURIComponent(a.containerId)}`} className="text-sky-700 hover:underline">
                    {a.subject}
                  </Link>
                ) : (
                  a.subject
                )}
              </Fact>
            )}
            <Fact label="Count">{a.count > 1 ? `${a.count} times while open (one alert, not ${a.count})` : "once"}</Fact>
          </dl>
        </Card>
        <Card title="Timeline">
          <Timeline a={a} deliveries={deliveries.data ?? []} now={now} />
        </Card>
      </div>
      <Card title="Deliveries">
        <ErrorNote error={deliveries.error} />
        {deliveries.isPending ? (
          <div className="p-4">
            <Spinner label="Reading the delivery log…" />
          </div>
        ) : (
          <DeliveryLog deliveries={deliveries.data ?? []} now={now} silenced={!!a.silencedUntil} />
        )}
      </Card>
    </div>
  );
}

function Fact({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="flex flex-wrap gap-x-4 gap-y-0.5 px-4 py-2">
      <dt className="w-24 shrink-0 text-slate-500">{label}</dt>
      <dd className="min-w-0 break-words">{children}</dd>
    </div>
  );
}

interface Moment {
  at: number;
  what: ReactNode;
}

/** The alert's life in order: opened, recurrences, acknowledgement, silence, each notification sent, resolved. */
function Timeline({ a, deliveries, now }: { a: Alert; deliveries: Delivery[]; now: number }) {
  const moments: Moment[] = [{ at: a.firstAt.getTime(), what: "Fired" }];
  if (a.count > 1) moments.push({ at: a.lastAt.getTime(), what: `Happened again (${a.count} times in all)` });
  if (a.acknowledgedAt) moments.push({ at: a.acknowledgedAt.getTime(), what: `Acknowledged by ${a.acknowledgedBy ?? "someone"}` });
  if (a.silencedUntil) moments.push({ at: a.silencedUntil.getTime(), what: `${a.silencedUntil.getTime() > now ? "Silenced until here" : "Silence ended"} (by ${a.silencedBy ?? "someone"})` });
  for (const d of deliveries) {
    if (d.deliveredAt) moments.push({ at: d.deliveredAt.getTime(), what: `"${d.event}" delivered to ${d.channelName}` });
    else if (d.status === "failed" && d.log.length) moments.push({ at: Date.parse(d.log.at(-1)!.at), what: `"${d.event}" to ${d.channelName} given up after ${d.attempts} attempts` });
  }
  if (a.resolvedAt) moments.push({ at: a.resolvedAt.getTime(), what: "Resolved: the condition cleared" });
  moments.sort((x, y) => x.at - y.at);
  return (
    <ol className="divide-y divide-slate-100 text-sm" aria-label="Timeline">
      {moments.map((m, i) => (
        <li key={i} className="flex flex-wrap gap-x-4 px-4 py-2">
          <span className="w-28 shrink-0 text-slate-500">
            <RelativeTime at={m.at} now={now} />
          </span>
          <span className="min-w-0 break-words">{m.what}</span>
        </li>
      ))}
    </ol>
  );
}

const DELIVERY_TONE = { delivered: "green", pending: "amber", failed: "red" } as const;

/** Each notification (firing, resolved) to each channel, with every attempt: when, the answer's code, the error, how long it took. */
function DeliveryLog({ deliveries, now, silenced }: { deliveries: Delivery[]; now: number; silenced: boolean }) {
  if (deliveries.length === 0) {
    return <p className="px-4 py-3 text-sm text-slate-600">{silenced ? "Nothing was sent: the alert opened silenced." : "Nothing to send: the rule names no channel."}</p>;
  }
  return (
    <ul className="divide-y divide-slate-100 text-sm" aria-label="Deliveries">
      {deliveries.map((d) => (
        <li key={d.id} data-testid="delivery" className="space-y-2 px-4 py-3">
          <div className="flex flex-wrap items-center gap-2">
            <span className="font-medium">{d.channelName}</span>
            <Badge tone="slate">{d.event}</Badge>
            <Badge tone={DELIVERY_TONE[d.status as keyof typeof DELIVERY_TONE] ?? "slate"}>{d.status}</Badge>
            <span className="text-slate-600">
              {d.attempts} attempt{d.attempts === 1 ? "" : "s"}
            </span>
            {d.status === "pending" && d.attempts > 0 && (
              <span className="text-slate-600">
                next <RelativeTime at={d.nextAt.getTime()} now={now} />
              </span>
            )}
          </div>
          {d.log.length > 0 && (
            <table className="w-full text-left text-xs" aria-label={`Attempts to ${d.channelName}`}>
              <thead className="text-slate-500">
                <tr>
                  <th className="py-1 pr-3 font-medium">When</th>
                  <th className="py-1 pr-3 font-medium">Response</th>
                  <th className="py-1 pr-3 font-medium">Took</th>
                  <th className="py-1 font-medium">Error</th>
                </tr>
              </thead>
              <tbody>
                {d.log.map((l, i) => (
                  <tr key={i} data-testid="delivery-attempt">
                    <td className="py-1 pr-3 whitespace-nowrap">
                      <RelativeTime at={Date.parse(l.at)} now={now} />
                    </td>
                    <td className="py-1 pr-3 tabular-nums">{l.status ?? (l.error ? "—" : "accepted")}</td>
                    <td className="py-1 pr-3 tabular-nums">{l.ms} ms</td>
                    <td className="py-1 break-all text-red-800">{l.error ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </li>
      ))}
    </ul>
  );
}
