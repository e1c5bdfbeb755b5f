/**
 * Protocol version agreed in `hello`. Bump it when a message changes shape; the control plane lists
 * every version it still speaks, so an old agent gets a clear "upgrade" error instead of a crash.
 */
export const PROTOCOL_VERSION = 6;
/**
 * 3 adds `credential.rotate`, 4 `container.spec` and `container.recreate`, 5 `network.list` and the run
 * spec's readOnlyRootfs, capDrop and logConfig (optional: a spec without them still suits protocol 4),
 * 6 the volume.* methods, network.details/inspect/create/remove/prune and the `engine.changed` message;
 * the control plane sends methods only to agents that speak them.
 */
export const SUPPORTED_PROTOCOL_VERSIONS: readonly number[] = [1, 2, 3, 4, 5, 6];
/** The first protocol with each method added after 1. */
export const METHOD_SINCE = {
  "credential.rotate": 3, "container.spec": 4, "container.recreate": 4, "network.list": 5,
  "volume.list": 6, "volume.inspect": 6, "volume.create": 6, "volume.remove": 6, "volume.prune": 6,
  "network.details": 6, "network.inspect": 6, "network.create": 6, "network.remove": 6, "network.prune": 6,
} as const;
/** The first protocol that has this method. */
export const protocolOf = (method: string): number => (METHOD_SINCE as Record<string, number>)[method] ?? 1;

/** Run-spec fields added after protocol 4, with the first protocol whose agents know them. */
export const SPEC_FIELD_SINCE = { readOnlyRootfs: 5, capDrop: 5, logConfig: 5 } as const;

/**
 * The spec fields a request uses that an agent of this protocol does not know (its strict spec would
 * refuse them as unknown fields): the control plane says "upgrade the agent" instead.
 */
export function specFieldsTooNew(params: unknown, protocolVersion: number): string[] {
  const spec = (params as { spec?: Record<string, unknown> } | null)?.spec;
  if (!spec || typeof spec !== "object") return [];
  return Object.entries(SPEC_FIELD_SINCE).flatMap(([field, since]) => (spec[field] !== undefined && protocolVersion < since ? [field] : []));
}

/** Paths the control plane serves for agents. */
export const AGENT_SOCKET_PATH = "/agent";
export const AGENT_ENROLL_PATH = "/api/agent/enroll";

/** Protocol 1 liveness: each side sends a heartbeat message after this long without sending anything… */
export const HEARTBEAT_INTERVAL_MS = 5_000;
/** …and calls the peer gone after this long without hearing anything. */
export const HEARTBEAT_TIMEOUT_MS = 12_000;

/**
 * Protocol 2 liveness costs nothing while messages flow: on a fleet of 20,000 hosts, heartbeats both
 * ways every 5 s were 8,000 JSON messages a second to parse and validate. The control plane pings
 * (a WebSocket ping, answered by the agent's socket itself) an agent it has heard nothing from for
 * `PING_AFTER_SILENCE_MS`, and drops it after `AGENT_SILENCE_LIMIT_MS`. It also pings an agent it has
 * sent nothing to for `PING_AT_LEAST_EVERY_MS`, so an agent that hears nothing for
 * `CONTROL_SILENCE_LIMIT_MS` knows the control plane is gone and reconnects.
 */
export const PING_AFTER_SILENCE_MS = 10_000;
export const AGENT_SILENCE_LIMIT_MS = 15_000;
export const PING_AT_LEAST_EVERY_MS = 20_000;
export const CONTROL_SILENCE_LIMIT_MS = 45_000;

/**
 * A message above the soft limit is refused with a protocol error and the connection stays up; above
 * the hard limit the socket library closes the connection (1009) before the bytes reach memory. The
 * largest message is a snapshot: a host at its 10,000-container limit (AGENT_LIMITS) with compose
 * labels is about 12 MB.
 */
export const MAX_MESSAGE_BYTES = 16 * 1024 * 1024;
export const HARD_MAX_MESSAGE_BYTES = 17 * 1024 * 1024;

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
/** On a container a recreate made: the image id it replaced, for a rollback by hand. */
export const PREVIOUS_IMAGE_LABEL = "io.stevedore.previous-image";
