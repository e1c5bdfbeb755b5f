import type { AuditLog } from "../audit/audit-log";
import type { Actor } from "../audit/audit-log";
import { recordAction } from "../audit/audited";
import type { Bus } from "../cluster/bus";
import type { Db } from "../db";
import { DomainError } from "../domain-error";
import type { Settings } from "../settings";
import { TwoFactorPolicy, roleNeedsFactor } from "./policy";
import { FRESH_SIGN_IN_MS } from "./factor-plugin";
import { factorVerifiedAt } from "./step-up";

interface Deps {
  db: Db;
  bus: Bus;
  audit: AuditLog;
  settings: Settings;
}

/** The caller's own second factors, as the profile page and the terminal dialog read them. */
export async function factorStatus(deps: Deps, user: { id: string; role: Parameters<typeof roleNeedsFactor>[1]; sessionId?: string }) {
  const policy = await deps.settings.get("twoFactor");
  // Only the flag: the (encrypted) secret and recovery codes are not read for a status.
  const row = await deps.db.user.findUnique({ where: { id: user.id }, select: { twoFactorEnabled: true } });
  const verifiedAt = user.sessionId ? await factorVerifiedAt(deps.bus, user.sessionId) : null;
  const totp = row?.twoFactorEnabled === true;
  const required = roleNeedsFactor(policy, user.role);
  const providers = (await deps.db.account.findMany({ where: { userId: user.id }, select: { providerId: true } })).map((a) => a.providerId);
  const password = providers.includes("credential");
  const session = !password && user.sessionId ? await deps.db.session.findUnique({ where: { id: user.sessionId }, select: { createdAt: true } }) : null;
  return {
    totp,
    required,
    /** Whether changes ask for the password; without one (SSO), whether this session's sign-in is fresh enough to stand in for it, and where to sign in again. */
    password,
    sso: password ? null : { provider: providers[0] ?? null, fresh: session !== null && Date.now() - session.createdAt.getTime() <= FRESH_SIGN_IN_MS },
    // What the enrolment gate decides (enrolment-gate.ts), from the policy and row read above.
    mustEnrol: required && !totp,
    /** When this browser session last proved a second factor, and how long a step-up lasts. */
    verifiedAt: verifiedAt?.toISOString() ?? null,
    stepUpMinutes: policy.stepUpMinutes,
  };
}

/** Users who have a second factor (the Users page offers to reset theirs). */
export async function enrolledUserIds(db: Db): Promise<string[]> {
  return (await db.user.findMany({ where: { twoFactorEnabled: true }, select: { id: true } })).map((u) => u.id);
}

/**
 * An admin removes a user's second factors (a lost phone): the secret and recovery codes are
 * deleted and the user signs in with the password alone, then enrols again if their role requires it.
 * Their sessions are ended, so a session opened with the lost device does not outlive it.
 */
export async function resetFactors(deps: Deps, by: { actor: Actor; userId: string }, userId: string) {
  const target = await deps.db.user.findUnique({ where: { id: userId }, select: { id: true, email: true, twoFactorEnabled: true } });
  if (!target) throw new DomainError("not_found", "no such user");
  if (!target.twoFactorEnabled) throw new DomainError("precondition_failed", `${target.email} has no second factor to reset`);
  const sessionsRevoked = await deps.db.$transaction(async (tx) => {
    await tx.twoFactor.deleteMany({ where: { userId } });
    await tx.user.update({ where: { id: userId }, data: { twoFactorEnabled: false } });
    return target.id === by.userId ? 0 : (await tx.session.deleteMany({ where: { userId } })).count;
  });
  await recordAction(deps.audit, { actor: by.actor, action: "factor.reset", targetType: "user", targetId: target.id, targetName: target.email, params: { method: "totp", sessionsRevoked } });
  return { userId: target.id, sessionsRevoked };
}

export async function setPolicy(deps: Deps, by: { actor: Actor; userId: string }, input: TwoFactorPolicy) {
  const from = await deps.settings.get("twoFactor");
  const to = await deps.settings.set("twoFactor", input, by.userId);
  await recordAction(deps.audit, { action: "settings.two-factor", actor: by.actor, targetType: "settings", targetName: "second factors", params: { from, to } });
  return to;
}
