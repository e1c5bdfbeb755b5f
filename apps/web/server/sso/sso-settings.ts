import { z } from "zod";
import { GrantGroup } from "../access/grants";
import { GRANT_ROLES, ROLES } from "../access/roles";

/**
 * Single sign-on (OIDC) as admins set it in Settings: the providers (client secrets sealed), who may
 * be created on first sign-in, how an IdP claim maps to roles and grants, and whether passwords
 * still sign in. Stored as one settings row (settings.ts), so every replica reads the same.
 */

/** Part of the redirect URI (/api/auth/callback/<id>): short, lower case, URL-safe. */
export const ProviderId = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9][a-z0-9-]{0,31}$/, "a provider id is 1–32 lower-case letters, digits or dashes, starting with a letter or digit (it is part of the redirect URI)");

export const ClaimName = z
  .string()
  .trim()
  .regex(/^[A-Za-z0-9_.:/-]{1,100}$/, "a claim name is 1–100 letters, digits or _ . : / -");

const Scope = z.string().trim().regex(/^[\x21\x23-\x5B\x5D-\x7E]{1,100}$/, "a scope is 1–100 printable characters without spaces or quotes");

export const Issuer = z
  .url({ protocol: /^https?$/, error: "the issuer is the provider's http(s):// URL (its discovery document is at <issuer>/.well-known/openid-configuration)" })
  .max(2048, "the issuer URL is too long")
  .transform((v) => v.replace(/\/$/, ""));

export const DEFAULT_SCOPES = ["openid", "profile", "email"];

/** What an admin enters for a provider; the secret in clear only on its way in. */
export const ProviderFields = z.object({
  id: ProviderId,
  name: z.string().trim().min(1, "a display name is required").max(60, "a display name may have at most 60 characters"),
  issuer: Issuer,
  clientId: z.string().trim().min(1, "a client id is required").max(512, "the client id is too long"),
  scopes: z.array(Scope).min(1).max(20, "at most 20 scopes").default(DEFAULT_SCOPES),
  /** The claim (in the ID token or userinfo) listing the user's groups. */
  groupsClaim: ClaimName.default("groups"),
});

/** A provider as stored: the client secret sealed with SECRETS_KEY (SecretBox), bound to the provider's id. */
export const StoredProvider = ProviderFields.extend({ sealedSecret: z.string().max(8192).nullable() });
export type StoredProvider = z.infer<typeof StoredProvider>;

/** Fleet roles a rule can give (none is the absence of one) and grant roles on a host group. */
const RULE_ROLES = [...new Set([...ROLES.filter((r) => r !== "none"), ...GRANT_ROLES])] as [string, ...string[]];

/**
 * "IdP group platform → operator on prod": `hostGroup` null gives a fleet-wide role (viewer,
 * operator, admin); a host group (or * for every host) gives a grant (viewer, logs, operator, terminal).
 */
export const MappingRule = z
  .object({
    idpGroup: z.string().trim().min(1, "name the IdP group").max(256, "an IdP group name may have at most 256 characters"),
    hostGroup: GrantGroup.nullable(),
    role: z.enum(RULE_ROLES),
  })
  .superRefine((rule, ctx) => {
    if (rule.hostGroup === null && !(ROLES as readonly string[]).includes(rule.role)) {
      ctx.addIssue({ code: "custom", path: ["role"], message: `a fleet-wide rule gives one of ${ROLES.filter((r) => r !== "none").join(", ")}` });
    }
    if (rule.hostGroup !== null && !(GRANT_ROLES as readonly string[]).includes(rule.role)) {
      ctx.addIssue({ code: "custom", path: ["role"], message: `a rule on a host group gives one of ${GRANT_ROLES.join(", ")} (admin is fleet-wide only)` });
    }
  });
export type MappingRule = z.infer<typeof MappingRule>;

const Domain = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, "a domain looks like example.com");

/** The policy part, the same for every provider (env or Settings). */
export const SsoPolicy = z.object({
  /** Just-in-time creation: a first sign-in with a verified email in an allowed domain makes the account. */
  allowSignUp: z.boolean().default(false),
  /** Email domains whose users may be created on first sign-in; empty refuses every creation. */
  allowedDomains: z.array(Domain).max(50, "at most 50 domains").default([]),
  /** When on, every SSO sign-in sets the user's role and grants from the rules (and removes what no rule gives). */
  mapGroups: z.boolean().default(false),
  /** The role of a user no fleet-wide rule matches (and of users created on first sign-in). */
  defaultRole: z.enum(ROLES).default("none"),
  rules: z.array(MappingRule).max(200, "at most 200 rules").default([]),
  /** Off: only the break-glass admin signs in with a password; everyone else through a provider. */
  passwordSignIn: z.boolean().default(true),
  /** The one account that keeps password sign-in (an admin), and that the mapping never changes. */
  breakGlassEmail: z.string().trim().toLowerCase().pipe(z.email("the break-glass account is an email address").max(254)).nullable().default(null),
});
export type SsoPolicy = z.infer<typeof SsoPolicy>;

export const SsoSettings = SsoPolicy.extend({ providers: z.array(StoredProvider).max(10, "at most 10 providers").default([]) });
export type SsoSettings = z.infer<typeof SsoSettings>;

/** The context a provider's client secret is sealed under: a sealed value moved to another provider does not open. */
export const secretContext = (providerId: string) => `sso-provider:${providerId}`;
