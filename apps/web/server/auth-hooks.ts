import crypto from "node:crypto";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { deleteSessionCookie } from "better-auth/cookies";
import { newId } from "./agents/secrets";
import type { Actor, AuditLog } from "./audit/audit-log";
import { CLIENT_IP_HEADER } from "./client-address";
import type { Bus } from "./cluster/bus";
import type { ServerConfig } from "./config";
import type { Db } from "./db";

/** What better-auth's hooks need from the rest of the control plane. */
export interface AuthHookDeps {
  config: Pick<ServerConfig, "signInRateLimit" | "signInAccountLimit" | "sessionMaxMs">;
  db: Db;
  bus: Bus;
  audit: AuditLog;
  passwordSignIn?: PasswordSignInPolicy;
}

/** Whether an account may sign in with a password (SSO can turn it off for all but a break-glass admin). */
export type PasswordSignInPolicy = (email: string) => Promise<boolean>;

export const PASSWORD_SIGN_IN_OFF = "Password sign-in is turned off: use your organization's sign-in button.";

type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];
type SessionRow = { id: string; token: string; createdAt: Date; userId: string };
type SessionUserRow = { id: string; email: string };

/** Whether a session has outlived the absolute lifetime (SESSION_MAX_HOURS), however active it was. */
export function sessionTooOld(session: { createdAt: Date | string }, maxMs: number, now = Date.now()): boolean {
  return now - new Date(session.createdAt).getTime() > maxMs;
}

/** One answer for both limits and for accounts that exist or not, so a 429 tells nothing about an account. */
function throttled(retryAfterSeconds: number): APIError {
  return new APIError("TOO_MANY_REQUESTS", { message: "Too many sign-in attempts. Try again later.", code: "TOO_MANY_ATTEMPTS" }, { "Retry-After": String(retryAfterSeconds) });
}

/** Keys on the bus hold no email in clear (and stay short whatever was typed). */
function accountKey(email: string): string {
  return `signin-account:${crypto.createHash("sha256").update(email.toLowerCase()).digest("hex").slice(0, 32)}`;
}

/**
 * Counts one password attempt for an account (sign-in, or a password change proving the current one)
 * and returns the attempts since its last success in the window; `accountSucceeded` starts over.
 */
export function countAccountAttempt(bus: Bus, email: string, rule: { windowSeconds: number }): Promise<number> {
  return bus.increment(accountKey(email), rule.windowSeconds * 1000);
}

export function accountSucceeded(bus: Bus, email: string): Promise<void> {
  return bus.deleteKey(accountKey(email));
}

function clientOf(ctx: HookContext): { ip: string | null; userAgent: string | null } {
  return { ip: ctx.headers?.get(CLIENT_IP_HEADER) ?? null, userAgent: ctx.headers?.get("user-agent") ?? null };
}

/** The email a sign-in names, as better-auth compares it (lower case); null when the body has none. */
function attemptedEmail(ctx: HookContext): string | null {
  const email = (ctx.body as { email?: unknown } | undefined)?.email;
  return typeof email === "string" && email.trim() ? email.trim().toLowerCase().slice(0, 254) : null;
}

/**
 * better-auth's hooks (https://better-auth.com/docs/concepts/hooks): they run for requests from
 * browsers and for the server's own `auth.api.*` calls alike.
 * - Sign-in is throttled per client address (SIGNIN_RATE_LIMIT, every attempt counts) and per
 *   account (SIGNIN_ACCOUNT_LIMIT, attempts since the last success), both counted on the bus so
 *   replicas share them. The per-account count is taken before the password is checked, so a burst
 *   of parallel guesses cannot all pass before the first failure is counted.
 * - Sign-in (succeeded / failed / refused when throttled) and sign-out are audited as `auth.sign-in`
 *   and `auth.sign-out`, with the address the HTTP server resolved and the user agent; a failure
 *   records the email that was tried, never the password.
 * - With single sign-on, password sign-in can be off for all but the break-glass admin (refused, audited).
 * - A session older than the absolute lifetime is refused and deleted wherever it is read
 *   (`getSession`: tRPC, pages, downloads and WebSocket upgrades all go through it).
 */
