"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { cloneElement, useId, useState, type ReactElement, type ReactNode } from "react";
import { keepPreviousData, useMutation, useQuery } from "@tanstack/react-query";
import { dockerRunCommand, mutableTagWarning } from "@stevedore/protocol";
import { EMPTY_FORM, parseRunForm, policySummary, predictedRefusals, type RunFormValues } from "@/lib/run-form";
import { shortId } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { mayOperate } from "./container-actions";
import { HostStatusBadge } from "./host-status-badge";
import { ImagePullProgress, type PullState } from "./image-pull-progress";
import { BackLink, Button, Card, CopyButton, ErrorNote, Input, Select, Spinner } from "./ui";

/** A labelled control; the hint is linked as its description, so it is read out but not part of its name. */
function Field({ label, hint, children }: { label: string; hint?: ReactNode; children: ReactElement<{ id?: string; "aria-describedby"?: string }> }) {
  const id = useId();
  return (
    <div className="space-y-1 text-sm">
      <label htmlFor={id} className="block font-medium">
        {label}
      </label>
      {cloneElement(children, { id, "aria-describedby": hint ? `${id}-hint` : undefined })}
      {hint && (
        <span id={`${id}-hint`} className="block text-xs text-slate-500">
          {hint}
        </span>
      )}
    </div>
  );
}

const textarea = "w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-xs shadow-xs placeholder:text-slate-400";

