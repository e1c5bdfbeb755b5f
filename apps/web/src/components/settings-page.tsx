"use client";

import { useId, useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { PerGroupRules, ruleGroupNames } from "./group-rules";
import { Button, Card, ErrorNote, Input, Select, Spinner, toast } from "./ui";
import { FactorPolicySettings } from "./factor-policy-settings";
import { UpdatePolicySettings } from "./update-policy-settings";
import { SsoSettings } from "./sso-settings";

type TerminalSettings = inferRouterOutputs<AppRouter>["settings"]["terminal"];
type RunPolicySettings = inferRouterOutputs<AppRouter>["settings"]["runPolicy"];

/** Your own preferences, and (for admins) how terminal sessions are recorded. */
export function SettingsPage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  return (
    <div className="max-w-3xl space-y-4">
      <h1 className="text-xl font-semibold">Settings</h1>
      <Preferences />
      {me.data?.role === "admin" && <TerminalRecording />}
      {me.data?.role === "admin" && <ImagePolicy />}
      {me.data?.role === "admin" && <UpdatePolicySettings />}
      {me.data?.role === "admin" && <RunPolicy />}
      {me.data?.role === "admin" && <FactorPolicySettings />}
      {me.data?.role === "admin" && <SsoSettings />}
    </div>
  );
}

function Preferences() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const prefs = useQuery(trpc.me.preferences.queryOptions());
  const [draft, setDraft] = useState<string | null>(null);
  const save = useMutation(trpc.me.setPreferences.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.me.preferences.queryKey() }).then(() => setDraft(null)) }));
  const value = draft ?? prefs.data?.detachKeys ?? "";
  return (
    <Card title="Your preferences">
      <form
        className="space-y-3 p-4"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ detachKeys: value });
        }}
      >
        <label className="block space-y-1 text-sm">
          <span className="font-medium">Detach keys</span>
          <Input value={value} onChange={(e) => setDraft(e.target.value)} className="w-56 font-mono" aria-describedby="detach-hint" />
          <span id="detach-hint" className="block text-xs text-slate-500">
            The sequence that leaves an attached terminal with the container still running, in the engine&apos;s syntax: ctrl-p,ctrl-q (the default), or e.g. ctrl-a,d.
          </span>
        </label>
        <ErrorNote error={save.error} />
        <Button type="submit" variant="primary" disabled={draft === null || save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </Button>
        {save.isSuccess && draft === null && <span className="ml-3 text-sm text-emerald-800">Saved.</span>}
      </form>
    </Card>
  );
}

function TerminalRecording() {
  const trpc = useTRPC();
  const current = useQuery(trpc.settings.terminal.queryOptions());
  if (current.isPending) return <Spinner label="Loading settings…" />;
  if (current.error) return <ErrorNote error={current.error} />;
  return <TerminalRecordingForm key={JSON.stringify(current.data)} saved={current.data} />;
}

function TerminalRecordingForm({ saved }: { saved: TerminalSettings }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [v, setV] = useState(saved);
  const save = useMutation(trpc.settings.setTerminal.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.settings.terminal.queryKey() }) }));
  const changed = JSON.stringify(v) !== JSON.stringify(saved);
  return (
    <Card title="Terminal recording">
      <form
        className="space-y-3 p-4 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(v);
        }}
      >
        <p className="text-slate-600">Every terminal session is recorded (asciicast v2) and can be played from its audit entry.</p>
        <label className="flex items-start gap-2">
          <input type="checkbox" checked={v.recordInput} onChange={(e) => setV({ ...v, recordInput: e.target.checked })} className="mt-1" />
          <span>
            Record keyboard input too
            <span className="block text-xs text-slate-500">Off by default: what users type includes passwords.</span>
          </span>
        </label>
        <label className="flex items-start gap-2">
          <input type="checkbox" checked={v.strictRecording} onChange={(e) => setV({ ...v, strictRecording: e.target.checked })} className="mt-1" />
          <span>
            Strict: refuse sessions that cannot be recorded
            <span className="block text-xs text-slate-500">Otherwise such a session goes ahead and its audit entry says it was not recorded.</span>
          </span>
        </label>
        <div className="flex flex-wrap gap-4">
          <label className="space-y-1">
            <span className="block font-medium">Size cap per recording (MiB)</span>
            <Input type="number" min={1} max={10240} value={v.recordingMaxMiB} onChange={(e) => setV({ ...v, recordingMaxMiB: Number(e.target.value) })} className="w-32" />
          </label>
          <label className="space-y-1">
            <span className="block font-medium">Keep recordings for (days)</span>
            <Input type="number" min={1} max={3650} value={v.recordingRetentionDays} onChange={(e) => setV({ ...v, recordingRetentionDays: Number(e.target.value) })} className="w-32" />
          </label>
        </div>
        <ErrorNote error={save.error} />
        <Button type="submit" variant="primary" disabled={!changed || save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </Button>
      </form>
    </Card>
  );
}