export function createAuthHooks(deps: AuthHookDeps) {
  const { config, db, bus, audit, passwordSignIn } = deps;
  /** Sessions being signed out, read before better-auth deletes them (keyed by the request). */
  const signingOut = new WeakMap<object, { session: SessionRow; user: SessionUserRow }>();

  async function refuse(ctx: HookContext, email: string | null, limit: "address" | "account", rule: { max: number; windowSeconds: number }, hits: number): Promise<never> {
    // The first refusal of a window is recorded; the rest of a flood would only fill the trail.
    if (hits === rule.max + 1) {
      await audit.append({
        requestId: newId("req"),
        phase: "refused",
        action: "auth.sign-in",
        actor: { type: "user", id: null, name: email ?? "(no email)", ...clientOf(ctx) },
        targetType: "user",
        targetName: email,
        params: { throttle: limit, limit: `${rule.max}/${rule.windowSeconds}s` },
        error: `too many sign-in attempts ${limit === "address" ? "from this address" : "for this account"} (at most ${rule.max} per ${rule.windowSeconds} s); later ones in this window are refused without an entry each`,
      });
    }
    throw throttled(rule.windowSeconds);
  }

  const before = createAuthMiddleware(async (ctx) => {
    if (ctx.path === "/sign-in/email") {
      const email = attemptedEmail(ctx);
      const { ip } = clientOf(ctx);
      const byAddress = config.signInRateLimit;
      const addressHits = await bus.increment(`signin-ip:${ip ?? "unknown"}`, byAddress.windowSeconds * 1000);
      if (addressHits > byAddress.max) await refuse(ctx, email, "address", byAddress, addressHits);
      if (email) {
        const byAccount = config.signInAccountLimit;
        const accountHits = await countAccountAttempt(bus, email, byAccount);
        if (accountHits > byAccount.max) await refuse(ctx, email, "account", byAccount, accountHits);
      }
      if (passwordSignIn && !(await passwordSignIn(email ?? ""))) {
        const target = email ? await db.user.findUnique({ where: { email }, select: { id: true } }) : null;
        await audit.append({
          requestId: newId("req"),
          phase: "refused",
          action: "auth.sign-in",
          actor: { type: "user", id: null, name: email ?? "(no email)", ...clientOf(ctx) },
          targetType: "user",
          targetId: target?.id ?? null,
          targetName: email,
          params: { method: "password" },
          error: "password sign-in is turned off (Settings → Single sign-on) for every account but the break-glass admin",
        });
        throw new APIError("FORBIDDEN", { message: PASSWORD_SIGN_IN_OFF, code: "PASSWORD_SIGN_IN_OFF" });
      }
      return;
    }
    if (ctx.path === "/sign-out" && ctx.request) {
      const token = await ctx.getSignedCookie(ctx.context.authCookies.sessionToken.name, ctx.context.secret);
      const found = token ? await ctx.context.internalAdapter.findSession(token) : null;
      if (found) signingOut.set(ctx.request, { session: found.session, user: found.user });
    }
  });

  const after = createAuthMiddleware(async (ctx) => {
    const returned: unknown = ctx.context.returned;
    if (ctx.path === "/get-session") {
      const current = returned as { session?: SessionRow } | null;
      if (current?.session && sessionTooOld(current.session, config.sessionMaxMs)) {
        await ctx.context.internalAdapter.deleteSession(current.session.token);
        deleteSessionCookie(ctx);
        // Replaces the endpoint's answer: no session.
        return null;
      }
      return;
    }
    if (ctx.path === "/sign-in/email") {
      const email = attemptedEmail(ctx);
      const client = clientOf(ctx);
      const signedIn = ctx.context.newSession;
      if (signedIn && !(returned instanceof APIError)) {
        if (email) await accountSucceeded(bus, email);
        // The password was right; the sign-in completes (and is audited) at the second factor (two-factor/factor-plugin.ts).
        if ((signedIn.user as { twoFactorEnabled?: boolean | null }).twoFactorEnabled) return;
        const actor: Actor = { type: "user", id: signedIn.user.id, name: signedIn.user.email, ...client };
        await audit.append({ requestId: newId("req"), phase: "succeeded", action: "auth.sign-in", actor, targetType: "user", targetId: signedIn.user.id, targetName: signedIn.user.email });
        return;
      }
      const error = returned instanceof APIError ? returned.message || String(returned.status) : "sign-in failed";
      const target = email ? await db.user.findUnique({ where: { email }, select: { id: true } }) : null;
      await audit.append({
        requestId: newId("req"),
        phase: "failed",
        action: "auth.sign-in",
        actor: { type: "user", id: null, name: email ?? "(no email)", ...client },
        targetType: "user",
        targetId: target?.id ?? null,
        targetName: email,
        error,
      });
      return;
    }
    if (ctx.path === "/sign-out" && ctx.request) {
      const ended = signingOut.get(ctx.request);
      signingOut.delete(ctx.request);
      if (!ended || returned instanceof APIError) return;
      await audit.append({
        requestId: newId("req"),
        phase: "succeeded",
        action: "auth.sign-out",
        actor: { type: "user", id: ended.user.id, name: ended.user.email, ...clientOf(ctx) },
        targetType: "user",
        targetId: ended.user.id,
        targetName: ended.user.email,
      });
    }
  });

  return { before, after };
}
