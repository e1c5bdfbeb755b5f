"use client";

import { useState } from "react";
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { inferRouterOutputs } from "@trpc/server";
import type { AppRouter } from "../../server/trpc/root";
import { useTRPC } from "@/lib/trpc";
import { Button, Card, ConfirmDialog, ErrorNote, Input, Select, Spinner, toast } from "./ui";

type SsoView = inferRouterOutputs<AppRouter>["sso"]["get"];
type Policy = SsoView["policy"];
type Provider = SsoView["providers"][number];
type Rule = Policy["rules"][number];

const FLEET_ROLES = ["viewer", "operator", "admin"] as const;
const GRANT_ROLES = ["viewer", "logs", "operator", "terminal"] as const;

/** Single sign-on (OIDC): providers, who is created on first sign-in, the group mapping, password sign-in. Admins only. */
export function SsoSettings() {
  const trpc = useTRPC();
  const view = useQuery(trpc.sso.get.queryOptions());
  if (view.isPending) return <Spinner label="Loading single sign-on…" />;
  if (view.error) return <ErrorNote error={view.error} />;
  return (
    <>
      <SsoProviders view={view.data} />
      <SsoPolicyForm key={JSON.stringify(view.data.policy)} saved={view.data.policy} />
    </>
  );
}

function useInvalidate() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  return () => queryClient.invalidateQueries({ queryKey: trpc.sso.get.queryKey() });
}

function SsoProviders({ view }: { view: SsoView }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const [editing, setEditing] = useState<Provider | "new" | null>(null);
  const [removing, setRemoving] = useState<Provider | null>(null);
  const remove = useMutation(
    trpc.sso.removeProvider.mutationOptions({
      onSuccess: (r) => {
        toast({ tone: "ok", title: `Provider ${r.id} removed`, details: ["Its button is gone from the sign-in page; accounts linked to it stay."] });
        setRemoving(null);
        return invalidate();
      },
    }),
  );
  return (
    <Card title="Single sign-on providers" actions={<Button onClick={() => setEditing("new")}>Add provider</Button>}>
      <div className="space-y-3 p-4 text-sm">
        <p className="text-slate-600">
          Register Stevedore with your OpenID provider using the redirect URI <code className="break-all">{view.redirectUriBase}/&lt;provider id&gt;</code>. See docs/SSO.md for Keycloak, Authentik, Entra ID, Google and GitHub.
        </p>
        {view.envProvider && (
          <div className="rounded border border-slate-200 p-3">
            <div className="font-medium">
              {view.envProvider.name} <span className="font-normal text-slate-500">({view.envProvider.id}, from OIDC_* in the environment)</span>
            </div>
            <div className="break-all text-xs text-slate-500">{view.envProvider.issuer}</div>
          </div>
        )}
        {view.providers.length === 0 && !view.envProvider && <p className="text-slate-500">No provider yet: only passwords sign in.</p>}
        <ul className="space-y-2">
          {view.providers.map((p) => (
            <li key={p.id} className="flex flex-wrap items-center gap-2 rounded border border-slate-200 p-3">
              <div className="min-w-0 flex-1">
                <div className="font-medium">
                  {p.name} <span className="font-normal text-slate-500">({p.id})</span>
                </div>
                <div className="break-all text-xs text-slate-500">
                  {p.issuer} · client {p.clientId} · {p.hasSecret ? "secret set" : "no secret"} · groups from “{p.groupsClaim}”
                </div>
              </div>
              <Button onClick={() => setEditing(p)}>Edit</Button>
              <Button variant="danger" onClick={() => setRemoving(p)}>
                Remove
              </Button>
            </li>
          ))}
        </ul>
        <ErrorNote error={remove.error} />
      </div>
      {editing && <ProviderForm provider={editing === "new" ? null : editing} onDone={() => setEditing(null)} />}
      <ConfirmDialog open={removing !== null} onClose={() => setRemoving(null)} onConfirm={() => removing && remove.mutate({ id: removing.id })} title="Remove provider" confirmLabel={remove.isPending ? "Removing…" : "Remove"}>
        <p>
          Remove <strong>{removing?.name}</strong> ({removing?.id})? Its users can no longer sign in with it.
        </p>
      </ConfirmDialog>
    </Card>
  );
}

