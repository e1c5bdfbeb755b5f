import { APIError, createAuthMiddleware, getSessionFromCtx } from "better-auth/api";
import type { BetterAuthPlugin } from "better-auth";
import { newId } from "../agents/secrets";
import type { Actor, AuditInput, AuditLog } from "../audit/audit-log";
import type { AuditAction } from "../audit/audit-actions";
import { CLIENT_IP_HEADER } from "../client-address";
import type { Bus } from "../cluster/bus";
import { recordFactorVerified } from "./step-up";

type HookContext = Parameters<Parameters<typeof createAuthMiddleware>[0]>[0];

/** A TOTP code stays valid about 90 s (one period either side): a used one is refused that long and a little more. */
const USED_CODE_MS = 120_000;
/** Checks of a signed-in session (step-up, enrolment) per user: better-auth limits only sign-in's. */
const SESSION_CHECKS = { max: 10, windowMs: 5 * 60_000 };

const VERIFY_TOTP = "/two-factor/verify-totp";
const VERIFY_RECOVERY = "/two-factor/verify-backup-code";
/** The better-auth endpoints browsers may call for their own factors and sessions (http-security.ts lets only these through). */
export const SECOND_FACTOR_PATHS = [VERIFY_TOTP, VERIFY_RECOVERY, "/two-factor/enable", "/two-factor/disable", "/two-factor/generate-backup-codes", "/list-sessions", "/revoke-sessions"] as const;
/** Without a password (an account that signs in through SSO), a sign-in at the provider this recent stands in for it when changing factors. */
export const FRESH_SIGN_IN_MS = 10 * 60_000;
/** What each factor change is audited as (also when refused for want of a fresh sign-in). */
const CHANGES: Record<string, AuditAction> = { "/two-factor/enable": "factor.enrol", "/two-factor/disable": "factor.disable", "/two-factor/generate-backup-codes": "factor.new-recovery-codes" };
/** The ones this plugin audits (listing sessions changes nothing). */
const PATHS: ReadonlySet<string> = new Set(SECOND_FACTOR_PATHS.filter((p) => p !== "/list-sessions"));

interface Verifying {
  user: { id: string; email: string; twoFactorEnabled?: boolean | null };
  /** Null at sign-in (the password step's challenge cookie); else the session being checked. */
  sessionId: string | null;
  sessionCreatedAt?: Date;
  usedCodeKey: string | null;
}

function clientOf(ctx: HookContext): Pick<Actor, "ip" | "userAgent"> {
  return { ip: ctx.headers?.get(CLIENT_IP_HEADER) ?? null, userAgent: ctx.headers?.get("user-agent") ?? null };
}

/** Who is proving a factor: the signed-in session's user, or (at sign-in) the one the challenge cookie names. */
async function verifyingUser(ctx: HookContext): Promise<Omit<Verifying, "usedCodeKey"> | null> {
  const session = await getSessionFromCtx(ctx).catch(() => null);
  if (session) return { user: session.user as Verifying["user"], sessionId: session.session.id, sessionCreatedAt: new Date(session.session.createdAt) };
  const challenge = await ctx.getSignedCookie(ctx.context.createAuthCookie("two_factor").name, ctx.context.secret);
  const pending = challenge ? await ctx.context.internalAdapter.findVerificationValue(challenge) : null;
  const user = pending ? await ctx.context.internalAdapter.findUserById(pending.value) : null;
  return user ? { user: user as Verifying["user"], sessionId: null } : null;
}

const refusal = (status: "TOO_MANY_REQUESTS" | "UNAUTHORIZED" | "FORBIDDEN", message: string, code: string) => new APIError(status, { message, code });

/**
 * Stevedore's side of better-auth's two-factor plugin, as a plugin of its own (so auth.ts only lists it):
 * - a TOTP code that worked is refused if it comes again while it is still valid (replay), claimed
 *   with an atomic count before it is checked so two racing requests cannot both spend it;
 * - checks from a signed-in session (step-up) are limited per user, as sign-in's are by better-auth;
 * - a verified factor is remembered for the session it made or checked (step-up.ts);
 * - an account without a password changes its factors only within minutes of signing in at its provider;
 * - enrolment, each use (at sign-in or step-up, failed ones too), recovery-code use, new recovery
 *   codes, turning it off and signing out everywhere are audited; a sign-in completed by a second
 *   factor is audited as the sign-in (auth-hooks.ts leaves it to this).
 */
