"use client";

import { useState } from "react";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { type RouterOutputs, useTRPC } from "@/lib/trpc";
import { CHANNEL_KINDS, CHANNEL_KIND_WORDS, ChannelInput, type ChannelKind } from "../../../server/alerts/channel-kinds";
import { FieldErrors } from "../run-form-fields";
import { Badge, Button, Dialog, ErrorNote, Input, Select, toast } from "../ui";
import { Field } from "./field";
import { type Problems, problemsOfServer, problemsOfZod } from "./form-problems";

export type Channel = RouterOutputs["alerts"]["channels"][number];
type SecretField = "url" | "hmacKey" | "smtpPassword" | "ntfyToken";

/** Which secret fields each kind has, with their words. */
const SECRETS_OF: Record<ChannelKind, { field: SecretField; label: string; hint?: string; placeholder?: string }[]> = {
  webhook: [
    { field: "url", label: "URL", placeholder: "https://hooks.example.com/stevedore" },
    { field: "hmacKey", label: "HMAC key", hint: "signs each request (X-Stevedore-Signature); leave empty for none" },
  ],
  slack: [{ field: "url", label: "Incoming webhook URL", placeholder: "https://hooks.slack.com/services/…" }],
  discord: [{ field: "url", label: "Webhook URL", placeholder: "https://discord.com/api/webhooks/…" }],
  teams: [{ field: "url", label: "Workflow webhook URL", placeholder: "https://….logic.azure.com/…" }],
  email: [{ field: "smtpPassword", label: "SMTP password", hint: "needed when a user is given" }],
  ntfy: [
    { field: "url", label: "Topic URL", placeholder: "https://ntfy.sh/my-topic" },
    { field: "ntfyToken", label: "Access token", hint: "optional: sent as a bearer token" },
  ],
};

type Settings = Channel["settings"];
const DEFAULT_SETTINGS: Settings = { smtpHost: "", smtpPort: 587, smtpSecurity: "starttls", smtpUser: "", from: "", to: "", ntfyPriority: 3 };
const EMPTY_SECRETS: Record<SecretField, string> = { url: "", hmacKey: "", smtpPassword: "", ntfyToken: "" };

/**
 * Add or edit a channel. Secrets are write-only: a saved one shows only that it is set, with Replace
 * to type a new one (left empty, the stored one is kept). "Send test" sends the form as it is.
 */
