import type { SessionUser } from "../auth";
import type { Db } from "../db";
import { DomainError } from "../domain-error";
import type { Settings } from "../settings";
import { roleNeedsFactor } from "./policy";

/** What a user whose role requires a second factor may still do before enrolling: see who they are and enrol. */
const BEFORE_ENROLMENT = new Set(["me.get", "twoFactor.status"]);

/** Whether this user must enrol a second factor before anything else (their role requires one and they have none). */
export async function mustEnrol(deps: { db: Db; settings: Settings }, user: Pick<SessionUser, "id" | "role">): Promise<boolean> {
  if (!roleNeedsFactor(await deps.settings.get("twoFactor"), user.role)) return false;
  const row = await deps.db.user.findUnique({ where: { id: user.id }, select: { twoFactorEnabled: true } });
  return row?.twoFactorEnabled !== true;
}

/**
 * Every procedure but the enrolment's is refused to a user (browser or API token) who must enrol
 * first; the app sends them to their profile page. Enrolment itself goes through better-auth's
 * endpoints (/api/auth/two-factor/*), which this does not gate. Not a refusal of access (nothing is
 * audited per call): the app asks again as soon as they have enrolled.
 */
export async function assertEnrolled(deps: { db: Db; settings: Settings }, user: Pick<SessionUser, "id" | "role">, procedure: string): Promise<void> {
  if (BEFORE_ENROLMENT.has(procedure)) return;
  if (await mustEnrol(deps, user)) {
    throw new DomainError("precondition_failed", `your role (${user.role}) requires a second factor: set one up on your profile page first`);
  }
}