export function secondFactors(deps: { bus: Bus; audit: AuditLog }) {
  const { bus, audit } = deps;
  const verifying = new WeakMap<object, Verifying>();

  const append = (ctx: HookContext, v: Pick<Verifying, "user">, entry: Omit<AuditInput, "requestId" | "actor" | "targetType"> & { action: AuditAction }) =>
    audit.append({
      requestId: newId("req"),
      actor: { type: "user", id: v.user.id, name: v.user.email, ...clientOf(ctx) },
      targetType: "user",
      targetId: v.user.id,
      targetName: v.user.email,
      ...entry,
    });

  const before = createAuthMiddleware(async (ctx) => {
    if (!ctx.request) return;
    const who = await verifyingUser(ctx);
    if (!who) return;
    let usedCodeKey: string | null = null;
    const change = CHANGES[ctx.path];
    if (change && who.sessionCreatedAt && Date.now() - who.sessionCreatedAt.getTime() > FRESH_SIGN_IN_MS) {
      // better-auth asks an account with a password for it (allowPasswordless covers only those without).
      const accounts = await ctx.context.internalAdapter.findAccounts(who.user.id);
      if (!accounts.some((a) => a.providerId === "credential")) {
        await append(ctx, who, { phase: "refused", action: change, error: "no sign-in at the provider in the last 10 minutes" });
        throw refusal("FORBIDDEN", "Sign in again with your provider, then change your second factor within 10 minutes.", "FRESH_SIGN_IN_NEEDED");
      }
    }
    if (ctx.path === VERIFY_TOTP || ctx.path === VERIFY_RECOVERY) {
      if (who.sessionId && (await bus.increment(`factor-checks:${who.user.id}`, SESSION_CHECKS.windowMs)) > SESSION_CHECKS.max) {
        throw refusal("TOO_MANY_REQUESTS", "Too many second-factor checks. Wait a few minutes, then try again.", "TOO_MANY_FACTOR_CHECKS");
      }
      const code = (ctx.body as { code?: unknown } | undefined)?.code;
      if (ctx.path === VERIFY_TOTP && typeof code === "string" && /^\d{6}$/.test(code)) {
        usedCodeKey = `totp-used:${who.user.id}:${code}`;
        if ((await bus.increment(usedCodeKey, USED_CODE_MS)) > 1) {
          await append(ctx, who, { phase: "refused", action: "factor.verify", params: { method: "totp", purpose: who.sessionId ? "step-up" : "sign-in" }, error: "a code that was already used" });
          throw refusal("UNAUTHORIZED", "This code was already used. Wait for the next one in your authenticator app.", "TOTP_CODE_REUSED");
        }
      }
    }
    verifying.set(ctx.request, { ...who, usedCodeKey });
  });

  const after = createAuthMiddleware(async (ctx) => {
    const v = ctx.request ? verifying.get(ctx.request) : undefined;
    if (!v || !ctx.request) return;
    verifying.delete(ctx.request);
    const returned: unknown = ctx.context.returned;
    const failed = returned instanceof APIError;
    const error = failed ? returned.message || String(returned.status) : null;
    if (ctx.path === "/two-factor/enable") {
      // The secret and codes are out; enrolment finishes at the first code (factor.enrol).
      if (failed) await append(ctx, v, { phase: "failed", action: "factor.enrol", params: { method: "totp", step: "start" }, error });
      return;
    }
    if (ctx.path === "/two-factor/disable") {
      await append(ctx, v, { phase: failed ? "failed" : "succeeded", action: "factor.disable", params: { method: "totp" }, error });
      return;
    }
    if (ctx.path === "/two-factor/generate-backup-codes") {
      await append(ctx, v, { phase: failed ? "failed" : "succeeded", action: "factor.new-recovery-codes", error });
      return;
    }
    if (ctx.path === "/revoke-sessions") {
      if (!failed) await append(ctx, v, { phase: "succeeded", action: "auth.sign-out", params: { everywhere: true } });
      return;
    }
    // A verification (TOTP or recovery code), at sign-in or from a signed-in session.
    if (failed && v.usedCodeKey) await bus.deleteKey(v.usedCodeKey);
    const purpose = v.sessionId === null ? "sign-in" : v.user.twoFactorEnabled ? "step-up" : "enrolment";
    const method = ctx.path === VERIFY_TOTP ? "totp" : "recovery-code";
    const action: AuditAction = purpose === "enrolment" ? "factor.enrol" : method === "totp" ? "factor.verify" : "factor.recovery-code";
    await append(ctx, v, { phase: failed ? "failed" : "succeeded", action, params: { method, purpose }, error });
    if (failed) return;
    // The session this request ends with: a new one at sign-in and enrolment (better-auth rotates it).
    const sessionId = ctx.context.newSession?.session.id ?? v.sessionId;
    if (sessionId) await recordFactorVerified(bus, sessionId);
    if (purpose === "sign-in") await append(ctx, v, { phase: "succeeded", action: "auth.sign-in", params: { secondFactor: method } });
  });

  return {
    id: "stevedore-second-factors",
    hooks: {
      before: [{ matcher: (ctx) => PATHS.has(ctx.path ?? ""), handler: before }],
      after: [{ matcher: (ctx) => PATHS.has(ctx.path ?? ""), handler: after }],
    },
  } satisfies BetterAuthPlugin;
}
