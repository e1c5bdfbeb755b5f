import { z } from "zod";
import { newId } from "../agents/secrets";
import type { Actor, AuditLog, AuditPhase } from "../audit/audit-log";
import type { Auth, SessionUser } from "../auth";
import { accountSucceeded, countAccountAttempt } from "../auth-hooks";
import type { Bus } from "../cluster/bus";
import type { ServerConfig } from "../config";
import type { Db } from "../db";
import { DomainError } from "../domain-error";
import { NewPassword, isCurrentPassword, setPassword } from "./passwords";

export const ChangePasswordInput = z
  .object({
    currentPassword: z.string().min(1, "enter your current password").max(128, "a password may have at most 128 characters"),
    newPassword: NewPassword,
  })
  .refine((i) => i.newPassword !== i.currentPassword, { path: ["newPassword"], message: "the new password must differ from the current one" });

export interface ChangePasswordDeps {
  auth: Auth;
  db: Db;
  bus: Bus;
  audit: AuditLog;
  config: Pick<ServerConfig, "signInAccountLimit">;
}

/**
 * A signed-in user changes their own password: they prove the current one (attempts count against
 * the same per-account limit as sign-in, so a stolen session cannot guess it either), and every other
 * session of theirs ends (whoever else knew the old password is signed out); the current one stays.
 * Not with an API token: a token is not the person. Audited as `user.change-password`.
 */
export async function changeOwnPassword(deps: ChangePasswordDeps, user: SessionUser, actor: Actor, input: z.infer<typeof ChangePasswordInput>): Promise<{ sessionsRevoked: number }> {
  const requestId = newId("req");
  const record = (phase: AuditPhase, extra: { params?: Record<string, unknown>; error?: string }) =>
    deps.audit.append({ requestId, phase, action: "user.change-password", actor, targetType: "user", targetId: user.id, targetName: user.email, ...extra });

  if (user.token || !user.sessionId) {
    await record("refused", { error: "an API token cannot change a password" });
    throw new DomainError("forbidden", "an API token cannot change a password; sign in to change it");
  }
  const rule = deps.config.signInAccountLimit;
  if ((await countAccountAttempt(deps.bus, user.email, rule)) > rule.max) {
    await record("refused", { error: `too many password attempts for this account (at most ${rule.max} per ${rule.windowSeconds} s)` });
    throw new DomainError("too_many_requests", "too many wrong passwords for this account; try again later");
  }
  if (!(await isCurrentPassword(deps.auth, user.id, input.currentPassword))) {
    await record("failed", { error: "the current password was wrong" });
    throw new DomainError("bad_request", "the current password is not correct");
  }
  await accountSucceeded(deps.bus, user.email);
  await setPassword(deps.auth, user.id, input.newPassword);
  const { count: sessionsRevoked } = await deps.db.session.deleteMany({ where: { userId: user.id, id: { not: user.sessionId } } });
  await record("succeeded", { params: { sessionsRevoked } });
  return { sessionsRevoked };
}