/** "Run container": the same RunSpec the API takes, with the equivalent docker run line as you type. */
export function RunForm() {
  const trpc = useTRPC();
  const hosts = useQuery(trpc.hosts.list.queryOptions());
  const router = useRouter();
  const run = useMutation(
    trpc.containers.run.mutationOptions({
      // Like `docker run -it`: an interactive TTY container on one host opens attached.
      onSuccess(results, { spec }) {
        const [only] = results;
        if (spec.interactive && spec.tty && results.length === 1 && only?.ok) router.push(`/containers/${only.hostId}/${only.result.id}?terminal=attach`);
      },
    }),
  );
  const pull = useMutation(trpc.images.pull.mutationOptions());
  /** Hosts where the pull before the run failed: they are reported, not run on. */
  const [pullFailures, setPullFailures] = useState<PullState["hosts"]>([]);
  // "Run it…" after a pull comes here with the image filled in.
  const initialImage = useSearchParams().get("image") ?? "";
  const [v, setV] = useState<RunFormValues>({ ...EMPTY_FORM, image: initialImage });
  const [hostIds, setHostIds] = useState<string[]>([]);
  const set = <K extends keyof RunFormValues>(k: K, value: RunFormValues[K]) => setV((prev) => ({ ...prev, [k]: value }));
  const parsed = parseRunForm(v);
  // Hosts the caller may run on: online, and operator there (fleet-wide or by a group grant).
  const runnable = (h: { status: string; access: string }) => h.status === "online" && mayOperate(h.access);
  const online = hosts.data?.filter(runnable) ?? [];
  const chosen = hostIds.length ? hostIds : online.length === 1 ? [online[0]!.id] : [];
  const tagWarning = mutableTagWarning(v.image);
  const policy = useQuery(trpc.settings.images.queryOptions());
  // Which chosen hosts lack the image: those are pulled first, with progress, then the run goes ahead.
  const missing = useQuery({
    ...trpc.images.missing.queryOptions({ hostIds: chosen, reference: parsed.ok ? parsed.spec.image : "" }),
    enabled: parsed.ok && chosen.length > 0,
    placeholderData: keepPreviousData,
  });
  const toPull = parsed.ok && chosen.length > 0 ? (missing.data ?? []) : [];
  // The bind-mount policy on the chosen hosts, shown before anyone types a mount.
  const runPolicy = useQuery({ ...trpc.containers.runPolicy.queryOptions({ hostIds: chosen }), enabled: chosen.length > 0, placeholderData: keepPreviousData });
  const policies = chosen.length > 0 ? (runPolicy.data ?? []) : [];
  const refusals = parsed.ok ? predictedRefusals(parsed.spec, policies) : [];
  const hostName = (id: string) => hosts.data?.find((h) => h.id === id)?.name ?? id;
  const busy = run.isPending || pull.isPending || (!!pull.data && pullFailures.length === 0 && !run.data && !run.isError);
  const start = () => {
    if (!parsed.ok || chosen.length === 0) return;
    run.reset();
    pull.reset();
    setPullFailures([]);
    if (toPull.length > 0) pull.mutate({ hostIds: toPull, reference: parsed.spec.image });
    else run.mutate({ hostIds: chosen, spec: parsed.spec });
  };
  const afterPull = (state: PullState) => {
    const failed = state.hosts.filter((h) => h.phase !== "succeeded");
    setPullFailures(failed);
    const ready = chosen.filter((id) => !failed.some((f) => f.hostId === id));
    if (parsed.ok && ready.length > 0) run.mutate({ hostIds: ready, spec: parsed.spec });
  };

  return (
    <div className="space-y-4">
      <div>
        <BackLink href="/containers">Containers</BackLink>
        <h1 className="mt-1 text-xl font-semibold">Run container</h1>
      </div>

      <form
        className="grid gap-4 lg:grid-cols-[2fr_1fr]"
        onSubmit={(e) => {
          e.preventDefault();
          start();
        }}
      >
        <Card title="Container">
          <div className="grid gap-4 p-4 sm:grid-cols-2">
            <div className="sm:col-span-2">
              <Field
                label="Image"
                hint={
                  <>
                    {tagWarning ? <span className="text-amber-800">{tagWarning}</span> : "repository[:tag] or repository@sha256:digest"}
                    {policy.data?.pinDigestAtRun && <span className="block">Runs are pinned: each host runs the digest this tag names there, and the audit entry records it.</span>}
                  </>
                }
              >
                <Input value={v.image} onChange={(e) => set("image", e.target.value)} placeholder="busybox:1.36" required autoFocus className="w-full font-mono" />
              </Field>
            </div>
            <Field label="Name" hint="Empty: the engine makes one up, like adoring_lovelace.">
              <Input value={v.name} onChange={(e) => set("name", e.target.value)} placeholder="web-1" className="w-full" />
            </Field>
            <Field label="Command and arguments" hint="Replaces the image's command; quotes work as in a shell.">
              <Input value={v.command} onChange={(e) => set("command", e.target.value)} placeholder={`sh -c "echo hello; sleep 3600"`} className="w-full font-mono" />
            </Field>
            <Field label="Environment" hint="KEY=value, one per line. Values of secret-looking keys are redacted in the audit trail.">
              <textarea value={v.env} onChange={(e) => set("env", e.target.value)} rows={3} className={textarea} placeholder="MODE=production" />
            </Field>
            <Field label="Labels" hint="key=value, one per line.">
              <textarea value={v.labels} onChange={(e) => set("labels", e.target.value)} rows={3} className={textarea} placeholder="team=payments" />
            </Field>
            <Field label="Published ports" hint="[ip:]hostPort:containerPort[/udp], one per line.">
              <textarea value={v.ports} onChange={(e) => set("ports", e.target.value)} rows={2} className={textarea} placeholder="8080:80" />
            </Field>
            <Field
              label="Volumes and binds"
              hint={
                <>
                  /host/path:/path (bind) or name:/path (volume), :ro for read-only.
                  <span className="mt-1 block" data-testid="bind-policy">
                    {chosen.length === 0 ? (
                      "Bind mounts: choose a host to see what its run policy allows."
                    ) : (
                      <>
                        Bind mounts: {policySummary(policies).join("; ") || "…"}.
                        {policies.some((p) => !p.admin) && " Never /, the engine socket, /etc, /proc, /sys, /dev, /boot, /root or the engine's data root (they give root on the host)."}
                      </>
                    )}
                  </span>
                </>
              }
            >
              <textarea value={v.volumes} onChange={(e) => set("volumes", e.target.value)} rows={2} className={textarea} placeholder="data:/var/lib/app" />
            </Field>
            {refusals.length > 0 && (
              <ul className="space-y-1 text-sm text-red-700 sm:col-span-2" data-testid="bind-refusals" aria-live="polite">
                {refusals.map((r) => (
                  <li key={r.hostName}>
                    Will be refused on {r.hostName}: {r.message}
                  </li>
                ))}
              </ul>
            )}
          </div>
        </Card>

        <div className="space-y-4">
          <Card title="Hosts">
            <fieldset className="space-y-1.5 p-4 text-sm">
              <legend className="sr-only">Hosts to run on</legend>
              {hosts.isPending && <Spinner label="Loading hosts…" />}
              {hosts.data?.map((h) => (
                <label key={h.id} className="flex items-center gap-2">
                  <input
                    type="checkbox"
                    disabled={!runnable(h)}
                    checked={chosen.includes(h.id)}
                    onChange={(e) => setHostIds(e.target.checked ? [...new Set([...chosen, h.id])] : chosen.filter((x) => x !== h.id))}
                  />
                  {h.name} <HostStatusBadge status={h.status} />
                  {h.groups.length > 0 && <span className="text-xs text-slate-500">{h.groups.join(", ")}</span>}
                  {h.status === "online" && !mayOperate(h.access) && <span className="text-xs text-slate-500">(you are {h.access} here)</span>}
                </label>
              ))}
            </fieldset>
          </Card>
          <Card title="Resources and behaviour">
            <div className="grid grid-cols-2 gap-3 p-4">
              <Field label="Memory limit" hint="e.g. 64m, 1g">
                <Input value={v.memory} onChange={(e) => set("memory", e.target.value)} className="w-full" placeholder="unlimited" />
              </Field>
              <Field label="Memory + swap" hint="-1: unlimited swap">
                <Input value={v.memorySwap} onChange={(e) => set("memorySwap", e.target.value)} className="w-full" placeholder="2× memory" />
              </Field>
              <Field label="CPU shares" hint="1024 = one full share (default)">
                <Input type="number" min={2} value={v.cpuShares} onChange={(e) => set("cpuShares", e.target.value)} className="w-full" placeholder="1024" />
              </Field>
              <Field label="Restart policy">
                <Select value={v.restart} onChange={(e) => set("restart", e.target.value as RunFormValues["restart"])} className="w-full">
                  <option value="no">no</option>
                  <option value="on-failure">on-failure</option>
                  <option value="unless-stopped">unless-stopped</option>
                  <option value="always">always</option>
                </Select>
              </Field>
              {v.restart === "on-failure" && (
                <Field label="Max retries">
                  <Input type="number" min={0} value={v.maxRetries} onChange={(e) => set("maxRetries", e.target.value)} className="w-full" placeholder="unlimited" />
                </Field>
              )}
              <div className="col-span-2 space-y-1.5 text-sm">
                <label className="flex items-center gap-2">
                  <input type="checkbox" checked={v.init} onChange={(e) => set("init", e.target.checked)} />
                  Init process as PID 1 <span className="text-xs text-slate-500">(forwards signals, reaps children)</span>
                </label>
                <label className="flex items-center gap-2">
                  <input type="checkbox" checked={v.interactive} onChange={(e) => set("interactive", e.target.checked)} /> Interactive (keep stdin open)
                </label>
                <label className="flex items-center gap-2">
                  <input type="checkbox" checked={v.tty} onChange={(e) => set("tty", e.target.checked)} /> Allocate a TTY
                </label>
              </div>
            </div>
          </Card>
        </div>

        <Card title="Equivalent command" className="lg:col-span-2" actions={parsed.ok ? <CopyButton text={dockerRunCommand(parsed.spec)} /> : null}>
          <div className="space-y-3 p-4">
            {parsed.ok ? (
              <pre data-testid="docker-run-line" className="whitespace-pre-wrap break-all rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">
                {dockerRunCommand(parsed.spec)}
              </pre>
            ) : (
              v.image && (
                <ul className="list-inside list-disc text-sm text-red-700">
                  {parsed.errors.map((e) => (
                    <li key={e}>{e}</li>
                  ))}
                </ul>
              )
            )}
            {toPull.length > 0 && !pull.data && (
              <p className="text-sm text-amber-800" data-testid="image-missing">
                <code>{parsed.ok && parsed.spec.image}</code> is not on {toPull.map(hostName).join(", ")}: it will be pulled there first.
              </p>
            )}
            <div className="flex items-center gap-3">
              <Button type="submit" variant="primary" disabled={!parsed.ok || chosen.length === 0 || busy}>
                {toPull.length > 0 && !pull.data ? "Pull and run" : "Run"} on {chosen.length || "no"} host{chosen.length === 1 ? "" : "s"}
              </Button>
              {run.isPending && <Spinner label="Creating and starting…" />}
            </div>
            <ErrorNote error={pull.error ?? run.error} />
            {pull.data && <ImagePullProgress key={pull.data.pullId} pullId={pull.data.pullId} onDone={afterPull} />}
            {pullFailures.length > 0 && (
              <ul className="space-y-1 text-sm" role="status">
                {pullFailures.map((f) => (
                  <li key={f.hostId} className="text-red-700">
                    {f.hostName}: not run, the pull {f.phase === "cancelled" ? "was cancelled" : `failed: ${f.error?.message ?? ""}`}
                  </li>
                ))}
              </ul>
            )}
            {run.data && (
              <ul className="space-y-1 text-sm" role="status">
                {run.data.map((r) =>
                  r.ok ? (
                    <li key={r.hostId} className="text-emerald-800">
                      {r.hostName}: started{" "}
                      <Link href={`/containers/${r.hostId}/${r.result.id}`} className="font-medium underline">
                        {r.result.name}
                      </Link>{" "}
                      from image <code title={r.result.imageId}>{shortId(r.result.imageId)}</code>
                      {r.result.imageDigests[0] && <code className="ml-1 text-xs text-slate-500">{r.result.imageDigests[0]}</code>}
                    </li>
                  ) : (
                    <li key={r.hostId} className="text-red-700">
                      {r.hostName}: {r.error.message}
                    </li>
                  ),
                )}
              </ul>
            )}
          </div>
        </Card>
      </form>
    </div>
  );
}
