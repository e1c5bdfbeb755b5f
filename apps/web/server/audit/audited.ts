import { newId } from "../agents/secrets";
import { type DomainErrorCode, asDomainError } from "../domain-error";
import type { AuditAction } from "./audit-actions";
import type { Actor, AuditInput, AuditLog } from "./audit-log";

/** What an audited action is about: everything of its entries but the phase and the outcome. */
export interface AuditedAction {
  actor: Actor;
  action: AuditAction;
  hostId?: string | null;
  hostName?: string | null;
  targetType: string;
  targetId?: string | null;
  targetName?: string | null;
  params?: unknown;
}

export interface CommandError {
  code: DomainErrorCode | "unexpected";
  /** In the engine's own words where it answered. */
  message: string;
}

export type Outcome<T> = { requestId: string; ok: true; result: T } | { requestId: string; ok: false; error: CommandError; unknown: boolean };

/** The agent went away (or went quiet) after it had the request: it may have run. */
const UNKNOWN_OUTCOME: ReadonlySet<string> = new Set(["disconnected", "timeout"]);

/**
 * Runs one action as an audited request with one request id: "requested", then "succeeded" (with
 * what `settle` adds from the result), "failed" in the engine's words, or "unknown" when the agent
 * went away before answering — never a guessed failure. Never throws: the outcome says what happened.
 */
export async function audited<T>(
  audit: AuditLog,
  action: AuditedAction,
  run: (requestId: string) => Promise<T>,
  settle: (result: T) => Partial<AuditInput> = () => ({}),
): Promise<Outcome<T>> {
  const requestId = newId("req");
  const base = { ...action, requestId };
  await audit.append({ ...base, phase: "requested" });
  try {
    const result = await run(requestId);
    const extra = settle(result);
    await audit.append({ ...base, phase: extra.error ? "failed" : "succeeded", ...extra });
    return { requestId, ok: true, result };
  } catch (err) {
    const domain = asDomainError(err);
    const error: CommandError = domain ? { code: domain.code, message: domain.message } : { code: "unexpected", message: err instanceof Error ? err.message : String(err) };
    const unknown = UNKNOWN_OUTCOME.has(error.code);
    await audit.append({ ...base, phase: unknown ? "unknown" : "failed", error: error.message });
    return { requestId, ok: false, error, unknown };
  }
}

/** A change that is done when it is recorded (settings, users, tokens): one "succeeded" entry. */
export function recordAction(audit: AuditLog, action: AuditedAction): Promise<unknown> {
  return audit.append({ ...action, requestId: newId("req"), phase: "succeeded" });
}

/**
 * Runs an HTTP endpoint's access check: a refusal is audited (who, which endpoint, why) and thrown on,
 * as tRPC's refusals are.
 */
export async function checkedOrRefused(audit: AuditLog, action: AuditedAction, check: () => void): Promise<void> {
  try {
    check();
  } catch (err) {
    const refusal = asDomainError(err);
    if (refusal?.code === "forbidden") await recordRefusal(audit, { ...action, hostId: action.hostId ?? refusal.hostIds[0] ?? null }, refusal.message);
    throw err;
  }
}

/** An action refused before anything ran (a policy): one "refused" entry naming why. Returns its request id. */
export async function recordRefusal(audit: AuditLog, action: AuditedAction, reason: string): Promise<string> {
  const requestId = newId("req");
  await audit.append({ ...action, requestId, phase: "refused", error: reason });
  return requestId;
}
