/**
 * Protocol version agreed in `hello`. Bump it when a message changes shape; the control plane lists
 * every version it still speaks, so an old agent gets a clear "upgrade" error instead of a crash.
 */
export const PROTOCOL_VERSION = 2;
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1, 2];

/** Paths the control plane serves for agents. */
export const AGENT_SOCKET_PATH = "/agent";
export const AGENT_ENROLL_PATH = "/api/agent/enroll";

/**
 * Liveness: a side that has sent nothing for `HEARTBEAT_INTERVAL_MS` sends something, and a side that
 * has heard nothing for `HEARTBEAT_TIMEOUT_MS` calls the peer gone. Since protocol 2 that something is
 * a WebSocket ping from the control plane, answered by the agent's socket with a pong: no JSON to
 * encode, parse or validate, 20,000 times per interval on a big fleet. Protocol 1 agents send and get
 * `heartbeat` messages both ways.
 */
export const HEARTBEAT_INTERVAL_MS = 5_000;
export const HEARTBEAT_TIMEOUT_MS = 12_000;

/**
 * A message above the soft limit is refused with a protocol error and the connection stays up; above
 * the hard limit the socket library closes the connection (1009) before the bytes reach memory.
 */
export const MAX_MESSAGE_BYTES = 8 * 1024 * 1024;
export const HARD_MAX_MESSAGE_BYTES = 64 * 1024 * 1024;

/** WebSocket close codes the two sides use (4000–4999 is the application range). */
export const CloseCode = {
  unauthorized: 4401,
  revoked: 4403,
  upgradeRequired: 4426,
  replaced: 4409,
  heartbeatTimeout: 4408,
  shuttingDown: 4503,
} as const;

/** Labels on every container Stevedore starts, so `docker inspect` on the host says who and which request. */
export const STARTED_BY_LABEL = "io.stevedore.started-by";
export const REQUEST_ID_LABEL = "io.stevedore.request-id";
