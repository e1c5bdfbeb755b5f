import type { IncomingMessage } from "node:http";
import { TRPCError, initTRPC } from "@trpc/server";
import superjson from "superjson";
import { ZodError, type z } from "zod";
import { describeIssue, formatIssues } from "@stevedore/protocol";
import { CallerAccess } from "../access/caller-access";
import { type HostPermission, type Role, roleAtLeast } from "../access/roles";
import type { TokenRefusal } from "../api-tokens";
import type { Actor } from "../audit/audit-log";
import { newId } from "../agents/secrets";
import type { SessionUser } from "../auth";
import { type Authentication, actorOf, authenticate } from "../authenticate";
import { DomainError, asDomainError, domainErrorFrom, trpcCodeOf } from "../domain-error";
import type { Services } from "../services";
import { assertEnrolled } from "../two-factor/enrolment-gate";

// 1. Context: the services, the caller (or null) and their access across the fleet.
export interface Context extends Services {
  user: SessionUser | null;
  access: CallerAccess | null;
  refusedToken: TokenRefusal | null;
  client: Authentication["client"];
}

export type AuthedContext = Context & { user: SessionUser; access: CallerAccess };

export async function createContext(services: Services, req: IncomingMessage): Promise<Context> {
  const { user, refusedToken, client } = await authenticate(services, req);
  return { ...services, user, access: user ? new CallerAccess(user, services.fleet) : null, refusedToken, client };
}

/**
 * Who may call a procedure, declared where it is built and read back by the role matrix:
 * "signed-in" procedures act on the caller's own things or return only what the caller's access
 * covers; "fleet" ones need a fleet-wide role; "hosts" ones need a permission on every host named.
 */
export type AccessRule = { kind: "signed-in"; browserOnly?: boolean } | { kind: "fleet"; min: Role } | { kind: "hosts"; permission: HostPermission };
export interface Meta {
  access: AccessRule;
}

export const SSE_PING_MS = 15_000;
export const SSE_RECONNECT_AFTER_MS = 40_000;

// 2. Init, with one error formatter: zod issues become readable input errors; no stack, no internals.
const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    transformer: superjson,
    // Subscriptions are long-lived: a ping every 15 s keeps a proxy's idle timeout (often 60 s) from
    // cutting them (and every browser then reconnecting and refetching at once), and tells the browser
    // to reconnect by itself when nothing came for 40 s (a connection that died silently).
    sse: { ping: { enabled: true, intervalMs: SSE_PING_MS }, client: { reconnectAfterInactivityMs: SSE_RECONNECT_AFTER_MS } },
    // Stacks and server paths never reach a browser (the server logs internal errors itself).
    isDev: false,
    errorFormatter({ shape, error }) {
      const zod = error.cause instanceof ZodError ? error.cause : null;
      const message = zod
        ? formatIssues(zod.issues)
        : error.code === "INTERNAL_SERVER_ERROR"
          ? "internal error (the server logged it)"
          : shape.message;
      // Each problem also in words, with its path, so a form can put it beside its field (a run spec's, under `spec`).
      const problems = zod?.issues.map((i) => ({ path: i.path.map(String), message: describeIssue(i.path[0] === "spec" ? { ...i, path: i.path.slice(1) } : i).message })) ?? null;
      return { ...shape, message, data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, zodError: zod ? zod.flatten() : null, problems } };
    },
  });

export const createTRPCRouter = t.router;

/**
 * Every procedure runs inside this: domain errors (and agents' errors) become their tRPC code in one
 * place (domain-error.ts), and every refusal is audited with the procedure and the hosts refused.
 */
