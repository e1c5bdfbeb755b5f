"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { type RouterOutputs, useTRPC } from "@/lib/trpc";
import { RULE_KINDS, RULE_KIND_WORDS, RuleInput, SEVERITIES, type RuleKind } from "../../../server/alerts/alert-kinds";
import { HostChecklist } from "../host-picker";
import { FieldErrors } from "../run-form-fields";
import { Button, Dialog, ErrorNote, Input, Select, toast } from "../ui";
import { Field } from "./field";
import { type Problems, problemsOfServer, problemsOfZod } from "./form-problems";

export type Rule = RouterOutputs["alerts"]["rules"][number];

/** Which numbers each kind reads (the others keep their defaults). */
const PARAMS_OF: Record<RuleKind, readonly ("restarts" | "minutes" | "seconds" | "stableSeconds")[]> = {
  "container.exit": ["stableSeconds"],
  "container.oom": ["stableSeconds"],
  "container.unhealthy": [],
  "container.restart-loop": ["restarts", "minutes", "stableSeconds"],
  "container.disappeared": [],
  "host.offline": ["seconds"],
};
const PARAM_WORDS = {
  restarts: { label: "Restarts", hint: "this many starts…" },
  minutes: { label: "Within (minutes)", hint: "…within this many minutes" },
  seconds: { label: "Offline for (seconds)", hint: "how long the agent has been away before it alerts" },
  stableSeconds: { label: "Resolved after (seconds) running", hint: "the alert resolves once the container has run this long without another" },
} as const;

const DEFAULTS = { restarts: 3, minutes: 5, seconds: 60, stableSeconds: 120 };

