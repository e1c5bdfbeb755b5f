import type http from "node:http";
import { betterAuth } from "better-auth";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { toNodeHandler } from "better-auth/node";
import { type GenericOAuthConfig, genericOAuth } from "better-auth/plugins/generic-oauth";
import { newId } from "../agents/secrets";
import type { Actor, AuditLog } from "../audit/audit-log";
import { recordAction } from "../audit/audited";
import { adminPlugin, sharedAuthOptions } from "../auth";
import { CLIENT_IP_HEADER } from "../client-address";
import type { Bus } from "../cluster/bus";
import type { ServerConfig } from "../config";
import type { Db } from "../db";
import type { Logger } from "../logger";
import { SecretBox } from "../registries/secret-box";
import type { Settings } from "../settings";
import { applyGroupMapping, claimGroups } from "./group-mapping";
import { type SsoSettings, secretContext } from "./sso-settings";

/** Replicas tell each other on this channel that the SSO settings changed. */
export const SSO_CHANNEL = "sso-settings";

/** The better-auth endpoints single sign-on uses: start (sign-in/social) and the provider's redirect back. */
export function isSsoAuthPath(pathname: string): boolean {
  return pathname === "/api/auth/sign-in/social" || /^\/api\/auth\/callback\/[a-z0-9-]{1,32}$/.test(pathname);
}

export interface SsoProviderSummary {
  id: string;
  name: string;
  /** From OIDC_* in the environment: shown, not editable in Settings. */
  fromEnv: boolean;
}

interface ResolvedProvider {
  id: string;
  name: string;
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  scopes: string[];
  groupsClaim: string;
  fromEnv: boolean;
}

/** What the provider said about the user, kept from validateUserInfo until the session is created (same request). */
interface PendingSignIn {
  providerId: string;
  profile: Record<string, unknown>;
  created: boolean;
}

interface Built {
  handler: (req: http.IncomingMessage, res: http.ServerResponse) => Promise<void>;
}

export interface SsoDeps {
  config: ServerConfig;
  db: Db;
  bus: Bus;
  audit: AuditLog;
  settings: Settings;
  log: Logger;
}

/**
 * OIDC sign-in through better-auth's generic-oauth plugin (discovery, PKCE, state and nonce are
 * its own). That plugin's providers are fixed when an auth instance is made, and admins change them
 * in Settings, so SSO runs on a second better-auth instance of its own, rebuilt from the settings
 * when they change (here at once; on other replicas when the bus tells them, SSO_CHANNEL). It shares
 * the database, secret and cookie names with the main instance (sharedAuthOptions), so the session it
 * creates is an ordinary session there; everything else (password sign-in, sessions, the admin API)
 * stays on the main instance, which never needs rebuilding. A flow started before a rebuild still
 * completes: its state is in the database and its cookie is signed with the same secret.
 */
export class SsoSignIn {
  private built: Promise<Built> | null = null;
  private readonly box: SecretBox;
  private readonly pending = new WeakMap<object, PendingSignIn>();

  constructor(private readonly deps: SsoDeps) {
    this.box = new SecretBox(deps.config.secretsKey);
  }

  async start(): Promise<void> {
    await this.deps.bus.subscribe(SSO_CHANNEL, () => {
      this.built = null;
    });
  }

  /** The settings changed on this replica: the next request builds anew, and so do the others'. */
  changed(): void {
    this.built = null;
    this.deps.bus.publish(SSO_CHANNEL, { at: Date.now() });
  }

  async providers(): Promise<SsoProviderSummary[]> {
    return this.resolve(await this.deps.settings.get("sso")).map((p) => ({ id: p.id, name: p.name, fromEnv: p.fromEnv }));
  }

  /** Password sign-in: on unless SSO turned it off, and always for the break-glass admin. */
  async passwordSignInAllowed(email: string): Promise<boolean> {
    const sso = await this.deps.settings.get("sso");
    return sso.passwordSignIn || (sso.breakGlassEmail !== null && email.toLowerCase() === sso.breakGlassEmail);
  }

