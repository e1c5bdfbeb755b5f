"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type RouterOutputs, useTRPC } from "@/lib/trpc";
import { Button, ConfirmDialog, ErrorNote, Input, RelativeTime, toast, useNow } from "./ui";

type OpenToken = RouterOutputs["hosts"]["joinTokens"][number];

/** A token for several hosts (a fleet, the Helm agent DaemonSet): how many, for how long, what for. */
export function FleetTokenForm({ pending, onCreate }: { pending: boolean; onCreate: (opts: { maxUses: number; ttlMinutes: number; label?: string }) => void }) {
  const [hosts, setHosts] = useState("10");
  const [hours, setHours] = useState("24");
  const [label, setLabel] = useState("");
  const maxUses = Number(hosts);
  const ttlHours = Number(hours);
  const problem = !Number.isInteger(maxUses) || maxUses < 2 || maxUses > 10_000 ? "Hosts: a whole number from 2 to 10,000" : !(ttlHours > 0 && ttlHours <= 720) ? "Valid for: more than 0 and at most 720 hours (30 days)" : null;
  return (
    <details className="rounded-md border border-slate-200 px-3 py-2">
      <summary className="cursor-pointer font-medium">A token for several hosts (a fleet, a DaemonSet)</summary>
      <form
        className="mt-2 flex flex-wrap items-end gap-3"
        onSubmit={(e) => {
          e.preventDefault();
          if (!problem) onCreate({ maxUses, ttlMinutes: Math.round(ttlHours * 60), label: label.trim() || undefined });
        }}
      >
        <label className="space-y-1">
          <span className="block text-xs font-medium">Hosts</span>
          <Input value={hosts} onChange={(e) => setHosts(e.target.value)} inputMode="numeric" className="w-24" aria-describedby="fleet-token-problem" />
        </label>
        <label className="space-y-1">
          <span className="block text-xs font-medium">Valid for (hours)</span>
          <Input value={hours} onChange={(e) => setHours(e.target.value)} inputMode="decimal" className="w-24" />
        </label>
        <label className="min-w-40 flex-1 space-y-1">
          <span className="block text-xs font-medium">Label</span>
          <Input value={label} onChange={(e) => setLabel(e.target.value)} maxLength={64} placeholder="prod DaemonSet" className="w-full" />
        </label>
        <Button type="submit" variant="primary" disabled={pending || problem !== null}>
          Create token
        </Button>
        <p id="fleet-token-problem" className="w-full text-xs text-slate-600">
          {problem ?? "Every enrollment with it is audited; revoke it below once the hosts are in."}
        </p>
      </form>
    </details>
  );
}

/** Join tokens that can still enroll hosts, with their uses; revoking one stops it at once. */
export function OpenJoinTokens() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const tokens = useQuery(trpc.hosts.joinTokens.queryOptions());
  const now = useNow(30_000);
  const [revoking, setRevoking] = useState<OpenToken | null>(null);
  const revoke = useMutation(
    trpc.hosts.revokeJoinToken.mutationOptions({
      onSuccess: () => {
        toast({ tone: "ok", title: `Join token ${revoking?.label ? `"${revoking.label}" ` : ""}revoked: it enrolls no more hosts` });
        void queryClient.invalidateQueries({ queryKey: trpc.hosts.joinTokens.queryKey() });
      },
      onSettled: () => setRevoking(null),
    }),
  );
  const list = tokens.data ?? [];
  if (list.length === 0) return null;
  return (
    <section aria-label="Open join tokens" className="space-y-1">
      <h3 className="font-medium">Open join tokens</h3>
      <ErrorNote error={revoke.error} />
      <ul className="divide-y divide-slate-100 rounded-md border border-slate-200" data-testid="open-join-tokens">
        {list.map((t) => (
          <li key={t.id} className="flex flex-wrap items-center justify-between gap-2 px-3 py-1.5">
            <span>
              <span className="font-medium">{t.label ?? (t.maxUses === 1 ? "one host" : "unlabelled")}</span>{" "}
              <span className="text-slate-600">
                {t.uses} of {t.maxUses} used · expires <RelativeTime at={t.expiresAt.getTime()} now={now} />
                {t.createdBy ? ` · by ${t.createdBy}` : ""}
              </span>
            </span>
            <Button variant="danger" onClick={() => setRevoking(t)}>
              Revoke
            </Button>
          </li>
        ))}
      </ul>
      <ConfirmDialog open={revoking !== null} onClose={() => setRevoking(null)} onConfirm={() => revoking && revoke.mutate({ tokenId: revoking.id })} title="Revoke join token" confirmLabel="Revoke">
        <p>
          Revoke {revoking?.label ? <strong>{revoking.label}</strong> : "this join token"} ({revoking?.uses} of {revoking?.maxUses} used)? No more hosts can enroll with it; hosts it already enrolled keep
          their own credentials.
        </p>
      </ConfirmDialog>
    </section>
  );
}