function ProviderForm({ provider, onDone }: { provider: Provider | null; onDone: () => void }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const [v, setV] = useState({
    id: provider?.id ?? "",
    name: provider?.name ?? "",
    issuer: provider?.issuer ?? "",
    clientId: provider?.clientId ?? "",
    scopes: (provider?.scopes ?? ["openid", "profile", "email"]).join(" "),
    groupsClaim: provider?.groupsClaim ?? "groups",
    clientSecret: "",
  });
  const save = useMutation(
    trpc.sso.saveProvider.mutationOptions({
      onSuccess: (r) => {
        toast({ tone: "ok", title: `Provider ${r.id} saved`, details: [r.hasSecret ? "The client secret is stored encrypted." : "No client secret (a public client)."] });
        onDone();
        return invalidate();
      },
    }),
  );
  const field = (key: keyof typeof v, label: string, hint?: string, props: Record<string, unknown> = {}) => (
    <label className="block space-y-1">
      <span className="block font-medium">{label}</span>
      <Input value={v[key]} onChange={(e) => setV({ ...v, [key]: e.target.value })} className="w-full" {...props} />
      {hint && <span className="block text-xs text-slate-500">{hint}</span>}
    </label>
  );
  return (
    <form
      className="space-y-3 border-t border-slate-200 p-4 text-sm"
      aria-label={provider ? `Edit ${provider.name}` : "New provider"}
      onSubmit={(e) => {
        e.preventDefault();
        save.mutate({
          id: v.id,
          name: v.name,
          issuer: v.issuer,
          clientId: v.clientId,
          scopes: v.scopes.split(/[\s,]+/).filter(Boolean),
          groupsClaim: v.groupsClaim,
          // Left empty when editing: the stored secret stays.
          clientSecret: provider && v.clientSecret === "" ? undefined : v.clientSecret,
        });
      }}
    >
      <div className="grid gap-3 sm:grid-cols-2">
        {field("id", "Provider id", "Part of the redirect URI; cannot change later.", { readOnly: provider !== null, required: true })}
        {field("name", "Display name", "The button says “Sign in with <name>”.", { required: true })}
        {field("issuer", "Issuer URL", "Discovery is read from <issuer>/.well-known/openid-configuration.", { required: true, type: "url" })}
        {field("clientId", "Client id", undefined, { required: true, autoComplete: "off" })}
        {field("clientSecret", "Client secret", provider?.hasSecret ? "Stored encrypted; leave empty to keep it." : "Stored encrypted, never shown again.", { type: "password", autoComplete: "new-password" })}
        {field("scopes", "Scopes", "Separated by spaces.")}
        {field("groupsClaim", "Groups claim", "The claim that lists the user's groups (groups, roles, …).")}
      </div>
      <ErrorNote error={save.error} />
      <div className="flex gap-2">
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save provider"}
        </Button>
        <Button onClick={onDone}>Cancel</Button>
      </div>
    </form>
  );
}

