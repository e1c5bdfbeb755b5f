import crypto from "node:crypto";
import type { IncomingHttpHeaders, ServerResponse } from "node:http";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { fromNodeHeaders } from "better-auth/node";
import { admin } from "better-auth/plugins/admin";
import { twoFactor } from "better-auth/plugins/two-factor";
import { defaultAc } from "better-auth/plugins/admin/access";
import { loadGrants } from "./access/grants";
import { type Grant, type Role, asRole } from "./access/roles";
import { CLIENT_IP_HEADER } from "./client-address";
import type { AuditLog } from "./audit/audit-log";
import { type PasswordSignInPolicy, createAuthHooks } from "./auth-hooks";
import type { Bus } from "./cluster/bus";
import type { ServerConfig } from "./config";
import { type Db, dbProvider } from "./db";
import type { Logger } from "./logger";
import { secondFactors } from "./two-factor/factor-plugin";

// Impersonation is left out on purpose: it would let an admin act as someone else in the audit trail.
const adminRole = defaultAc.newRole({
  user: ["create", "list", "set-role", "ban", "delete", "set-password", "set-email", "get", "update"],
  session: ["list", "revoke", "delete"],
});
const memberRole = defaultAc.newRole({ user: [], session: [] });

/**
 * What every better-auth instance of the control plane shares: the database, the cookie secret and
 * names, session lifetimes, client addresses and rate limits. The SSO instance (sso/sso-sign-in.ts)
 * is built from these too, so a session it creates is one this instance reads.
 */
export function sharedAuthOptions(config: ServerConfig, db: Db, bus: Bus) {
  const secure = config.publicUrl.startsWith("https:");
  const idleSeconds = Math.round(config.sessionIdleMs / 1000);
  return {
    appName: "Stevedore",
    baseURL: config.publicUrl,
    secret: config.authSecret,
    trustedOrigins: [config.publicUrl],
    database: prismaAdapter(db, { provider: dbProvider(db) }),
    // Idle: a session expires SESSION_IDLE_HOURS after its last use, renewed at most every hour (or
    // every quarter of the idle time, when that is shorter). Absolute: auth-hooks.ts refuses one
    // older than SESSION_MAX_HOURS, however active.
    session: { expiresIn: idleSeconds, updateAge: Math.min(3600, Math.max(1, Math.floor(idleSeconds / 4))) },
    // better-auth's own limit per client address (its defaults), always on (better-auth enables it
    // only in production), counted on the bus so that several replicas share one limit. Sign-in has
    // its own limits, per address and per account, in auth-hooks.ts (audited, with Retry-After).
    rateLimit: {
      enabled: true,
      customRules: { "/sign-in/email": false as const },
      customStorage: {
        consume: async (key: string, rule: { window: number; max: number }) => {
          const hits = await bus.increment(`rate:${key}`, rule.window * 1000);
          return hits <= rule.max ? { allowed: true, retryAfter: null } : { allowed: false, retryAfter: rule.window };
        },
      },
    },
    // The client address is the one the HTTP server resolved (client-address.ts), never a header a client could set.
    advanced: { useSecureCookies: secure, ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] } },
    telemetry: { enabled: false },
  };
}

/** The admin plugin with Stevedore's roles; `defaultRole` is what a new account gets. */
export function adminPlugin(defaultRole: Role = "viewer") {
  return admin({
    defaultRole,
    adminRoles: ["admin"],
    roles: { admin: adminRole, operator: memberRole, viewer: memberRole, none: memberRole },
  });
}

export function createAuth(config: ServerConfig, db: Db, bus: Bus, audit: AuditLog, passwordSignIn?: PasswordSignInPolicy) {
  return betterAuth({
    ...sharedAuthOptions(config, db, bus),
    // Accounts are made by admins (and the first-start bootstrap), never by self sign-up.
    emailAndPassword: { enabled: true, disableSignUp: true, minPasswordLength: 12 },
    hooks: createAuthHooks({ config, db, bus, audit, passwordSignIn }),
    plugins: [
      adminPlugin(),
      // TOTP with recovery codes (issue 19); no "trust this device": every sign-in asks for the code.
      // Accounts without a password (SSO) can enrol too: a fresh sign-in stands in for it (factor-plugin.ts).
      twoFactor({ issuer: "Stevedore", trustDeviceMaxAge: 1, backupCodeOptions: { amount: 10 }, allowPasswordless: true }),
      secondFactors({ bus, audit }),
    ],
  });
}

export type Auth = ReturnType<typeof createAuth>;

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  /** Fleet-wide role (for a token: the lesser of the token's and its owner's). */
  role: Role;
  /** Per-group grants on top of the role (access.ts). */
  grants: Grant[];
  /** Set when the request authenticated with an API token rather than a browser session. */
  token?: { id: string; name: string };
  /** A token's own role: grants do not lift it above this. */
  ceiling?: Role;
  /** The browser session the request came with (not set for a token); open streams end with it. */
  sessionId?: string;
  /** Whether the user has a second factor, as read with the session (or the token's owner): the enrolment gate's input. */
  twoFactorEnabled?: boolean;
}

/**
 * The signed-in user behind a request's cookies, or null. Banned (disabled) users have no session,
 * and neither has one past the absolute lifetime (better-auth's getSession runs auth-hooks.ts).
 */
export async function getSessionUser(auth: Auth, db: Db, headers: IncomingHttpHeaders): Promise<SessionUser | null> {
  const session = await auth.api.getSession({ headers: fromNodeHeaders(headers) });
  if (!session) return null;
  return { id: session.user.id, email: session.user.email, name: session.user.name, role: asRole(session.user.role), grants: await loadGrants(db, session.user.id), sessionId: session.session.id, twoFactorEnabled: session.user.twoFactorEnabled === true };
}

/**
 * Whether the request carries a valid session (pages and downloads; no grants needed). Given the
 * response, the renewed cookie (the idle window slid) goes out with it, so a page load keeps the
 * browser's cookie as fresh as the session row.
 */
export async function hasSession(auth: Auth, headers: IncomingHttpHeaders, res?: ServerResponse): Promise<boolean> {
  const { headers: set, response } = await auth.api.getSession({ headers: fromNodeHeaders(headers), returnHeaders: true });
  if (res && !res.headersSent) for (const cookie of set?.getSetCookie() ?? []) res.appendHeader("set-cookie", cookie);
  return response !== null;
}

/**
 * On first start there is no one to log in as: create the admin, with ADMIN_PASSWORD or a generated
 * password that is printed once (it is never stored in clear).
 */
export async function ensureAdmin(auth: Auth, db: Db, config: ServerConfig, log: Logger): Promise<void> {
  if ((await db.user.count()) > 0) return;
  const password = config.adminPassword ?? crypto.randomBytes(18).toString("base64url");
  await auth.api.createUser({ body: { email: config.adminEmail, password, name: "Administrator", role: "admin" } });
  log.info({ email: config.adminEmail }, "created the first admin");
  if (!config.adminPassword) {
    process.stdout.write(
      `\n  First start: an admin account was created.\n    email:    ${config.adminEmail}\n    password: ${password}\n  (shown once; set ADMIN_PASSWORD to choose it)\n\n`,
    );
  }
}
