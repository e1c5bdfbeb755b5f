import type { SessionUser } from "../auth";
import { DomainError } from "../domain-error";
import type { Settings } from "../settings";
import { roleNeedsFactor } from "./policy";

/** What a user whose role requires a second factor may still do before enrolling: see who they are and enrol. */
const BEFORE_ENROLMENT = new Set(["me.get", "twoFactor.status"]);

/**
 * The answer per authenticated request (the user object is built once per request and shared by a
 * batch's calls): the gate runs before every procedure, and the flag already came with the session.
 */
const decided = new WeakMap<object, Promise<boolean>>();

/** Whether this user must enrol a second factor before anything else (their role requires one and they have none). */
export function mustEnrol(deps: { settings: Settings }, user: Pick<SessionUser, "role" | "twoFactorEnabled">): Promise<boolean> {
  let answer = decided.get(user);
  if (!answer) {
    answer = user.twoFactorEnabled === true ? Promise.resolve(false) : deps.settings.get("twoFactor").then((policy) => roleNeedsFactor(policy, user.role));
    decided.set(user, answer);
  }
  return answer;
}

/**
 * Every procedure but the enrolment's is refused to a user (browser or API token) who must enrol
 * first; the app sends them to their profile page. Enrolment itself goes through better-auth's
 * endpoints (/api/auth/two-factor/*), which this does not gate. Not a refusal of access (nothing is
 * audited per call): the app asks again as soon as they have enrolled.
 */
export async function assertEnrolled(deps: { settings: Settings }, user: Pick<SessionUser, "role" | "twoFactorEnabled">, procedure: string): Promise<void> {
  if (BEFORE_ENROLMENT.has(procedure)) return;
  if (await mustEnrol(deps, user)) {
    throw new DomainError("precondition_failed", `your role (${user.role}) requires a second factor: set one up on your profile page first`);
  }
}
