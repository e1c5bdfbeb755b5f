"use client";

import { useId, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterInputs, inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { PerGroupRules, ruleGroupNames } from "./group-rules";
import { Button, Card, ErrorNote, Input, Select, Spinner, toast } from "./ui";

type Saved = inferRouterOutputs<AppRouter>["settings"]["updatePolicy"];
type Rule = Saved["fleet"];
type Policy = Rule["policy"];
type Window = NonNullable<Rule["window"]>;

const POLICIES: { value: Policy; label: string }[] = [
  { value: "notify", label: "Only show that an update is available" },
  { value: "digest", label: "Update to the tag's new image" },
  { value: "patch", label: "Update to the tag's new image or a newer patch (1.2.3 → 1.2.4)" },
  { value: "minor", label: "Update to the tag's new image or a newer minor (1.2.3 → 1.3.0)" },
];
const DAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
const ANY_TIME: Window = { days: [0, 1, 2, 3, 4, 5, 6], start: "02:00", durationMinutes: 120, timeZone: "UTC" };

interface Draft {
  policy: Policy | "default";
  windowed: boolean;
  window: Window;
}

const toDraft = (r: Rule | undefined): Draft => (r ? { policy: r.policy, windowed: r.window !== null, window: r.window ?? ANY_TIME } : { policy: "default", windowed: false, window: ANY_TIME });
const fromDraft = (d: Draft & { policy: Policy }): Rule => ({ policy: d.policy, window: d.windowed && d.policy !== "notify" ? d.window : null });

/** Admins: what may update itself, and when. */
export function UpdatePolicySettings() {
  const trpc = useTRPC();
  const current = useQuery(trpc.settings.updatePolicy.queryOptions());
  const groups = useQuery(trpc.hosts.groups.queryOptions());
  if (current.isPending || groups.isPending) return <Spinner label="Loading the update policy…" />;
  if (current.error || groups.error) return <ErrorNote error={current.error ?? groups.error} />;
  // Keyed on what is saved: a save refetches it and the form starts again from it.
  return <UpdatePolicyForm key={JSON.stringify(current.data)} saved={current.data} groupNames={groups.data.map((g) => g.name)} />;
}

function UpdatePolicyForm({ saved, groupNames }: { saved: Saved; groupNames: string[] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [fleet, setFleet] = useState<Draft>(toDraft(saved.fleet));
  const names = ruleGroupNames(groupNames, saved.groups);
  const [byGroup, setByGroup] = useState<Record<string, Draft>>(Object.fromEntries(names.map((n) => [n, toDraft(saved.groups.find((g) => g.group === n))])));
  const save = useMutation(
    trpc.settings.setUpdatePolicy.mutationOptions({
      onSuccess: async () => {
        toast({ tone: "ok", title: "Update policy saved" });
        await queryClient.invalidateQueries({ queryKey: trpc.settings.updatePolicy.queryKey() });
      },
    }),
  );
  const input: inferRouterInputs<AppRouter>["settings"]["setUpdatePolicy"] = {
    fleet: fromDraft({ ...fleet, policy: fleet.policy === "default" ? "notify" : fleet.policy }),
    groups: names.flatMap((n) => {
      const d = byGroup[n];
      return d && d.policy !== "default" ? [{ group: n, ...fromDraft({ ...d, policy: d.policy }) }] : [];
    }),
  };
  const changed = JSON.stringify(input) !== JSON.stringify({ fleet: saved.fleet, groups: [...saved.groups].sort((a, b) => a.group.localeCompare(b.group)) });
  return (
    <Card title="Automatic updates">
      <form
        className="space-y-4 p-4 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(input);
        }}
      >
        <ul className="list-inside list-disc space-y-0.5 text-slate-600">
          <li>When a check finds a newer image, Stevedore can update the container itself, through the same health gate as Update: a container that fails it is rolled back.</li>
          <li>Never to a new major version: that is a person&apos;s decision. Containers run by an image id or a digest are never updated.</li>
          <li>A group&apos;s rule replaces the fleet default on its hosts; a host in several groups gets the most careful. A container&apos;s <code>io.stevedore.update</code> label (notify, digest, patch or minor) wins over both and keeps their window.</li>
          <li>Automatic updates are audited as Stevedore&apos;s, with the rule and the reason, and are held to the run policy for non-admins.</li>
        </ul>
        <RuleEditor label="Fleet default" value={fleet} onChange={setFleet} allowDefault={false} />
        <PerGroupRules names={names}>{(n) => <RuleEditor label={`Group ${n}`} value={byGroup[n] ?? toDraft(undefined)} onChange={(d) => setByGroup((prev) => ({ ...prev, [n]: d }))} allowDefault />}</PerGroupRules>
        <ErrorNote error={save.error} />
        <Button type="submit" variant="primary" disabled={!changed || save.isPending}>
          {save.isPending ? "Saving…" : "Save update policy"}
        </Button>
      </form>
    </Card>
  );
}

function RuleEditor({ label, value, onChange, allowDefault }: { label: string; value: Draft; onChange: (d: Draft) => void; allowDefault: boolean }) {
  const id = useId();
  const w = value.window;
  const setWindow = (patch: Partial<Window>) => onChange({ ...value, window: { ...w, ...patch } });
  return (
    <div className="space-y-2">
      <label htmlFor={`${id}-policy`} className="block font-medium">
        {label}
      </label>
      <Select id={`${id}-policy`} value={value.policy} onChange={(e) => onChange({ ...value, policy: e.target.value as Draft["policy"] })} className="w-full sm:w-auto">
        {allowDefault && <option value="default">Fleet default</option>}
        {POLICIES.map((p) => (
          <option key={p.value} value={p.value}>
            {p.label}
          </option>
        ))}
      </Select>
      {value.policy !== "default" && value.policy !== "notify" && (
        <div className="space-y-2">
          <label className="flex items-center gap-2">
            <input type="checkbox" checked={value.windowed} onChange={(e) => onChange({ ...value, windowed: e.target.checked })} />
            Only in a maintenance window
          </label>
          {value.windowed && (
            <fieldset className="flex flex-wrap items-end gap-3 rounded-md bg-slate-50 p-2">
              <legend className="sr-only">{label}: maintenance window</legend>
              <div className="flex flex-wrap gap-1" role="group" aria-label="Days">
                {DAYS.map((d, i) => (
                  <label key={d} className="flex items-center gap-1 rounded border border-slate-200 px-1.5 py-0.5">
                    <input type="checkbox" checked={w.days.includes(i)} onChange={(e) => setWindow({ days: e.target.checked ? [...w.days, i].sort() : w.days.filter((x) => x !== i) })} />
                    {d}
                  </label>
                ))}
              </div>
              <label className="space-y-0.5">
                <span className="block text-xs text-slate-600">From</span>
                <Input type="time" value={w.start} onChange={(e) => setWindow({ start: e.target.value })} className="w-28" />
              </label>
              <label className="space-y-0.5">
                <span className="block text-xs text-slate-600">For (minutes)</span>
                <Input type="number" min={15} max={1440} step={15} value={w.durationMinutes} onChange={(e) => setWindow({ durationMinutes: Number(e.target.value) })} className="w-24" />
              </label>
              <label className="space-y-0.5">
                <span className="block text-xs text-slate-600">Time zone</span>
                <Input value={w.timeZone} onChange={(e) => setWindow({ timeZone: e.target.value })} className="w-40" placeholder="UTC" maxLength={64} />
              </label>
            </fieldset>
          )}
        </div>
      )}
    </div>
  );
}
