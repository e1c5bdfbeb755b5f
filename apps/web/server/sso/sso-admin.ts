import { z } from "zod";
import { asRole, isDisabled } from "../access/roles";
import type { Actor } from "../audit/audit-log";
import { recordAction } from "../audit/audited";
import { DomainError } from "../domain-error";
import { SecretBox } from "../registries/secret-box";
import type { Services } from "../services";
import { ProviderFields, ProviderId, SsoPolicy, type SsoSettings, type StoredProvider, secretContext } from "./sso-settings";

/** Left out: the stored secret stays. An empty string: the provider is a public client (no secret). */
export const SaveProviderInput = ProviderFields.extend({ clientSecret: z.string().max(4096, "the client secret is too long").optional() });
export const RemoveProviderInput = z.object({ id: ProviderId });

type Deps = Pick<Services, "config" | "db" | "audit" | "settings" | "sso">;

/** What the Settings page shows: no client secret ever leaves the server, only whether one is set. */
export async function ssoView(deps: Deps) {
  const sso = await deps.settings.get("sso");
  const { providers, ...policy } = sso;
  const env = deps.config.oidc;
  return {
    policy,
    providers: providers.map(({ sealedSecret, ...p }) => ({ ...p, hasSecret: sealedSecret !== null })),
    envProvider: env ? { id: env.id, name: env.name, issuer: env.issuer, clientId: env.clientId, scopes: env.scopes, groupsClaim: env.groupsClaim, hasSecret: env.clientSecret !== undefined } : null,
    /** Registered with the provider: <this>/<provider id>. */
    redirectUriBase: `${deps.config.publicUrl}/api/auth/callback`,
  };
}

async function save(deps: Deps, sso: SsoSettings, userId: string): Promise<void> {
  await deps.settings.set("sso", sso, userId);
  deps.sso.changed();
}

/** Turning password sign-in off needs a break-glass account that is an enabled admin (or nobody could fix SSO). */
export async function setSsoPolicy(deps: Deps, actor: Actor, userId: string, input: z.infer<typeof SsoPolicy>) {
  if (!input.passwordSignIn) {
    if (!input.breakGlassEmail) throw new DomainError("bad_request", "to turn password sign-in off, name the break-glass admin who keeps it");
    const admin = await deps.db.user.findUnique({ where: { email: input.breakGlassEmail } });
    if (!admin || asRole(admin.role) !== "admin" || isDisabled(admin)) throw new DomainError("bad_request", `the break-glass account ${input.breakGlassEmail} must be an enabled admin`);
  }
  const current = await deps.settings.get("sso");
  const { providers, ...from } = current;
  await save(deps, { ...input, providers }, userId);
  await recordAction(deps.audit, { action: "settings.sso", actor, targetType: "settings", targetName: "single sign-on", params: { from, to: input } });
  return input;
}

export async function saveSsoProvider(deps: Deps, actor: Actor, userId: string, input: z.infer<typeof SaveProviderInput>) {
  if (deps.config.oidc?.id === input.id) throw new DomainError("conflict", `the provider ${input.id} is set by OIDC_* in the environment; change it there`);
  const current = await deps.settings.get("sso");
  const existing = current.providers.find((p) => p.id === input.id);
  if (!existing && current.providers.length >= 10) throw new DomainError("bad_request", "at most 10 providers");
  const { clientSecret, ...fields } = input;
  const box = new SecretBox(deps.config.secretsKey);
  const sealedSecret =
    clientSecret === undefined ? (existing?.sealedSecret ?? null)
    : clientSecret === "" ? null
    : box.seal(clientSecret, secretContext(input.id));
  const stored: StoredProvider = { ...fields, sealedSecret };
  const providers = existing ? current.providers.map((p) => (p.id === input.id ? stored : p)) : [...current.providers, stored];
  await save(deps, { ...current, providers }, userId);
  const secret = clientSecret === undefined ? "kept" : clientSecret === "" ? "none" : "set";
  await recordAction(deps.audit, { action: "settings.sso", actor, targetType: "sso-provider", targetId: input.id, targetName: input.name, params: { change: existing ? "update" : "add", provider: fields, clientSecret: secret } });
  return { id: input.id, hasSecret: sealedSecret !== null };
}

export async function removeSsoProvider(deps: Deps, actor: Actor, userId: string, id: string) {
  const current = await deps.settings.get("sso");
  const existing = current.providers.find((p) => p.id === id);
  if (!existing) throw new DomainError("not_found", `no provider ${id} in Settings`);
  await save(deps, { ...current, providers: current.providers.filter((p) => p.id !== id) }, userId);
  await recordAction(deps.audit, { action: "settings.sso", actor, targetType: "sso-provider", targetId: id, targetName: existing.name, params: { change: "remove" } });
  return { id };
}