function ImagePolicy() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const current = useQuery(trpc.settings.images.queryOptions());
  const save = useMutation(
    trpc.settings.setImages.mutationOptions({
      onSuccess: (saved) => {
        toast({ tone: "ok", title: "Image policy saved", details: [`Runs ${saved.pinDigestAtRun ? "are" : "are not"} pinned to digests; registries are checked for updates every ${saved.updateCheckHours} h.`] });
        return queryClient.invalidateQueries({ queryKey: trpc.settings.images.queryKey() });
      },
    }),
  );
  return (
    <Card title="Image policy">
      <div className="space-y-2 p-4 text-sm">
        {current.isPending && <Spinner label="Loading…" />}
        {current.data && (
          <label className="flex items-start gap-2">
            <input
              type="checkbox"
              className="mt-1"
              checked={current.data.pinDigestAtRun}
              disabled={save.isPending}
              onChange={(e) => save.mutate({ ...current.data, pinDigestAtRun: e.target.checked })}
            />
            <span>
              <span className="font-medium">Pin to digest at run</span>
              <span className="block text-xs text-slate-500">
                A run of <code>app:1.4</code> runs <code>app@sha256:…</code>, the image that tag names on each host at that moment, and the audit entry records both. Images built on a host and never pushed have no digest and run by tag.
              </span>
            </span>
          </label>
        )}
        {current.data && <UpdateInterval hours={current.data.updateCheckHours} saving={save.isPending} onSave={(updateCheckHours) => save.mutate({ ...current.data, updateCheckHours })} />}
        <ErrorNote error={current.error ?? save.error} />
      </div>
    </Card>
  );
}

function UpdateInterval({ hours, saving, onSave }: { hours: number; saving: boolean; onSave: (hours: number) => void }) {
  const [draft, setDraft] = useState(String(hours));
  const value = Number(draft);
  const valid = Number.isInteger(value) && value >= 1 && value <= 168;
  return (
    <form
      className="flex flex-wrap items-end gap-2 pt-2"
      onSubmit={(e) => {
        e.preventDefault();
        if (valid) onSave(value);
      }}
    >
      <label className="space-y-1">
        <span className="block font-medium">Check registries for image updates every (hours)</span>
        <Input type="number" min={1} max={168} value={draft} onChange={(e) => setDraft(e.target.value)} className="w-32" aria-invalid={!valid} />
        <span className="block text-xs text-slate-500">One request per distinct image reference across the fleet, spread by ±10%. From 1 to 168.</span>
      </label>
      <Button type="submit" disabled={!valid || value === hours || saving}>
        {saving ? "Saving…" : "Save"}
      </Button>
    </form>
  );
}

/** A rule as edited: a mode and the prefixes as typed, one per line. "default" (groups only): no rule of its own. */
type RuleDraft = { mode: "default" | "none" | "prefixes"; prefixes: string };
type BindSetting = RunPolicySettings["fleet"];

const toDraft = (s: BindSetting | undefined): RuleDraft => (!s ? { mode: "default", prefixes: "" } : s.mode === "none" ? { mode: "none", prefixes: "" } : { mode: "prefixes", prefixes: s.prefixes.join("\n") });
const fromDraft = (d: RuleDraft): BindSetting => (d.mode === "prefixes" ? { mode: "prefixes", prefixes: d.prefixes.split("\n").map((l) => l.trim()).filter(Boolean) } : { mode: "none" });

function RunPolicy() {
  const trpc = useTRPC();
  const current = useQuery(trpc.settings.runPolicy.queryOptions());
  const groups = useQuery(trpc.hosts.groups.queryOptions());
  // Kept here: a save refetches the settings, which remounts the form below with them.
  const [justSaved, setJustSaved] = useState(false);
  if (current.isPending || groups.isPending) return <Spinner label="Loading the run policy…" />;
  if (current.error || groups.error) return <ErrorNote error={current.error ?? groups.error} />;
  return <RunPolicyForm key={JSON.stringify(current.data)} saved={current.data} groupNames={groups.data.map((g) => g.name)} justSaved={justSaved} onSaved={setJustSaved} />;
}

