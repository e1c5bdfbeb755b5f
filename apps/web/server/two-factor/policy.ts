import { z } from "zod";
import { GrantGroup } from "../access/grants";
import { ALL_HOSTS, ROLES, type Role } from "../access/roles";

/**
 * What admins require of second factors (Settings → Second factors), stored as the "twoFactor"
 * setting: which fleet-wide roles must have one (a user of such a role without one can only enrol),
 * and which host groups need a fresh one before a terminal opens (step-up), within how many minutes.
 */
export const TwoFactorPolicy = z.object({
  requiredRoles: z
    .array(z.enum(ROLES))
    .max(ROLES.length)
    .default([])
    .transform((roles) => [...new Set(roles)]),
  /** Host groups (or "*" for every host) whose terminals need a step-up. */
  stepUpGroups: z
    .array(GrantGroup)
    .max(64, "at most 64 groups")
    .default([])
    .transform((groups) => [...new Set(groups)].sort()),
  stepUpMinutes: z.number().int().min(1, "at least 1 minute").max(1440, "at most 1440 minutes (a day)").default(10),
});
export type TwoFactorPolicy = z.infer<typeof TwoFactorPolicy>;

/** Whether a user of this fleet-wide role must have a second factor before doing anything else. */
export function roleNeedsFactor(policy: TwoFactorPolicy, role: Role): boolean {
  return policy.requiredRoles.includes(role);
}

/** The policy's step-up groups that a host in these groups is in ("*" matches every host); empty when none. */
export function stepUpGroupsOf(policy: TwoFactorPolicy, hostGroups: readonly string[]): string[] {
  return policy.stepUpGroups.filter((g) => g === ALL_HOSTS || hostGroups.includes(g));
}
