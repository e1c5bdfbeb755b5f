import type { IncomingMessage } from "node:http";
import { TRPCError, initTRPC } from "@trpc/server";
import superjson from "superjson";
import { ZodError } from "zod";
import { AgentRequestError } from "../agents/agent-session";
import type { AgentGateway } from "../agents/agent-gateway";
import type { Actor, AuditLog } from "../audit/audit-log";
import { userFromApiToken } from "../api-tokens";
import { CLIENT_IP_HEADER } from "../client-address";
import { highestRole, roleOnHost } from "../access";
import { type Auth, type Role, type SessionUser, getSessionUser, roleAtLeast } from "../auth";
import type { Bus } from "../cluster/bus";
import type { ServerConfig } from "../config";
import type { Db } from "../db";
import type { FleetState } from "../fleet/fleet-state";
import type { Registries } from "../registries/registries";
import type { StatsHistory } from "../stats/stats-history";
import type { ImagePulls } from "../images/image-pulls";
import type { Settings } from "../settings";
import type { TerminalSessions } from "../terminals/terminal-sessions";
import type { Logger } from "../logger";
import type { LogStreams } from "../logs/log-streams";

// 1. Context: the services every procedure may use, and the signed-in user (or null).
export interface Services {
  config: ServerConfig;
  db: Db;
  auth: Auth;
  fleet: FleetState;
  agents: AgentGateway;
  audit: AuditLog;
  pulls: ImagePulls;
  registries: Registries;
  stats: StatsHistory;
  terminals: TerminalSessions;
  logs: LogStreams;
  settings: Settings;
  /** Shared with the other replicas: rate-limit windows (a password change counts as a sign-in attempt). */
  bus: Bus;
  log: Logger;
}

export interface Context extends Services {
  user: SessionUser | null;
  client: { ip: string | null; userAgent: string | null };
}

export async function createContext(services: Services, req: IncomingMessage): Promise<Context> {
  // Automation authenticates with an API token; browsers with their session cookie.
  const user = req.headers.authorization?.startsWith("Bearer ")
    ? await userFromApiToken(services.db, req.headers.authorization)
    : await getSessionUser(services.auth, services.db, req.headers);
  return {
    ...services,
    user,
    client: { ip: (req.headers[CLIENT_IP_HEADER] as string | undefined) ?? null, userAgent: req.headers["user-agent"] ?? null },
  };
}

/** The audit trail's "who": the signed-in user, or their API token by name, and from where. */
export function actorOf(ctx: Context & { user: SessionUser }): Actor {
  const { user, client } = ctx;
  if (user.token) return { type: "token", id: user.token.id, name: `${user.email} (token "${user.token.name}")`, ip: client.ip, userAgent: client.userAgent };
  return { type: "user", id: user.id, name: user.email, ip: client.ip, userAgent: client.userAgent };
}

// 2. Init, with one error formatter: zod issues become readable input errors, never a bare 500.
const t = initTRPC.context<Context>().create({
  transformer: superjson,
  errorFormatter({ shape, error }) {
    const zod = error.cause instanceof ZodError ? error.cause : null;
    return {
      ...shape,
      // "id: an image id is …" rather than zod's issue list as JSON.
      message: zod ? zod.issues.map((i) => `${i.path.join(".") || "input"}: ${i.message}`).join("; ") : shape.message,
      data: { ...shape.data, zodError: zod ? zod.flatten() : null },
    };
  },
});

export const createTRPCRouter = t.router;

// 3. Procedures: every one requires a session; roles are checked here, on the server.
function requireRole(min: Role, scope: "fleet" | "some-host") {
  return t.middleware(({ ctx, next }) => {
    if (!ctx.user) throw new TRPCError({ code: "UNAUTHORIZED", message: "sign in first" });
    const role = scope === "fleet" ? ctx.user.role : highestRole(ctx.user);
    if (!roleAtLeast(role, min)) throw new TRPCError({ code: "FORBIDDEN", message: `this needs the ${min} role; you are ${role}` });
    return next({ ctx: { ...ctx, user: ctx.user } });
  });
}

export const viewerProcedure = t.procedure.use(requireRole("viewer", "fleet"));
/**
 * For actions on hosts: lets in anyone who is operator on at least one host (fleet-wide or by a
 * group grant); the procedure then checks every host it touches with `assertRoleOnHosts`.
 */
export const hostOperatorProcedure = t.procedure.use(requireRole("operator", "some-host"));
export const adminProcedure = t.procedure.use(requireRole("admin", "fleet"));

/** The caller's role on one host, from their fleet-wide role and the host's groups. */
export function roleOn(ctx: Context & { user: SessionUser }, hostId: string): Role {
  return roleOnHost(ctx.user, ctx.fleet.hostGroups(hostId));
}

/** Refuses the whole request, naming the hosts, when the caller lacks the role on any of them. */
export function assertRoleOnHosts(ctx: Context & { user: SessionUser }, hostIds: Iterable<string>, min: Role): void {
  const refused = [...new Set(hostIds)].filter((id) => !roleAtLeast(roleOn(ctx, id), min));
  if (refused.length === 0) return;
  const names = refused.map((id) => ctx.fleet.getHost(id)?.name ?? id);
  throw new TRPCError({ code: "FORBIDDEN", message: `this needs the ${min} role on ${names.join(", ")}; you have ${roleOn(ctx, refused[0]!)} there` });
}

export const AGENT_ERROR_CODES = {
  not_found: "NOT_FOUND",
  conflict: "CONFLICT",
  bad_request: "BAD_REQUEST",
  timeout: "TIMEOUT",
  host_offline: "PRECONDITION_FAILED",
  engine_down: "SERVICE_UNAVAILABLE",
  engine_error: "BAD_GATEWAY",
  registry_denied: "FORBIDDEN",
  cancelled: "CLIENT_CLOSED_REQUEST",
} as const;

/** Runs a call to an agent; its failure reaches the browser in the agent's (the engine's) own words. */
export async function callAgent<T>(promise: Promise<T>): Promise<T> {
  try {
    return await promise;
  } catch (err) {
    if (err instanceof AgentRequestError) {
      throw agentTRPCError(err.body.code, err.body.message, err);
    }
    throw err;
  }
}

/** An agent (engine) error as a tRPC error with the matching code and the engine's message. */
export function agentTRPCError(code: string, message: string, cause?: unknown): TRPCError {
  return new TRPCError({ code: AGENT_ERROR_CODES[code as keyof typeof AGENT_ERROR_CODES] ?? "BAD_GATEWAY", message, cause });
}
