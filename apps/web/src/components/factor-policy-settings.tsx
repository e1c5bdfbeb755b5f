"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { Button, Card, ErrorNote, Input, Spinner, toast } from "./ui";

type Policy = inferRouterOutputs<AppRouter>["twoFactor"]["policy"];
const ROLES = ["admin", "operator", "viewer", "none"] as const;

/** Admins: which roles must have a second factor, and which host groups need a fresh one before a terminal. */
export function FactorPolicySettings() {
  const trpc = useTRPC();
  const current = useQuery(trpc.twoFactor.policy.queryOptions());
  const groups = useQuery(trpc.hosts.groups.queryOptions());
  if (current.isPending || groups.isPending) return <Spinner label="Loading the second-factor policy…" />;
  if (current.error || groups.error) return <ErrorNote error={current.error ?? groups.error} />;
  return <FactorPolicyForm key={JSON.stringify(current.data)} saved={current.data} groupNames={groups.data.map((g) => g.name)} />;
}

function FactorPolicyForm({ saved, groupNames }: { saved: Policy; groupNames: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [roles, setRoles] = useState<Policy["requiredRoles"]>(saved.requiredRoles);
  const [stepUp, setStepUp] = useState<string[]>(saved.stepUpGroups);
  const [minutes, setMinutes] = useState(String(saved.stepUpMinutes));
  const save = useMutation(
    trpc.twoFactor.setPolicy.mutationOptions({
      onSuccess: async () => {
        toast({ tone: "ok", title: "Second-factor policy saved" });
        await queryClient.invalidateQueries(trpc.twoFactor.policy.queryFilter());
      },
    }),
  );
  const toggle = <T,>(list: T[], item: T, on: boolean) => (on ? [...list, item] : list.filter((x) => x !== item));
  const names = [...new Set([...groupNames, ...saved.stepUpGroups.filter((g) => g !== "*")])].sort();

  return (
    <Card title="Second factors">
      <form
        aria-label="Second-factor policy"
        className="space-y-4 px-4 py-3 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ requiredRoles: roles, stepUpGroups: stepUp, stepUpMinutes: Number(minutes) });
        }}
      >
        <fieldset className="space-y-1">
          <legend className="font-medium">Roles that must have a second factor</legend>
          <p className="text-xs text-slate-500">A user of such a role without one can only set it up after signing in.</p>
          <div className="flex flex-wrap gap-4">
            {ROLES.map((r) => (
              <label key={r} className="flex items-center gap-1.5">
                <input type="checkbox" checked={roles.includes(r)} onChange={(e) => setRoles(toggle(roles, r, e.target.checked))} />
                {r}
              </label>
            ))}
          </div>
        </fieldset>
        <fieldset className="space-y-1">
          <legend className="font-medium">Step-up before a terminal</legend>
          <p className="text-xs text-slate-500">A terminal on hosts of these groups needs a second-factor check within the minutes below.</p>
          <div className="flex flex-wrap gap-4">
            <label className="flex items-center gap-1.5">
              <input type="checkbox" checked={stepUp.includes("*")} onChange={(e) => setStepUp(toggle(stepUp, "*", e.target.checked))} />
              every host
            </label>
            {names.map((g) => (
              <label key={g} className="flex items-center gap-1.5">
                <input type="checkbox" checked={stepUp.includes(g)} onChange={(e) => setStepUp(toggle(stepUp, g, e.target.checked))} />
                {g}
              </label>
            ))}
          </div>
          <label className="mt-2 flex items-center gap-2">
            <span>Within the last</span>
            <Input type="number" min={1} max={1440} required value={minutes} onChange={(e) => setMinutes(e.target.value)} className="w-20" aria-label="Step-up minutes" />
            <span>minutes</span>
          </label>
        </fieldset>
        <ErrorNote error={save.error} />
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </Button>
      </form>
    </Card>
  );
}