function SsoPolicyForm({ saved }: { saved: Policy }) {
  const trpc = useTRPC();
  const invalidate = useInvalidate();
  const [v, setV] = useState(saved);
  const [domains, setDomains] = useState(saved.allowedDomains.join(", "));
  const save = useMutation(
    trpc.sso.setPolicy.mutationOptions({
      onSuccess: (p) => {
        toast({ tone: "ok", title: "Single sign-on policy saved", details: [p.passwordSignIn ? "Passwords still sign in." : `Only ${p.breakGlassEmail} signs in with a password.`] });
        return invalidate();
      },
    }),
  );
  const setRule = (i: number, rule: Rule) => setV({ ...v, rules: v.rules.map((r, j) => (j === i ? rule : r)) });
  return (
    <Card title="Single sign-on policy">
      <form
        className="space-y-3 p-4 text-sm"
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate({ ...v, allowedDomains: domains.split(/[\s,]+/).filter(Boolean) });
        }}
      >
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-1" checked={v.allowSignUp} onChange={(e) => setV({ ...v, allowSignUp: e.target.checked })} />
          <span>
            Create accounts on first sign-in
            <span className="block text-xs text-slate-500">Only for a verified email in one of the domains below. An existing account is linked only when the provider says the email is verified.</span>
          </span>
        </label>
        <label className="block space-y-1">
          <span className="block font-medium">Allowed email domains</span>
          <Input value={domains} onChange={(e) => setDomains(e.target.value)} placeholder="example.com, example.org" className="w-full" />
        </label>
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-1" checked={v.mapGroups} onChange={(e) => setV({ ...v, mapGroups: e.target.checked })} />
          <span>
            Set role and grants from IdP groups at every sign-in
            <span className="block text-xs text-slate-500">What no rule gives is removed, so leaving an IdP group takes its access away at the next sign-in. The break-glass account is never changed.</span>
          </span>
        </label>
        <label className="block space-y-1">
          <span className="block font-medium">Role when no fleet-wide rule matches</span>
          <Select value={v.defaultRole} onChange={(e) => setV({ ...v, defaultRole: e.target.value as Policy["defaultRole"] })}>
            {["none", ...FLEET_ROLES].map((r) => (
              <option key={r}>{r}</option>
            ))}
          </Select>
        </label>
        <fieldset className="space-y-2">
          <legend className="font-medium">Rules</legend>
          {v.rules.length === 0 && <p className="text-xs text-slate-500">No rules: everyone gets the role above and no grants.</p>}
          {v.rules.map((rule, i) => (
            <div key={i} className="flex flex-wrap items-center gap-2">
              <span>IdP group</span>
              <Input aria-label={`Rule ${i + 1} IdP group`} value={rule.idpGroup} onChange={(e) => setRule(i, { ...rule, idpGroup: e.target.value })} className="w-40" />
              <span>→</span>
              <Select aria-label={`Rule ${i + 1} role`} value={rule.role} onChange={(e) => setRule(i, { ...rule, role: e.target.value })}>
                {(rule.hostGroup === null ? FLEET_ROLES : GRANT_ROLES).map((r) => (
                  <option key={r}>{r}</option>
                ))}
              </Select>
              <span>on</span>
              <Input
                aria-label={`Rule ${i + 1} host group`}
                value={rule.hostGroup ?? ""}
                placeholder="the whole fleet"
                onChange={(e) => {
                  const hostGroup = e.target.value === "" ? null : e.target.value;
                  const roles: readonly string[] = hostGroup === null ? FLEET_ROLES : GRANT_ROLES;
                  setRule(i, { ...rule, hostGroup, role: roles.includes(rule.role) ? rule.role : "viewer" });
                }}
                className="w-36"
              />
              <Button onClick={() => setV({ ...v, rules: v.rules.filter((_, j) => j !== i) })} aria-label={`Remove rule ${i + 1}`}>
                Remove
              </Button>
            </div>
          ))}
          <Button onClick={() => setV({ ...v, rules: [...v.rules, { idpGroup: "", hostGroup: null, role: "viewer" }] })}>Add rule</Button>
        </fieldset>
        <label className="flex items-start gap-2">
          <input type="checkbox" className="mt-1" checked={v.passwordSignIn} onChange={(e) => setV({ ...v, passwordSignIn: e.target.checked })} />
          <span>
            Password sign-in for everyone
            <span className="block text-xs text-slate-500">Off: only the break-glass admin below signs in with a password.</span>
          </span>
        </label>
        <label className="block space-y-1">
          <span className="block font-medium">Break-glass admin (email)</span>
          <Input type="email" value={v.breakGlassEmail ?? ""} onChange={(e) => setV({ ...v, breakGlassEmail: e.target.value.trim() === "" ? null : e.target.value })} className="w-72" />
        </label>
        <ErrorNote error={save.error} />
        <Button type="submit" variant="primary" disabled={save.isPending}>
          {save.isPending ? "Saving…" : "Save policy"}
        </Button>
      </form>
    </Card>
  );
}