  async handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    this.built ??= this.build().catch((err: unknown) => {
      this.built = null;
      throw err;
    });
    return (await this.built).handler(req, res);
  }

  /** The env provider and the stored ones, secrets opened (a stored one with the same id as the env's is left out). */
  private resolve(sso: SsoSettings): ResolvedProvider[] {
    const env = this.deps.config.oidc;
    const out: ResolvedProvider[] = env ? [{ ...env, fromEnv: true }] : [];
    for (const p of sso.providers) {
      if (out.some((o) => o.id === p.id)) continue;
      let clientSecret: string | undefined;
      try {
        clientSecret = p.sealedSecret ? this.box.open(p.sealedSecret, secretContext(p.id)) : undefined;
      } catch {
        // Sealed under another SECRETS_KEY: the provider is left out rather than used without its secret.
        this.deps.log.error({ provider: p.id }, "sso: the provider's client secret does not open with this SECRETS_KEY; provider skipped");
        continue;
      }
      out.push({ id: p.id, name: p.name, issuer: p.issuer, clientId: p.clientId, clientSecret, scopes: p.scopes, groupsClaim: p.groupsClaim, fromEnv: false });
    }
    return out;
  }

  private async build(): Promise<Built> {
    const { config, db, bus, audit } = this.deps;
    const sso = await this.deps.settings.get("sso");
    const providers = this.resolve(sso);
    const oauthConfigs: GenericOAuthConfig[] = providers.map((p) => ({
      providerId: p.id,
      name: p.name,
      discoveryUrl: `${p.issuer}/.well-known/openid-configuration`,
      // The ID token must verify against the provider's keys (and carry our nonce), or no sign-in.
      requireIdTokenVerification: true,
      pkce: true,
      clientId: p.clientId,
      clientSecret: p.clientSecret,
      scopes: p.scopes,
    }));
    const groupsClaimOf = new Map(providers.map((p) => [p.id, p.groupsClaim]));

    const validateUserInfo = async (data: { user: Record<string, unknown>; source: { action: string; method: string; oauth?: { providerId: string; profile?: Record<string, unknown> } } }, ctx: { request?: Request }) => {
      if (data.source.method !== "oauth" || !data.source.oauth) return;
      const email = String(data.user.email ?? "").toLowerCase();
      if (data.source.action === "create-user") {
        if (!sso.allowSignUp) return { error: "signup_disabled", errorDescription: "There is no Stevedore account for this email, and accounts are not created on first sign-in. Ask an admin." };
        if (data.user.emailVerified !== true) return { error: "email_not_verified", errorDescription: "Your provider did not confirm this email address is verified." };
        const domain = email.split("@")[1] ?? "";
        if (!sso.allowedDomains.includes(domain)) return { error: "domain_not_allowed", errorDescription: `Accounts for @${domain} are not created here. Ask an admin.` };
      }
      // Keyed by the request: the session hook of the same callback reads it (the groups claim).
      if (ctx.request) this.pending.set(ctx.request, { providerId: data.source.oauth.providerId, profile: data.source.oauth.profile ?? {}, created: data.source.action === "create-user" });
    };

    const onSessionCreate = async (session: { userId: string }, ctx: { request?: Request; path?: string; headers?: Headers } | null) => {
      const signIn = ctx?.request ? this.pending.get(ctx.request) : undefined;
      if (!signIn) {
        // Fail closed: a session from the callback without what the provider said would skip the mapping.
        if (ctx?.path?.startsWith("/callback")) throw new APIError("FORBIDDEN", { code: "sso_profile_missing", message: "Sign-in could not read what your provider said about you." });
        return;
      }
      const user = await db.user.findUniqueOrThrow({ where: { id: session.userId }, select: { id: true, email: true, role: true } });
      const actor: Actor = { type: "user", id: user.id, name: user.email, ip: ctx?.headers?.get(CLIENT_IP_HEADER) ?? null, userAgent: ctx?.headers?.get("user-agent") ?? null };
      if (signIn.created) {
        await recordAction(audit, { action: "user.create", actor, targetType: "user", targetId: user.id, targetName: user.email, params: { via: "sso", provider: signIn.providerId, role: user.role } });
      }
      const groups = claimGroups(signIn.profile, groupsClaimOf.get(signIn.providerId) ?? "groups");
      await applyGroupMapping({ db, audit }, sso, user, groups, signIn.providerId, actor);
    };

    /** Each SSO sign-in is audited like a password one: succeeded, or failed with the code it ended on. */
    const after = createAuthMiddleware(async (ctx) => {
      if (!ctx.path.startsWith("/callback")) return;
      const client = { ip: ctx.headers?.get(CLIENT_IP_HEADER) ?? null, userAgent: ctx.headers?.get("user-agent") ?? null };
      const provider = String(ctx.params?.id ?? "").slice(0, 32);
      const signedIn = ctx.context.newSession;
      if (signedIn) {
        await audit.append({ requestId: newId("req"), phase: "succeeded", action: "auth.sign-in", actor: { type: "user", id: signedIn.user.id, name: signedIn.user.email, ...client }, targetType: "user", targetId: signedIn.user.id, targetName: signedIn.user.email, params: { method: "sso", provider } });
        return;
      }
      const returned: unknown = ctx.context.returned;
      const location = returned instanceof APIError && returned.headers ? new Headers(returned.headers).get("location") : null;
      const code = location ? (new URL(location, config.publicUrl).searchParams.get("error") ?? "unknown") : "unknown";
      await audit.append({ requestId: newId("req"), phase: "failed", action: "auth.sign-in", actor: { type: "user", id: null, name: `(${provider || "sso"})`, ...client }, targetType: "user", params: { method: "sso", provider }, error: code.slice(0, 100) });
    });

    const shared = sharedAuthOptions(config, db, bus);
    const auth = betterAuth({
      ...shared,
      // Starting a sign-in counts like a password attempt (SIGNIN_RATE_LIMIT), not better-auth's 3 per 10 s.
      rateLimit: { ...shared.rateLimit, customRules: { ...shared.rateLimit.customRules, "/sign-in/social": { window: config.signInRateLimit.windowSeconds, max: config.signInRateLimit.max } } },
      emailAndPassword: { enabled: false },
      // An existing account is linked only when the provider says the email is verified (email_verified);
      // no provider is trusted without it. Accounts admins made have no verified flag of their own.
      // The IdP's access and refresh tokens are kept encrypted (with AUTH_SECRET); Stevedore does not use them after sign-in.
      account: { accountLinking: { enabled: true, trustedProviders: [], requireLocalEmailVerified: false }, encryptOAuthTokens: true },
      user: { validateUserInfo: validateUserInfo as never },
      databaseHooks: { session: { create: { before: onSessionCreate as never } } },
      // Errors end on the sign-in page, which says in words what went wrong (?error=<code>).
      onAPIError: { errorURL: `${config.publicUrl}/login` },
      hooks: { after },
      plugins: [adminPlugin(sso.defaultRole), genericOAuth({ config: oauthConfigs })],
    });
    return { handler: toNodeHandler(auth) };
  }
}
