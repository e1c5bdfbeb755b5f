"use client";

import Link from "next/link";
import { useRouter, useSearchParams } from "next/navigation";
import { useRef, useState } from "react";
import { keepPreviousData, useMutation, useQueries, useQuery, useQueryClient } from "@tanstack/react-query";
import { LOG_DRIVERS, SIGNALS, dockerRunCommand, mutableTagWarning, parseDockerRun, type RunSpec } from "@stevedore/protocol";
import { EMPTY_FORM, fieldOfRefusal, parseRunForm, policySummary, predictedRefusals, specToForm, type FieldError, type FormField, type RunFormValues } from "@/lib/run-form";
import { shortId } from "@/lib/format";
import { useTRPC } from "@/lib/trpc";
import { HostChecklist, type HostScope, useOnlyHost, usePickedHosts } from "./host-picker";
import { ImagePullProgress, type PullState } from "./image-pull-progress";
import { RolloutProgress } from "./rollout-progress";
import { Field, FieldErrors, NetworkPicker, VolumePicker, type NetworkChoice, type VolumeChoice } from "./run-form-fields";
import { BackLink, Button, Card, ConfirmDialog, CopyButton, ErrorNote, Input, Select, Spinner, toast } from "./ui";

const textarea = "w-full rounded-md border border-slate-300 bg-white px-2.5 py-1.5 font-mono text-xs shadow-xs placeholder:text-slate-500 aria-invalid:border-red-600";

/** A pasted `docker run …` line fills the form; what it cannot carry, and what is wrong, are named. */
function DockerRunPaste({ onSpec }: { onSpec: (values: RunFormValues, unsupported: string[]) => void }) {
  const [line, setLine] = useState("");
  const [errors, setErrors] = useState<string[]>([]);
  const fill = () => {
    const parsed = parseDockerRun(line);
    if (!parsed.ok) return setErrors(parsed.errors.map((e) => (e.flag && !e.message.includes(e.flag) ? `${e.flag}: ${e.message}` : e.message)));
    setErrors([]);
    onSpec(specToForm(parsed.spec), parsed.unsupported);
  };
  return (
    <details className="rounded-md border border-slate-200 bg-white p-3 text-sm">
      <summary className="cursor-pointer font-medium">Paste a docker run line</summary>
      <div className="mt-2 space-y-2">
        <textarea aria-label="docker run line" value={line} onChange={(e) => setLine(e.target.value)} rows={3} className={textarea} placeholder="docker run -d --name web -p 8080:80 nginx:1.27" />
        <Button onClick={fill} disabled={!line.trim()}>
          Fill the form
        </Button>
        {errors.length > 0 && (
          <ul className="list-inside list-disc text-red-700" data-testid="paste-errors" role="alert">
            {errors.map((e) => (
              <li key={e}>{e}</li>
            ))}
          </ul>
        )}
      </div>
    </details>
  );
}

type Mode = { kind: "run" } | { kind: "recreate" | "duplicate"; hostId: string; id: string };

function modeOf(params: URLSearchParams): Mode {
  for (const kind of ["recreate", "duplicate"] as const) {
    const [hostId, id] = (params.get(kind) ?? "").split("/");
    if (hostId && id) return { kind, hostId, id };
  }
  return { kind: "run" };
}

/**
 * "Run container": the same RunSpec the API takes, with the equivalent docker run line as you type.
 * With `?recreate=host/id` it is "Edit and recreate" (filled from the container, run through the
 * health gate in its place); with `?duplicate=host/id`, a new container like that one.
 */
/** Hosts a run may go to: online, and operator there. */
const RUNNABLE: HostScope = { status: "online", operable: true };

