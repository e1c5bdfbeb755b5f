"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { Button, Card, ErrorNote, Input, Spinner } from "./ui";

type TerminalSettings = inferRouterOutputs<AppRouter>["settings"]["terminal"];

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
  const save = useMutation(trpc.settings.setImages.mutationOptions({ onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.settings.images.queryKey() }) }));
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
              onChange={(e) => save.mutate({ pinDigestAtRun: e.target.checked })}
            />
            <span>
              <span className="font-medium">Pin to digest at run</span>
              <span className="block text-xs text-slate-500">
                A run of <code>app:1.4</code> runs <code>app@sha256:…</code>, the image that tag names on each host at that moment, and the audit entry records both. Images built on a host and never pushed have no digest and run by tag.
              </span>
            </span>
          </label>
        )}
        <ErrorNote error={current.error ?? save.error} />
      </div>
    </Card>
  );
}
