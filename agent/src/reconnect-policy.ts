import { CloseCode } from "@stevedore/protocol";

const BACKOFF_MIN_MS = 1_000;
const BACKOFF_MAX_MS = 60_000;
/** While the control plane is restarting (it said so, or nothing listens), tries stay this close. */
const RESTART_RETRY_MAX_MS = 4_000;

/** Jittered exponential backoff: attempt 0 waits 0.5–1 s, doubling up to 30–60 s. */
export function backoffDelay(attempt: number, random = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * Jittered backoff while the control plane is restarting: 0.5–1 s, then doubling only up to 2–4 s, so
 * the agent is back within seconds of it answering again however long it was down. A refused
 * connection (nothing listening) costs either side next to nothing; the join limit paces a storm.
 */
export function restartRetryDelay(attempt: number, random = Math.random): number {
  const ceiling = Math.min(RESTART_RETRY_MAX_MS, BACKOFF_MIN_MS * 2 ** attempt);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/**
 * After a busy control plane's 503 with Retry-After: a delay spread uniformly over 0.2–2 × that, and
 * no escalation of the backoff, so a reconnect storm drains at the server's pace instead of waiting
 * out ever longer backoffs.
 */
export function busyRetryDelay(retryAfterSeconds: number, random = Math.random): number {
  return Math.round(Math.min(retryAfterSeconds, 300) * 1000 * (0.2 + 1.8 * random()));
}

/**
 * When to try the control plane again, from what the last try met. Shared by the agent and the fleet
 * simulator (bench/support/sim-agent.ts), so the benchmarks reconnect exactly as agents do.
 */
export class ReconnectPolicy {
  private attempt = 0;
  private busyRetryMs: number | null = null;
  private restarting = false;

  /** Welcomed: the next loss starts the backoff over. */
  connected(): void {
    this.attempt = 0;
    this.restarting = false;
  }

  /** The upgrade was answered with a status instead (a busy 503 with Retry-After, a proxy with no backend…). */
  refusedWith(status: number, retryAfterSeconds: number): void {
    if (status === 503 && retryAfterSeconds > 0) this.busyRetryMs = busyRetryDelay(retryAfterSeconds);
    else if (status === 502 || status === 503 || status === 504) this.restarting = true;
  }

  /** A socket error: a refused connection means nothing listens, as while the control plane restarts. */
  failed(errorCode: string | undefined): void {
    if (errorCode === "ECONNREFUSED") this.restarting = true;
  }

  /** The socket closed (with the control plane's close code, if it sent one): how long to wait. */
  closed(code: number): number {
    if (code === CloseCode.shuttingDown) this.restarting = true;
    const delay = this.busyRetryMs ?? (this.restarting ? restartRetryDelay(this.attempt++) : backoffDelay(this.attempt++));
    this.busyRetryMs = null;
    this.restarting = false;
    return delay;
  }
}