export function RunForm() {
  const trpc = useTRPC();
  const params = useSearchParams();
  const mode = modeOf(params);
  const source = useQuery({ ...trpc.containers.spec.queryOptions(mode.kind === "run" ? { hostId: "", id: "" } : { hostId: mode.hostId, id: mode.id }), enabled: mode.kind !== "run" });
  if (mode.kind === "run") return <RunFormBody mode={mode} initial={{ ...EMPTY_FORM, image: params.get("image") ?? "" }} notCarried={[]} />;
  if (!source.data) return source.error ? <ErrorNote error={source.error} /> : <Spinner label="Reading the container's settings…" />;
  if (!source.data.spec) return <ErrorNote error={{ message: "This container was created from an image id with no tag left: there is no image reference to recreate it from." }} />;
  // A duplicate needs a name of its own (empty: the engine makes one up).
  const initial = { ...specToForm(source.data.spec), name: mode.kind === "duplicate" ? "" : (source.data.spec.name ?? "") };
  return <RunFormBody mode={mode} initial={initial} originalName={source.data.spec.name ?? ""} notCarried={source.data.unsupported} />;
}

function RunFormBody({ mode, initial, originalName = "", notCarried }: { mode: Mode; initial: RunFormValues; originalName?: string; notCarried: string[] }) {
  const trpc = useTRPC();
  const [unsupported, setUnsupported] = useState<string[]>(notCarried);
  const [confirming, setConfirming] = useState(false);
  const recreate = useMutation(trpc.containers.recreate.mutationOptions());
  const [recreateDone, setRecreateDone] = useState(false);
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
  const queryClient = useQueryClient();
  /** Hosts where the pull before the run failed: they are reported, not run on. */
  const [pullFailures, setPullFailures] = useState<PullState["hosts"]>([]);
  // "Run it…" after a pull comes with the image filled in; a duplicate starts on the original's host.
  const [v, setV] = useState<RunFormValues>(initial);
  // "Run this image" on an image's page names its host (`?host=`).
  const startHost = useSearchParams().get("host");
  const [hostIds, setHostIds] = useState<string[]>(mode.kind === "duplicate" ? [mode.hostId] : startHost ? [startHost] : []);
  const set = <K extends keyof RunFormValues>(k: K, value: RunFormValues[K]) => setV((prev) => ({ ...prev, [k]: value }));
  const parsed = parseRunForm(v);
  // Problems show beside their fields once Run was pressed (not while the first word is typed), then live.
  const [tried, setTried] = useState(false);
  /** What the server refused, by field: shown until the form changes. */
  const [refused, setRefused] = useState<{ for: RunFormValues; errors: FieldError[] } | null>(null);
  const shownErrors = [...(tried && !parsed.ok ? parsed.errors : []), ...(refused?.for === v ? refused.errors : [])];
  const errorsOf = (field: FormField) => shownErrors.filter((e) => e.field === field).map((e) => e.message);
  const formRef = useRef<HTMLFormElement>(null);
  // Hosts the caller may run on: online, and operator there (fleet-wide or by a group grant); the only one is chosen from the start.
  const only = useOnlyHost(RUNNABLE);
  const chosen = hostIds.length ? hostIds : only ? [only] : [];
  const tagWarning = mutableTagWarning(v.image);
  const policy = useQuery(trpc.settings.images.queryOptions());
  // Which chosen hosts lack the image, as a hint while typing; Run asks again itself (see start).
  const missingInput = { hostIds: chosen, reference: parsed.ok ? parsed.spec.image : "" };
  const missing = useQuery({ ...trpc.images.missing.queryOptions(missingInput), enabled: parsed.ok && chosen.length > 0, placeholderData: keepPreviousData });
  const toPull = parsed.ok && chosen.length > 0 ? (missing.data ?? []) : [];
  // The bind-mount policy on the chosen hosts, shown before anyone types a mount.
  const runPolicy = useQuery({ ...trpc.containers.runPolicy.queryOptions({ hostIds: chosen }), enabled: chosen.length > 0, placeholderData: keepPreviousData });
  const policies = chosen.length > 0 ? (runPolicy.data ?? []) : [];
  const refusals = parsed.ok ? predictedRefusals(parsed.spec, policies) : [];
  const namedHosts = usePickedHosts(mode.kind === "recreate" ? [mode.hostId, ...chosen] : chosen);
  const hostName = (id: string) => namedHosts.get(id)?.name ?? id;
  // The networks of the chosen hosts (a recreate's: its own host), for the picker.
  const networkHosts = mode.kind === "recreate" ? [mode.hostId] : chosen;
  const networkLists = useQueries({ queries: networkHosts.map((hostId) => ({ ...trpc.hosts.networks.queryOptions({ hostId }), staleTime: 30_000 })) });
  const networkChoices: NetworkChoice[] = (() => {
    const byName = new Map<string, { driver: string; on: Set<string> }>();
    networkLists.forEach((q, i) => {
      // host and none are not networks a run joins (host is refused; none has no interface to alias).
      for (const n of q.data ?? []) if (n.name !== "host" && n.name !== "none") byName.set(n.name, { driver: n.driver, on: (byName.get(n.name)?.on ?? new Set()).add(networkHosts[i]!) });
    });
    return [...byName].map(([name, n]) => ({ name, driver: n.driver, missingOn: networkHosts.filter((h, i) => networkLists[i]?.data && !n.on.has(h)).map(hostName) })).sort((a, b) => a.name.localeCompare(b.name));
  })();
  // The named volumes of the chosen hosts, for the volume picker (one fleet read, kept to those hosts).
  const volumeList = useQuery({ ...trpc.volumes.list.queryOptions({}), enabled: networkHosts.length > 0, staleTime: 30_000 });
  const volumeChoices: VolumeChoice[] = (() => {
    const byName = new Map<string, { driver: string; on: Set<string> }>();
    for (const v of volumeList.data?.items ?? []) {
      if (!networkHosts.includes(v.hostId)) continue;
      byName.set(v.name, { driver: v.driver, on: (byName.get(v.name)?.on ?? new Set()).add(v.hostId) });
    }
    // Anonymous volumes (64 hex) belong to one container: not something to choose.
    return [...byName]
      .filter(([name]) => !/^[0-9a-f]{64}$/.test(name))
      .map(([name, v]) => ({ name, driver: v.driver, missingOn: networkHosts.filter((h) => !v.on.has(h)).map(hostName) }))
      .sort((a, b) => a.name.localeCompare(b.name));
  })();
  // Busy from the click until the run (or every pull) has answered: a second click cannot race the first.
  const [starting, setStarting] = useState(false);
  const busy = starting || run.isPending || pull.isPending || (!!pull.data && pullFailures.length === 0 && !run.data && !run.isError);

  /** Focuses the first field with a problem, in the order the form shows them. */
  const focusFirstInvalid = () =>
    requestAnimationFrame(() => {
      const el = formRef.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
      const target = el?.tagName === "FIELDSET" ? (el.querySelector<HTMLElement>("select, input, textarea, button") ?? el) : el;
      target?.focus();
    });
  const runOn = (ids: string[], spec: RunSpec) =>
    run.mutate(
      { hostIds: ids, spec },
      {
        onSuccess(results) {
          const ok = results.filter((r) => r.ok);
          const failed = results.filter((r) => !r.ok);
          toast({ tone: failed.length === 0 ? "ok" : ok.length === 0 ? "error" : "mixed", title: failed.length === 0 ? `Started ${spec.name ?? "the container"} on ${ok.length === 1 ? ok[0]!.hostName : `${ok.length} hosts`}` : `Not started on ${failed.map((f) => f.hostName).join(", ")}` });
          if (results.length === 1 && failed.length === 1 && !failed[0]!.ok) markRefused(failed[0]!.error.message);
        },
        onError(err) {
          toast({ tone: "error", title: "Not started", details: [err.message] });
          markRefused(err.message, (err.data as { problems?: { path: string[]; message: string }[] | null } | undefined)?.problems);
        },
        onSettled: () => setStarting(false),
      },
    );
  /** A refusal that concerns one field goes beside it (and is focused); the rest stays in the result list. */
  const markRefused = (message: string, problems?: { path: string[]; message: string }[] | null) => {
    const errors = fieldOfRefusal(message, problems);
    if (errors.length === 0) return;
    setRefused({ for: v, errors });
    focusFirstInvalid();
  };
  const start = async () => {
    setTried(true);
    if (!parsed.ok) return focusFirstInvalid();
    if (mode.kind === "recreate") return setConfirming(true);
    if (chosen.length === 0) return;
    run.reset();
    pull.reset();
    setPullFailures([]);
    setRefused(null);
    setStarting(true);
    try {
      // Asked now, not taken from the hint above: that answer may still be for what was typed a moment ago.
      const lacking = await queryClient.fetchQuery({ ...trpc.images.missing.queryOptions({ hostIds: chosen, reference: parsed.spec.image }), staleTime: 0 });
      if (lacking.length > 0) {
        pull.mutate({ hostIds: lacking, reference: parsed.spec.image }, { onSettled: () => setStarting(false) });
        return;
      }
      runOn(chosen, parsed.spec);
    } catch (err) {
      setStarting(false);
      toast({ tone: "error", title: "Could not check the hosts for the image", details: [(err as Error).message] });
    }
  };
  const afterPull = (state: PullState) => {
    const failed = state.hosts.filter((h) => h.phase !== "succeeded");
    setPullFailures(failed);
    const ready = chosen.filter((id) => !failed.some((f) => f.hostId === id));
    if (parsed.ok && ready.length > 0) {
      setStarting(true);
      runOn(ready, parsed.spec);
    }
  };

  return (
    <div className="space-y-4">
      <div>
        <BackLink href={mode.kind === "run" ? "/containers" : `/containers/${mode.hostId}/${mode.id}`}>{mode.kind === "run" ? "Containers" : "Container"}</BackLink>
        <h1 className="mt-1 text-xl font-semibold">{mode.kind === "recreate" ? `Edit and recreate ${originalName}` : mode.kind === "duplicate" ? "Duplicate container" : "Run container"}</h1>
        {mode.kind === "recreate" && (
          <p className="text-sm text-slate-600">
            The old container is renamed and stopped, the new one started under its name; the old one is removed only once the new one is healthy (or has run 30 s without a restart), and put back otherwise.
          </p>
        )}
      </div>
      {unsupported.length > 0 && (
        <p className="rounded-md bg-amber-50 p-3 text-sm text-amber-900" role="alert" data-testid="unsupported">
          {mode.kind === "recreate" ? "This container cannot be recreated from Stevedore: it" : mode.kind === "duplicate" ? "Not carried over: the original" : "Not carried: the pasted line"} uses {unsupported.join(", ")}, which a run spec does not carry.
        </p>
      )}
      {mode.kind === "run" && (
        <DockerRunPaste
          onSpec={(values, notCarried) => {
            setV(values);
            setUnsupported(notCarried);
          }}
        />
      )}

      <form
        className="grid gap-4 lg:grid-cols-[2fr_1fr]"
        ref={formRef}
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          void start();
        }}
      >
        <Card title="Container">
          <div className="grid gap-4 p-4 sm:grid-cols-2">
            <div className="sm:col-span-2">
              <Field field="image" errors={errorsOf("image")} label="Image"
                hint={
                  <>
                    {tagWarning ? <span className="text-amber-800">{tagWarning}</span> : "repository[:tag] or repository@sha256:digest"}
                    {policy.data?.pinDigestAtRun && <span className="block">Runs are pinned: each host runs the digest this tag names there, and the audit entry records it.</span>}
                  </>
                }
              >
                <Input value={v.image} onChange={(e) => set("image", e.target.value)} placeholder="busybox:1.36" aria-required autoFocus className="w-full font-mono" />
              </Field>
            </div>
            <Field field="name" errors={errorsOf("name")} label="Name" hint={mode.kind === "recreate" ? "A recreate keeps the name." : "Empty: the engine makes one up, like adoring_lovelace."}>
              <Input value={v.name} onChange={(e) => set("name", e.target.value)} placeholder="web-1" className="w-full" disabled={mode.kind === "recreate"} />
            </Field>
            <Field field="command" errors={errorsOf("command")} label="Command and arguments" hint="Replaces the image's command; quotes work as in a shell.">
              <Input value={v.command} onChange={(e) => set("command", e.target.value)} placeholder={`sh -c "echo hello; sleep 3600"`} className="w-full font-mono" />
            </Field>
            <Field field="env" errors={errorsOf("env")} label="Environment" hint="KEY=value, one per line. Values of secret-looking keys are redacted in the audit trail.">
              <textarea value={v.env} onChange={(e) => set("env", e.target.value)} rows={3} className={textarea} placeholder="MODE=production" />
            </Field>
            <Field field="labels" errors={errorsOf("labels")} label="Labels" hint="key=value, one per line.">
              <textarea value={v.labels} onChange={(e) => set("labels", e.target.value)} rows={3} className={textarea} placeholder="team=payments" />
            </Field>
            <Field field="ports" errors={errorsOf("ports")} label="Published ports" hint="[ip:]hostPort:containerPort[/udp], one per line.">
              <textarea value={v.ports} onChange={(e) => set("ports", e.target.value)} rows={2} className={textarea} placeholder="8080:80" />
            </Field>
            <Field field="volumes" errors={errorsOf("volumes")} label="Volumes and binds"
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
            {networkHosts.length > 0 && (
              <div className="sm:col-span-2">
                <VolumePicker choices={volumeChoices} loading={volumeList.isPending} onAdd={(line) => set("volumes", v.volumes.trim() ? `${v.volumes.trimEnd()}\n${line}` : line)} />
              </div>
            )}
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
          {mode.kind === "recreate" ? (
            <Card title="Host">
              <p className="p-4 text-sm">{hostName(mode.hostId)}</p>
            </Card>
          ) : (
          <Card title="Hosts">
            <div className="p-4">
              <HostChecklist legend="Hosts to run on" value={chosen} onChange={setHostIds} scope={RUNNABLE} />
            </div>
          </Card>
          )}
          <Card title="Resources and behaviour">
            <div className="grid grid-cols-2 gap-3 p-4">
              <Field field="memory" errors={errorsOf("memory")} label="Memory limit" hint="e.g. 64m, 1g">
                <Input value={v.memory} onChange={(e) => set("memory", e.target.value)} className="w-full" placeholder="unlimited" />
              </Field>
              <Field field="memorySwap" errors={errorsOf("memorySwap")} label="Memory + swap" hint="-1: unlimited swap">
                <Input value={v.memorySwap} onChange={(e) => set("memorySwap", e.target.value)} className="w-full" placeholder="2× memory" />
              </Field>
              <Field field="cpuShares" errors={errorsOf("cpuShares")} label="CPU shares" hint="1024 = one full share (default)">
                <Input inputMode="numeric" value={v.cpuShares} onChange={(e) => set("cpuShares", e.target.value)} className="w-full" placeholder="1024" />
              </Field>
              <Field field="restart" errors={errorsOf("restart")} label="Restart policy">
                <Select value={v.restart} onChange={(e) => set("restart", e.target.value as RunFormValues["restart"])} className="w-full">
                  <option value="no">no</option>
                  <option value="on-failure">on-failure</option>
                  <option value="unless-stopped">unless-stopped</option>
                  <option value="always">always</option>
                </Select>
              </Field>
              {v.restart === "on-failure" && (
                <Field field="maxRetries" errors={errorsOf("maxRetries")} label="Max retries">
                  <Input inputMode="numeric" value={v.maxRetries} onChange={(e) => set("maxRetries", e.target.value)} className="w-full" placeholder="unlimited" />
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
          <Card title="Advanced">
            <div className="grid grid-cols-2 gap-3 p-4">
              <Field field="entrypoint" errors={errorsOf("entrypoint")} label="Entrypoint" hint="Replaces the image's entrypoint.">
                <Input value={v.entrypoint} onChange={(e) => set("entrypoint", e.target.value)} disabled={v.clearEntrypoint} className="w-full font-mono" placeholder="image's" />
              </Field>
              <label className="flex items-end gap-2 pb-1 text-sm">
                <input type="checkbox" checked={v.clearEntrypoint} onChange={(e) => set("clearEntrypoint", e.target.checked)} /> No entrypoint
              </label>
              <Field field="hostname" errors={errorsOf("hostname")} label="Host name">
                <Input value={v.hostname} onChange={(e) => set("hostname", e.target.value)} className="w-full" placeholder="container id" />
              </Field>
              <Field field="user" errors={errorsOf("user")} label="User" hint="name, uid, or uid:gid">
                <Input value={v.user} onChange={(e) => set("user", e.target.value)} className="w-full" placeholder="image's" />
              </Field>
              <Field field="workingDir" errors={errorsOf("workingDir")} label="Working directory">
                <Input value={v.workingDir} onChange={(e) => set("workingDir", e.target.value)} className="w-full font-mono" placeholder="image's" />
              </Field>
              <Field field="cpus" errors={errorsOf("cpus")} label="CPUs" hint="e.g. 1.5">
                <Input value={v.cpus} onChange={(e) => set("cpus", e.target.value)} className="w-full" placeholder="all" inputMode="decimal" />
              </Field>
              <div className="col-span-2">
                <NetworkPicker rows={v.networks} choices={networkChoices} onChange={(rows) => set("networks", rows)} errors={errorsOf("networks")} loading={networkLists.some((q) => q.isPending)} />
              </div>
              <div className="col-span-2">
                <Field field="healthCmd" errors={errorsOf("healthCmd")} label="Healthcheck command" hint={v.healthForm === "CMD" ? "Run as words, without a shell (as the image's CMD form)." : "Run by the shell, like --health-cmd. Empty: the image's."}>
                  <Input value={v.healthCmd} onChange={(e) => set("healthCmd", e.target.value)} disabled={v.noHealthcheck} className="w-full font-mono" placeholder="wget -q -O- localhost:8080/health || exit 1" />
                </Field>
              </div>
              <Field field="healthInterval" errors={errorsOf("healthInterval")} label="Check every (s)">
                <Input value={v.healthInterval} onChange={(e) => set("healthInterval", e.target.value)} disabled={v.noHealthcheck} className="w-full" inputMode="decimal" placeholder="30" />
              </Field>
              <Field field="healthRetries" errors={errorsOf("healthRetries")} label="Retries">
                <Input value={v.healthRetries} onChange={(e) => set("healthRetries", e.target.value)} disabled={v.noHealthcheck} className="w-full" inputMode="numeric" placeholder="3" />
              </Field>
              <Field field="healthTimeout" errors={errorsOf("healthTimeout")} label="Timeout (s)">
                <Input value={v.healthTimeout} onChange={(e) => set("healthTimeout", e.target.value)} disabled={v.noHealthcheck} className="w-full" inputMode="decimal" placeholder="30" />
              </Field>
              <Field field="healthStartPeriod" errors={errorsOf("healthStartPeriod")} label="Start period (s)">
                <Input value={v.healthStartPeriod} onChange={(e) => set("healthStartPeriod", e.target.value)} disabled={v.noHealthcheck} className="w-full" inputMode="decimal" placeholder="0" />
              </Field>
              <label className="col-span-2 flex items-center gap-2 text-sm">
                <input type="checkbox" checked={v.noHealthcheck} onChange={(e) => set("noHealthcheck", e.target.checked)} /> No healthcheck (turns off a built-in one)
              </label>
              <Field field="stopSignal" errors={errorsOf("stopSignal")} label="Stop signal">
                <Select value={v.stopSignal} onChange={(e) => set("stopSignal", e.target.value)} className="w-full">
                  <option value="">image's (SIGTERM)</option>
                  {SIGNALS.map((sig) => (
                    <option key={sig} value={sig}>
                      {sig}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field field="stopTimeout" errors={errorsOf("stopTimeout")} label="Stop timeout (s)">
                <Input value={v.stopTimeout} onChange={(e) => set("stopTimeout", e.target.value)} className="w-full" inputMode="numeric" placeholder="10" />
              </Field>
              <label className="col-span-2 flex items-center gap-2 text-sm">
                <input type="checkbox" checked={v.readOnly} onChange={(e) => set("readOnly", e.target.checked)} data-field="readOnly" />
                <span>
                  Read-only root filesystem <span className="text-xs text-slate-500">(writes go to mounts only)</span>
                </span>
              </label>
              <div className="col-span-2">
                <Field field="capDrop" errors={errorsOf("capDrop")} label="Capabilities to drop" hint="Taken from the engine's default set, e.g. NET_RAW MKNOD, or ALL. Adding capabilities is not offered.">
                  <Input value={v.capDrop} onChange={(e) => set("capDrop", e.target.value)} className="w-full font-mono" placeholder="NET_RAW" />
                </Field>
              </div>
              <Field field="logDriver" errors={errorsOf("logDriver")} label="Log driver">
                <Select value={v.logDriver} onChange={(e) => set("logDriver", e.target.value)} className="w-full">
                  <option value="">engine&apos;s default</option>
                  {LOG_DRIVERS.map((d) => (
                    <option key={d} value={d}>
                      {d}
                    </option>
                  ))}
                </Select>
              </Field>
              <div className="col-span-2">
                <Field
                  field="logOptions"
                  errors={errorsOf("logOptions")}
                  label="Log options"
                  hint={v.logDriver === "json-file" || v.logDriver === "local" ? "key=value per line, e.g. max-size=10m, max-file=3" : "key=value per line, as the driver takes them"}
                >
                  <textarea value={v.logOptions} onChange={(e) => set("logOptions", e.target.value)} rows={2} className={textarea} placeholder="max-size=10m" />
                </Field>
              </div>
            </div>
          </Card>
        </div>

        <Card title="Equivalent command" className="lg:col-span-2" actions={parsed.ok ? <CopyButton text={dockerRunCommand(parsed.spec)} /> : null}>
          <div className="space-y-3 p-4">
            {parsed.ok ? (
              <pre data-testid="docker-run-line" className="palette-fixed whitespace-pre-wrap break-all rounded-md bg-slate-900 p-3 font-mono text-xs text-slate-100">
                {dockerRunCommand(parsed.spec)}
              </pre>
            ) : (
              <p className="text-sm text-slate-500">The docker run line appears once the form describes a container.</p>
            )}
            {shownErrors.length > 0 && (
              <div role="alert" className="space-y-1 text-sm text-red-700" data-testid="form-problems">
                <p className="font-medium">
                  {shownErrors.length === 1 ? "One problem" : `${shownErrors.length} problems`}
                  {shownErrors.some((e) => e.field !== "form") && ", each shown beside its field"}.
                </p>
                {shownErrors.some((e) => e.field === "form") && <FieldErrors errors={shownErrors.filter((e) => e.field === "form").map((e) => e.message)} />}
              </div>
            )}
            {toPull.length > 0 && !pull.data && (
              <p className="text-sm text-amber-800" data-testid="image-missing">
                <code>{parsed.ok && parsed.spec.image}</code> is not on {toPull.map(hostName).join(", ")}: it will be pulled there first.
              </p>
            )}
            <div className="flex items-center gap-3">
              {mode.kind === "recreate" ? (
                <Button type="submit" variant="primary" disabled={unsupported.length > 0 || recreate.isPending || (!!recreate.data && !recreateDone)}>
                  Recreate
                </Button>
              ) : (
                <Button type="submit" variant="primary" disabled={chosen.length === 0 || busy}>
                  {toPull.length > 0 && !pull.data ? "Pull and run" : "Run"} on {chosen.length || "no"} host{chosen.length === 1 ? "" : "s"}
                </Button>
              )}
              {run.isPending && <Spinner label="Creating and starting…" />}
              {starting && !run.isPending && !pull.data && <Spinner label="Checking the hosts for the image…" />}
            </div>
            {/* A refusal shown beside its field is not repeated here (the toast still says it). */}
            <ErrorNote error={pull.error ?? (refused?.for === v ? null : run.error) ?? recreate.error} />
            {recreate.data && <RolloutProgress key={recreate.data.rolloutId} rolloutId={recreate.data.rolloutId} onDone={() => setRecreateDone(true)} />}
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
      {mode.kind === "recreate" && (
        <ConfirmDialog
          open={confirming}
          onClose={() => setConfirming(false)}
          title={`Recreate ${originalName}?`}
          confirmLabel="Recreate"
          onConfirm={() => {
            setConfirming(false);
            setRecreateDone(false);
            if (parsed.ok) recreate.mutate({ hostId: mode.hostId, id: mode.id, spec: parsed.spec });
          }}
        >
          <p>
            <span className="font-medium">{originalName}</span> on {hostName(mode.hostId)} is stopped and replaced by a new container with these settings. Its writable layer goes with it (volumes stay); it comes back by
            itself if the new one fails its health gate.
          </p>
        </ConfirmDialog>
      )}
    </div>
  );
}