export function ChannelDialog({ channel, onClose }: { channel: Channel | null; onClose: () => void }) {
  const trpc = useTRPC();
  const client = useQueryClient();
  const [name, setName] = useState(channel?.name ?? "");
  const [kind, setKind] = useState<ChannelKind>(channel?.kind ?? "webhook");
  const [settings, setSettings] = useState<Settings>(channel?.settings ?? DEFAULT_SETTINGS);
  const [port, setPort] = useState(String(channel?.settings.smtpPort ?? 587));
  const [secrets, setSecrets] = useState(EMPTY_SECRETS);
  /** Saved secrets the user chose to replace (their inputs shown). */
  const [replacing, setReplacing] = useState<SecretField[]>([]);
  const [problems, setProblems] = useState<Problems>({});
  const done = {
    onSuccess: (c: { name: string }) => {
      toast({ tone: "ok", title: `${channel ? "Saved" : "Added"} channel ${c.name}` });
      void client.invalidateQueries({ queryKey: trpc.alerts.channels.queryKey() });
      onClose();
    },
    onError: (err: unknown) => setProblems(problemsOfServer(err) ?? {}),
  };
  const add = useMutation(trpc.alerts.addChannel.mutationOptions(done));
  const update = useMutation(trpc.alerts.updateChannel.mutationOptions(done));
  const test = useMutation(trpc.alerts.testChannel.mutationOptions());
  const pending = add.isPending || update.isPending;

  const draft = () => {
    const parsed = ChannelInput.safeParse({ name, kind, settings: { ...settings, smtpPort: port.trim() === "" ? Number.NaN : Number(port) }, secrets });
    if (!parsed.success) {
      setProblems(problemsOfZod(parsed.error));
      return null;
    }
    setProblems({});
    return parsed.data;
  };
  const save = () => {
    const input = draft();
    if (!input) return;
    if (channel) update.mutate({ id: channel.id, channel: input });
    else add.mutate(input);
  };
  const sendTest = () => {
    const input = draft();
    if (input) test.mutate({ id: channel?.id, channel: input });
  };
  const edit = (f: () => void) => {
    f();
    test.reset();
  };
  const set = <K extends keyof Settings>(k: K, v: Settings[K]) => edit(() => setSettings((s) => ({ ...s, [k]: v })));
  const invalid = (key: string) => ({ "aria-invalid": problems[key]?.length ? true : undefined });
  const errs = (key: string) => problems[key] && <FieldErrors errors={problems[key]} />;
  const error = Object.keys(problems).length ? null : (add.error ?? update.error);

  return (
    <Dialog open onClose={onClose} title={channel ? `Edit channel ${channel.name}` : "Add channel"}>
      <form
        className="space-y-3 text-sm"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          save();
        }}
      >
        <div className="grid gap-3 sm:grid-cols-2">
          <Field label="Name">
            {(id) => (
              <>
                <Input id={id} value={name} onChange={(e) => edit(() => setName(e.target.value))} className="w-full" autoComplete="off" placeholder="On-call webhook" {...invalid("name")} />
                {errs("name")}
              </>
            )}
          </Field>
          <Field label="Kind" hint={channel ? "a saved channel keeps its kind: add a new channel for another" : undefined}>
            {(id) => (
              <Select id={id} value={kind} disabled={!!channel} onChange={(e) => edit(() => setKind(e.target.value as ChannelKind))} className="w-full">
                {CHANNEL_KINDS.map((k) => (
                  <option key={k} value={k}>
                    {CHANNEL_KIND_WORDS[k]}
                  </option>
                ))}
              </Select>
            )}
          </Field>
          {kind === "email" && (
            <>
              <Field label="SMTP server">
                {(id) => (
                  <>
                    <Input id={id} value={settings.smtpHost} onChange={(e) => set("smtpHost", e.target.value)} className="w-full font-mono" autoComplete="off" placeholder="smtp.example.com" {...invalid("settings.smtpHost")} />
                    {errs("settings.smtpHost")}
                  </>
                )}
              </Field>
              <Field label="Port">
                {(id) => (
                  <>
                    <Input id={id} type="number" inputMode="numeric" value={port} onChange={(e) => edit(() => setPort(e.target.value))} className="w-28" {...invalid("settings.smtpPort")} />
                    {errs("settings.smtpPort")}
                  </>
                )}
              </Field>
              <Field label="Security" hint="STARTTLS on 587, TLS from the start on 465; none only for a relay on loopback">
                {(id) => (
                  <Select id={id} value={settings.smtpSecurity} onChange={(e) => set("smtpSecurity", e.target.value as Settings["smtpSecurity"])} className="w-full">
                    <option value="starttls">STARTTLS</option>
                    <option value="tls">TLS</option>
                    <option value="none">None</option>
                  </Select>
                )}
              </Field>
              <Field label="SMTP user" hint="empty: no authentication">
                {(id) => (
                  <>
                    <Input id={id} value={settings.smtpUser} onChange={(e) => set("smtpUser", e.target.value)} className="w-full" autoComplete="off" {...invalid("settings.smtpUser")} />
                    {errs("settings.smtpUser")}
                  </>
                )}
              </Field>
              <Field label="From">
                {(id) => (
                  <>
                    <Input id={id} value={settings.from} onChange={(e) => set("from", e.target.value)} className="w-full" autoComplete="off" placeholder="stevedore@example.com" {...invalid("settings.from")} />
                    {errs("settings.from")}
                  </>
                )}
              </Field>
              <Field label="To" hint="one or more addresses, comma-separated">
                {(id) => (
                  <>
                    <Input id={id} value={settings.to} onChange={(e) => set("to", e.target.value)} className="w-full" autoComplete="off" placeholder="oncall@example.com" {...invalid("settings.to")} />
                    {errs("settings.to")}
                  </>
                )}
              </Field>
            </>
          )}
          {kind === "ntfy" && (
            <Field label="Priority" hint="1 (min) to 5 (max)">
              {(id) => (
                <Select id={id} value={settings.ntfyPriority} onChange={(e) => set("ntfyPriority", Number(e.target.value))} className="w-28">
                  {[1, 2, 3, 4, 5].map((p) => (
                    <option key={p} value={p}>
                      {p}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
          )}
          {SECRETS_OF[kind].map((s) => {
            const stored = channel?.kind === kind && channel.secretsSet[s.field];
            const open = !stored || replacing.includes(s.field);
            return (
              <Field key={s.field} label={s.label} hint={s.hint} plain={!open} className={s.field === "url" ? "sm:col-span-2" : ""}>
                {(id) => (
                  <>
                    {open ? (
                      <Input
                        id={id}
                        type="password"
                        value={secrets[s.field]}
                        onChange={(e) => edit(() => setSecrets((x) => ({ ...x, [s.field]: e.target.value })))}
                        className="w-full font-mono"
                        autoComplete="new-password"
                        placeholder={stored ? "type the new value; empty keeps the stored one" : s.placeholder}
                        {...invalid(`secrets.${s.field}`)}
                      />
                    ) : (
                      <div className="flex flex-wrap items-center gap-2" data-testid={`secret-${s.field}`}>
                        <Badge tone="green">set</Badge>
                        <span className="text-slate-600">stored encrypted, never shown</span>
                        <Button className="py-0.5 text-xs" onClick={() => setReplacing((r) => [...r, s.field])}>
                          Replace {s.label}
                        </Button>
                      </div>
                    )}
                    {errs(`secrets.${s.field}`)}
                  </>
                )}
              </Field>
            );
          })}
        </div>
        {channel?.destination && <p className="text-xs text-slate-500">Sends to {channel.destination}.</p>}
        {test.data && (
          <p role="status" data-testid="test-outcome" className={`rounded-md border px-3 py-2 ${test.data.ok ? "border-emerald-200 bg-emerald-50 text-emerald-900" : "border-red-200 bg-red-50 text-red-800"}`}>
            {test.data.ok
              ? `Test delivered${test.data.status ? `: the receiver answered ${test.data.status}` : ": the mail server accepted it"}.`
              : `Test failed${test.data.status ? ` (${test.data.status})` : ""}: ${test.data.error}`}
          </p>
        )}
        <ErrorNote error={test.error ?? error} />
        <div className="flex flex-wrap justify-end gap-2">
          <Button disabled={test.isPending} onClick={sendTest}>
            {test.isPending ? "Sending…" : "Send test"}
          </Button>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="primary" disabled={pending}>
            {pending ? "Saving…" : channel ? "Save" : "Add channel"}
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
