import type { TRPC_ERROR_CODE_KEY } from "@trpc/server";
import { AgentRequestError } from "./agents/agent-session";

/**
 * The one error type domain code throws. Each code maps to a tRPC code and an HTTP status in one
 * table; routers and HTTP handlers never translate errors themselves. Agent (engine) errors carry
 * the agent's code, so the engine's own words reach the browser with the matching status.
 */
const CODES = {
  bad_request: { trpc: "BAD_REQUEST", http: 400 },
  unauthorized: { trpc: "UNAUTHORIZED", http: 401 },
  forbidden: { trpc: "FORBIDDEN", http: 403 },
  not_found: { trpc: "NOT_FOUND", http: 404 },
  conflict: { trpc: "CONFLICT", http: 409 },
  precondition_failed: { trpc: "PRECONDITION_FAILED", http: 412 },
  too_large: { trpc: "PAYLOAD_TOO_LARGE", http: 413 },
  too_many_requests: { trpc: "TOO_MANY_REQUESTS", http: 429 },
  cancelled: { trpc: "CLIENT_CLOSED_REQUEST", http: 499 },
  timeout: { trpc: "TIMEOUT", http: 408 },
  unavailable: { trpc: "SERVICE_UNAVAILABLE", http: 503 },
  bad_gateway: { trpc: "BAD_GATEWAY", http: 502 },
  // The agent's codes (packages/protocol ErrorCode) that need a mapping of their own.
  host_offline: { trpc: "PRECONDITION_FAILED", http: 412 },
  disconnected: { trpc: "BAD_GATEWAY", http: 502 },
  engine_down: { trpc: "SERVICE_UNAVAILABLE", http: 503 },
  engine_error: { trpc: "BAD_GATEWAY", http: 502 },
  registry_denied: { trpc: "FORBIDDEN", http: 403 },
  upgrade_required: { trpc: "PRECONDITION_FAILED", http: 412 },
  internal: { trpc: "INTERNAL_SERVER_ERROR", http: 500 },
} as const satisfies Record<string, { trpc: TRPC_ERROR_CODE_KEY; http: number }>;

export type DomainErrorCode = keyof typeof CODES;

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** For the audit trail of a refusal: which hosts were refused. */
    readonly hostIds: readonly string[] = [],
  ) {
    super(message);
  }
}

/** An error reported with a code from elsewhere (an agent, a peer replica): unknown codes are a bad gateway. */
export function domainErrorFrom(code: string, message: string): DomainError {
  return new DomainError(Object.hasOwn(CODES, code) ? (code as DomainErrorCode) : "bad_gateway", message);
}

/** The domain error an unknown thrown value stands for, or null when it is a bug (an internal error). */
export function asDomainError(err: unknown): DomainError | null {
  if (err instanceof DomainError) return err;
  if (err instanceof AgentRequestError) return domainErrorFrom(err.body.code, err.body.message);
  return null;
}

export function trpcCodeOf(code: DomainErrorCode): TRPC_ERROR_CODE_KEY {
  return CODES[code].trpc;
}

export function httpStatusOf(code: DomainErrorCode): number {
  return CODES[code].http;
}
