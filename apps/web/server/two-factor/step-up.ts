import type { Bus } from "../cluster/bus";
import { DomainError } from "../domain-error";
import type { Settings } from "../settings";
import { STEP_UP_NEEDED } from "../../src/lib/step-up";
import { stepUpGroupsOf } from "./policy";

/** A verification is kept at most a day (the longest step-up window a policy can set). */
const KEEP_MS = 24 * 60 * 60_000;


const key = (sessionId: string) => `factor-verified:${sessionId}`;

/**
 * When the browser session last proved a second factor (a TOTP code or a recovery code, at sign-in
 * or since): kept on the bus by session id, so every replica sees it and it ends with the session.
 */
export async function recordFactorVerified(bus: Bus, sessionId: string, at = new Date()): Promise<void> {
  await bus.setKey(key(sessionId), at.toISOString(), KEEP_MS);
}

export async function factorVerifiedAt(bus: Bus, sessionId: string): Promise<Date | null> {
  const value = await bus.getKey(key(sessionId));
  return value ? new Date(value) : null;
}

/** What a terminal session's audit entry records about its step-up. */
export interface StepUp {
  /** The protected groups of the host that asked for it. */
  groups: string[];
  /** When the second factor was verified. */
  verifiedAt: string;
  withinMinutes: number;
}

/**
 * Before a terminal (attach, exec or join) on a host: when the host is in a step-up group, the
 * caller's browser session must have verified a second factor within the policy's minutes. Returns
 * what the audit entry records (null when the host needs none); throws in words otherwise.
 */
export async function requireStepUp(deps: { bus: Bus; settings: Settings }, user: { sessionId?: string }, host: { name: string; groups: readonly string[] }, now = Date.now()): Promise<StepUp | null> {
  const policy = await deps.settings.get("twoFactor");
  const groups = stepUpGroupsOf(policy, host.groups);
  if (groups.length === 0) return null;
  const verifiedAt = user.sessionId ? await factorVerifiedAt(deps.bus, user.sessionId) : null;
  const windowMs = policy.stepUpMinutes * 60_000;
  if (!verifiedAt || now - verifiedAt.getTime() > windowMs) {
    const which = groups.includes("*") ? "every host" : `group ${groups.join(", ")}`;
    throw new DomainError(
      "precondition_failed",
      `a terminal on ${host.name} (${which}) ${STEP_UP_NEEDED} within the last ${policy.stepUpMinutes} minutes: enter a code from your authenticator app (or a recovery code)`,
    );
  }
  return { groups, verifiedAt: verifiedAt.toISOString(), withinMinutes: policy.stepUpMinutes };
}