const base = t.procedure.use(async ({ ctx, path, type, next }) => {
  const started = performance.now();
  const result = await next();
  // A subscription's time is how long it stayed open, not a latency.
  if (type !== "subscription") ctx.metrics?.observeProcedure(path, type, result.ok ? "ok" : (asDomainError(result.error.cause)?.code ?? result.error.code), (performance.now() - started) / 1000);
  if (result.ok) return result;
  const domain = asDomainError(result.error.cause);
  const error = domain ? trpcErrorOf(domain) : result.error;
  if (domain?.code === "forbidden" && ctx.user) await auditRefusal(ctx, actorOf({ ...ctx, user: ctx.user }), path, domain);
  if (error.code === "UNAUTHORIZED" && ctx.refusedToken) {
    const { tokenId, tokenName, email, reason } = ctx.refusedToken;
    await auditRefusal(ctx, { type: "token", id: tokenId, name: `${email} (token "${tokenName}")`, ip: ctx.client.ip, userAgent: ctx.client.userAgent }, path, new DomainError("unauthorized", reason));
  }
  throw error;
});

/**
 * A domain error as tRPC's own: for what a subscription throws once it streams (past the
 * middleware, which maps everything thrown before).
 */
export function trpcErrorOf(domain: DomainError): TRPCError {
  return new TRPCError({ code: trpcCodeOf(domain.code), message: domain.message, cause: domain });
}

async function auditRefusal(ctx: Context, actor: Actor, procedure: string, refusal: DomainError): Promise<void> {
  const [hostId] = refusal.hostIds;
  await ctx.audit
    .append({
      requestId: newId("req"),
      phase: "refused",
      action: "access.refused",
      actor,
      hostId: hostId ?? null,
      hostName: hostId ? (ctx.fleet.getHost(hostId)?.name ?? null) : null,
      targetType: "procedure",
      targetName: procedure,
      params: { procedure, hosts: refusal.hostIds },
      error: refusal.message,
    })
    .catch((err: unknown) => ctx.log.error({ err, procedure }, "could not audit a refusal"));
}

// 3. Procedures. Nothing else is exported: a new procedure cannot skip declaring who may call it.
const authed = base.use(async ({ ctx, path, next }) => {
  if (!ctx.user || !ctx.access) throw new DomainError("unauthorized", ctx.refusedToken ? `${ctx.refusedToken.reason}` : "sign in first");
  await assertEnrolled(ctx, ctx.user, path);
  return next({ ctx: { ...ctx, user: ctx.user, access: ctx.access } });
});

/** Any signed-in caller; what it returns is the caller's own, or filtered to the hosts they may see. */
export const signedInProcedure = authed.meta({ access: { kind: "signed-in" } });

/** Only from a signed-in browser session, never with an API token (tokens, terminals, passwords). */
export const sessionProcedure = authed.meta({ access: { kind: "signed-in", browserOnly: true } }).use(({ ctx, next }) => {
  if (ctx.user.token) throw new DomainError("forbidden", "this is done from a signed-in browser session, not with an API token");
  return next();
});

export const adminProcedure = authed.meta({ access: { kind: "fleet", min: "admin" } }).use(({ ctx, next }) => {
  if (!roleAtLeast(ctx.user.role, "admin")) throw new DomainError("forbidden", `this needs the admin role; you are ${ctx.user.role}`);
  return next();
});

/**
 * A procedure that touches hosts: the permission it needs, its input, and how to read the host ids
 * from the parsed input (async when they come from something the input names, like a session).
 * Every host is checked before the handler runs; one refusal refuses the whole request.
 */
export function hostProcedure<S extends z.ZodType>(permission: HostPermission, input: S, hostsOf: (input: z.output<S>, ctx: AuthedContext) => Iterable<string> | Promise<Iterable<string>>) {
  return authed
    .meta({ access: { kind: "hosts", permission } })
    .input(input)
    .use(async ({ ctx, input: parsed, next }) => {
      ctx.access.assert(await hostsOf(parsed as z.output<S>, ctx), permission);
      return next();
    });
}

/** A single-target failure is the caller's error: the engine's code and words. */
export function throwIfSingleFailure<T extends { ok: boolean; error?: { code: string; message: string } }>(results: T[]): T[] {
  const [only] = results;
  if (results.length === 1 && only && !only.ok && only.error) throw domainErrorFrom(only.error.code, only.error.message);
  return results;
}