/** One rule's editor: a choice of mode and, for "only under", the prefixes. */
function RuleEditor({ label, value, onChange, allowDefault }: { label: string; value: RuleDraft; onChange: (d: RuleDraft) => void; allowDefault: boolean }) {
  const id = useId();
  return (
    <div className="space-y-1.5">
      <label htmlFor={`${id}-mode`} className="block font-medium">
        {label}
      </label>
      <Select id={`${id}-mode`} value={value.mode} onChange={(e) => onChange({ ...value, mode: e.target.value as RuleDraft["mode"] })} className="w-full sm:w-auto">
        {allowDefault && <option value="default">Fleet default</option>}
        <option value="none">Off for non-admins</option>
        <option value="prefixes">Only under these host paths</option>
      </Select>
      {value.mode === "prefixes" && (
        <>
          <textarea
            aria-label={`${label}: allowed host path prefixes, one per line`}
            aria-describedby={`${id}-hint`}
            value={value.prefixes}
            onChange={(e) => onChange({ ...value, prefixes: e.target.value })}
            rows={2}
            placeholder="/srv/data"
            className="block w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-xs shadow-xs placeholder:text-slate-500"
          />
          <span id={`${id}-hint`} className="block text-xs text-slate-500">
            Absolute paths, one per line. A path is allowed when it is one of these or inside one (/data allows /data/app, not /database).
          </span>
        </>
      )}
    </div>
  );
}

function RunPolicyForm({ saved, groupNames, justSaved, onSaved }: { saved: RunPolicySettings; groupNames: string[]; justSaved: boolean; onSaved: (v: boolean) => void }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [fleet, setFleet] = useState<RuleDraft>(toDraft(saved.fleet));
  const names = ruleGroupNames(groupNames, saved.groups);
  const [byGroup, setByGroup] = useState<Record<string, RuleDraft>>(Object.fromEntries(names.map((n) => [n, toDraft(saved.groups.find((g) => g.group === n)?.bindMounts)])));
  const save = useMutation(
    trpc.settings.setRunPolicy.mutationOptions({
      onMutate: () => onSaved(false),
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.settings.runPolicy.queryKey() }).then(() => onSaved(true)),
    }),
  );
  const input = {
    fleet: fromDraft(fleet),
    groups: names.filter((n) => byGroup[n] && byGroup[n].mode !== "default").map((n) => ({ group: n, bindMounts: fromDraft(byGroup[n]!) })),
  };
  const changed = JSON.stringify(input) !== JSON.stringify({ fleet: saved.fleet, groups: [...saved.groups].sort((a, b) => a.group.localeCompare(b.group)) });
  return (
    <Card title="Run policy: bind mounts">
      <form
        className="space-y-4 p-4 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate(input);
        }}
      >
        <div className="space-y-1 text-slate-600">
          <p>A bind mount gives a container a directory of the host. Which ones non-admins&apos; runs may have:</p>
          <ul className="list-inside list-disc space-y-0.5">
            <li>Admins may bind-mount any path.</li>
            <li>
              Never allowed to non-admins, whatever the rule, and not allowed as a prefix: <code>/</code>, the engine socket (<code>/var/run/docker.sock</code>, <code>/run/docker…</code>), <code>/etc</code>, <code>/proc</code>,{" "}
              <code>/sys</code>, <code>/dev</code>, <code>/boot</code>, <code>/root</code> and the engine&apos;s data root, or anything inside or holding them: each gives root on the host.
            </li>
            <li>A group&apos;s rule replaces the fleet default on its hosts. A host in several groups with rules gets the most restrictive: a path must be allowed by each of them.</li>
            <li>Named volumes are not bind mounts and are always allowed. A host&apos;s owner can refuse more at install (<code>--bind-mounts</code>), for admins too.</li>
          </ul>
        </div>
        <RuleEditor label="Fleet default" value={fleet} onChange={setFleet} allowDefault={false} />
        <PerGroupRules names={names}>{(n) => <RuleEditor label={`Group ${n}`} value={byGroup[n] ?? { mode: "default", prefixes: "" }} onChange={(d) => setByGroup((prev) => ({ ...prev, [n]: d }))} allowDefault />}</PerGroupRules>
        <ErrorNote error={save.error} />
        <div className="flex items-center gap-3">
          <Button type="submit" variant="primary" disabled={!changed || save.isPending}>
            {save.isPending ? "Saving…" : "Save run policy"}
          </Button>
          {justSaved && !changed && (
            <span role="status" className="text-sm text-emerald-800">
              Saved.
            </span>
          )}
        </div>
      </form>
    </Card>
  );
}