/** Add or edit an alert rule: every kind and scope the server takes, each problem beside its field. */
export function RuleDialog({ rule, onClose }: { rule: Rule | null; onClose: () => void }) {
  const trpc = useTRPC();
  const client = useQueryClient();
  const groups = useQuery(trpc.hosts.groups.queryOptions());
  const channels = useQuery(trpc.alerts.channels.queryOptions());
  const [name, setName] = useState(rule?.name ?? "");
  const [kind, setKind] = useState<RuleKind>(rule?.kind ?? "container.exit");
  const [severity, setSeverity] = useState<string>(rule?.severity ?? "warning");
  const [enabled, setEnabled] = useState(rule?.enabled ?? true);
  const [hostIds, setHostIds] = useState<string[]>(rule?.scope.hostIds ?? []);
  const [groupNames, setGroupNames] = useState<string[]>(rule?.scope.groups ?? []);
  const [namePattern, setNamePattern] = useState(rule?.scope.name ?? "");
  const [image, setImage] = useState(rule?.scope.image ?? "");
  const [label, setLabel] = useState(rule?.scope.label ?? "");
  const [params, setParams] = useState<Record<keyof typeof DEFAULTS, string>>(() => {
    const p = rule?.params ?? DEFAULTS;
    return { restarts: String(p.restarts), minutes: String(p.minutes), seconds: String(p.seconds), stableSeconds: String(p.stableSeconds) };
  });
  const [channelIds, setChannelIds] = useState<string[]>(rule?.channelIds ?? []);
  const [problems, setProblems] = useState<Problems>({});
  const done = {
    onSuccess: (r: { name: string }) => {
      toast({ tone: "ok", title: `${rule ? "Saved" : "Added"} rule ${r.name}` });
      void client.invalidateQueries({ queryKey: trpc.alerts.rules.queryKey() });
      onClose();
    },
    onError: (err: unknown) => setProblems(problemsOfServer(err) ?? {}),
  };
  const add = useMutation(trpc.alerts.addRule.mutationOptions(done));
  const update = useMutation(trpc.alerts.updateRule.mutationOptions(done));
  const error = add.error ?? update.error;
  const pending = add.isPending || update.isPending;
  const containerKind = kind.startsWith("container.");

  const submit = () => {
    const num = (v: string) => (v.trim() === "" ? Number.NaN : Number(v));
    const draft = {
      name,
      kind,
      severity,
      enabled,
      scope: { hostIds, groups: groupNames, name: containerKind ? namePattern : "", image: containerKind ? image : "", label: containerKind ? label : "" },
      params: Object.fromEntries(Object.entries(params).map(([k, v]) => [k, PARAMS_OF[kind].includes(k as keyof typeof DEFAULTS) ? num(v) : (rule?.params[k as keyof typeof DEFAULTS] ?? DEFAULTS[k as keyof typeof DEFAULTS])])),
      // A deleted channel's id would be refused: only those that exist are kept.
      channelIds: channelIds.filter((id) => !channels.data || channels.data.some((c) => c.id === id)),
    };
    const parsed = RuleInput.safeParse(draft);
    if (!parsed.success) return setProblems(problemsOfZod(parsed.error));
    setProblems({});
    if (rule) update.mutate({ id: rule.id, rule: parsed.data });
    else add.mutate(parsed.data);
  };
  const invalid = (key: string) => ({ "aria-invalid": problems[key]?.length ? true : undefined });
  const errs = (key: string) => problems[key] && <FieldErrors errors={problems[key]} />;
  const toggle = (list: string[], set: (v: string[]) => void, v: string) => set(list.includes(v) ? list.filter((x) => x !== v) : [...list, v]);
  const shownErrors = Object.keys(problems).length ? null : error;

  return (
    <Dialog open onClose={onClose} title={rule ? `Edit rule ${rule.name}` : "Add rule"}>
      <form
        className="space-y-4 text-sm"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Name" className="sm:col-span-2">
            {(id) => (
              <>
                <Input id={id} value={name} onChange={(e) => setName(e.target.value)} className="w-full" autoComplete="off" placeholder="Web containers crashing" {...invalid("name")} />
                {errs("name")}
              </>
            )}
          </Field>
          <Field label="When">
            {(id) => (
              <>
                <Select id={id} value={kind} onChange={(e) => setKind(e.target.value as RuleKind)} className="w-full" {...invalid("kind")}>
                  {RULE_KINDS.map((k) => (
                    <option key={k} value={k}>
                      {RULE_KIND_WORDS[k]}
                    </option>
                  ))}
                </Select>
                {errs("kind")}
              </>
            )}
          </Field>
          <Field label="Severity">
            {(id) => (
              <Select id={id} value={severity} onChange={(e) => setSeverity(e.target.value)} className="w-full">
                {SEVERITIES.map((s) => (
                  <option key={s} value={s}>
                    {s}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {PARAMS_OF[kind].map((p) => (
            <Field key={p} label={PARAM_WORDS[p].label} hint={PARAM_WORDS[p].hint}>
              {(id) => (
                <>
                  <Input id={id} type="number" inputMode="numeric" value={params[p]} onChange={(e) => setParams((s) => ({ ...s, [p]: e.target.value }))} className="w-32" {...invalid(`params.${p}`)} />
                  {errs(`params.${p}`)}
                </>
              )}
            </Field>
          ))}
        </div>

        <fieldset className="space-y-3 rounded-md border border-slate-200 p-3">
          <legend className="px-1 font-medium">Scope (empty matches everything)</legend>
          <div className="space-y-1">
            <span className="block text-sm font-medium">Hosts</span>
            <HostChecklist legend="Hosts" value={hostIds} onChange={setHostIds} />
          </div>
          {errs("scope.hostIds")}
          <CheckList
            legend="Host groups"
            empty="no host groups yet"
            items={(groups.data ?? []).map((g) => ({ value: g.name, label: g.name }))}
            extra={groupNames.filter((g) => !groups.data?.some((x) => x.name === g)).map((g) => ({ value: g, label: g }))}
            chosen={groupNames}
            onToggle={(v) => toggle(groupNames, setGroupNames, v)}
          />
          {errs("scope.groups")}
          {containerKind && (
            <div className="grid gap-3 sm:grid-cols-3">
              <Field label="Container name" hint="a glob: web-*, *-worker">
                {(id) => (
                  <>
                    <Input id={id} value={namePattern} onChange={(e) => setNamePattern(e.target.value)} className="w-full font-mono" autoComplete="off" {...invalid("scope.name")} />
                    {errs("scope.name")}
                  </>
                )}
              </Field>
              <Field label="Image" hint="a glob: registry.local/**">
                {(id) => (
                  <>
                    <Input id={id} value={image} onChange={(e) => setImage(e.target.value)} className="w-full font-mono" autoComplete="off" {...invalid("scope.image")} />
                    {errs("scope.image")}
                  </>
                )}
              </Field>
              <Field label="Label" hint="key, or key=glob">
                {(id) => (
                  <>
                    <Input id={id} value={label} onChange={(e) => setLabel(e.target.value)} className="w-full font-mono" autoComplete="off" {...invalid("scope.label")} />
                    {errs("scope.label")}
                  </>
                )}
              </Field>
            </div>
          )}
        </fieldset>

        <CheckList
          legend="Send to"
          empty="no channels yet: add one on the Channels tab (the rule still records alerts)"
          items={(channels.data ?? []).map((c) => ({ value: c.id, label: c.name }))}
          chosen={channelIds}
          onToggle={(v) => toggle(channelIds, setChannelIds, v)}
        />
        {errs("channelIds")}
        <label className="flex items-center gap-2">
          <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} /> Enabled
        </label>
        <ErrorNote error={shownErrors} />
        <div className="flex justify-end gap-2">
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={pending}>
            {pending ? "Saving…" : rule ? "Save" : "Add rule"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}

function CheckList({
  legend,
  empty,
  items,
  extra = [],
  chosen,
  onToggle,
}: {
  legend: string;
  empty: string;
  items: { value: string; label: string }[];
  extra?: { value: string; label: string }[];
  chosen: string[];
  onToggle: (value: string) => void;
}) {
  const all = [...items, ...extra];
  return (
    <fieldset>
      <legend className="mb-1 font-medium">{legend}</legend>
      {all.length === 0 ? (
        <p className="text-xs text-slate-500">{empty}</p>
      ) : (
        <div className="flex max-h-32 flex-wrap gap-x-4 gap-y-1 overflow-y-auto">
          {all.map((i) => (
            <label key={i.value} className="flex items-center gap-1.5">
              <input type="checkbox" checked={chosen.includes(i.value)} onChange={() => onToggle(i.value)} /> {i.label}
            </label>
          ))}
        </div>
      )}
    </fieldset>
  );
}
