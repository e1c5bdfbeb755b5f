import type { CallerAccess } from "../access/caller-access";
import type { Actor, AuditLog } from "../audit/audit-log";
import { recordAction } from "../audit/audited";
import type { ServerConfig } from "../config";
import type { Db } from "../db";
import { DomainError } from "../domain-error";
import type { FleetState } from "../fleet/fleet-state";
import type { Logger } from "../logger";
import type { AgentGateway } from "./agent-gateway";
import { readBundle } from "../install/agent-install";
import { joinCommands } from "../install/join-command";
import { createJoinToken } from "./enrollment";

/** What admins do to hosts: add (a join token), group, revoke. Each is one audited `host.*` entry. */

export interface HostAdminDeps {
  db: Db;
  fleet: FleetState;
  agents: AgentGateway;
  audit: AuditLog;
  config: Pick<ServerConfig, "publicUrl" | "joinTokenTtlMs" | "agentCa">;
  log: Logger;
}

export function hostOrThrow(fleet: FleetState, hostId: string) {
  const host = fleet.getHost(hostId);
  if (!host) throw new DomainError("not_found", "no such host");
  return host;
}

/** The groups of the hosts the caller sees, with how many hosts each has (and, for admins, how many users hold grants on it). */
export async function listHostGroups(deps: Pick<HostAdminDeps, "db" | "fleet">, access: CallerAccess) {
  const hosts = new Map<string, number>();
  for (const h of deps.fleet.listHosts()) if (access.sees(h.id)) for (const g of h.groups) hosts.set(g, (hosts.get(g) ?? 0) + 1);
  const grants = access.isAdmin ? await deps.db.accessGrant.groupBy({ by: ["group"], _count: { _all: true } }) : [];
  const users = new Map(grants.map((g) => [g.group, g._count._all]));
  const names = [...new Set([...hosts.keys(), ...users.keys()])].sort();
  return names.map((name) => ({ name, hosts: hosts.get(name) ?? 0, grants: users.get(name) ?? 0 }));
}

/** Replaces a host's groups; access on it follows at once (grants are by group). */
export async function setHostGroups(deps: HostAdminDeps, actor: Actor, hostId: string, groups: string[]) {
  const host = hostOrThrow(deps.fleet, hostId);
  await deps.db.$transaction([deps.db.hostGroupMember.deleteMany({ where: { hostId: host.id } }), deps.db.hostGroupMember.createMany({ data: groups.map((group) => ({ hostId: host.id, group })) })]);
  deps.agents.setGroups(host.id, groups);
  await recordAction(deps.audit, { action: "host.set-groups", actor, hostId: host.id, hostName: host.name, targetType: "host", targetId: host.id, targetName: host.name, params: { from: host.groups, to: groups } });
  return { groups };
}

export interface JoinTokenOptions {
  /** Hosts it may enroll (1: "Add host"; more for a fleet or the Helm agent DaemonSet). */
  maxUses: number;
  /** Else JOIN_TOKEN_TTL_MINUTES. */
  ttlMinutes?: number;
  label?: string;
}

/** "Add host": an expiring join token (one-time unless asked for more) and the exact command to run on the new host. */
export async function issueJoinToken(deps: HostAdminDeps, actor: Actor, createdById: string, opts: JoinTokenOptions = { maxUses: 1 }) {
  const ttlMs = opts.ttlMinutes ? opts.ttlMinutes * 60_000 : deps.config.joinTokenTtlMs;
  const { id, token, expiresAt, maxUses } = await createJoinToken(deps.db, createdById, ttlMs, { maxUses: opts.maxUses, label: opts.label || null });
  await recordAction(deps.audit, { action: "host.join-token", actor, targetType: "join-token", targetId: id, targetName: opts.label || null, params: { expiresAt, maxUses } });
  // The control plane serves the installer and the agent (install/agent-install.ts): Node ≥ 20 and curl suffice.
  const lines = joinCommands({ publicUrl: deps.config.publicUrl, token, caPin: deps.config.agentCa?.pin ?? null, bundleSha256: readBundle()?.sha256 ?? null });
  return { id, token, expiresAt, maxUses, ...lines };
}

/** Join tokens that can still enroll a host (not used up, expired or revoked), newest first: never the token itself, which is only shown once. */
export async function listJoinTokens(deps: Pick<HostAdminDeps, "db">, now = new Date()) {
  // Used up is a comparison of two columns (a field reference), so the limit counts only open tokens.
  const rows = await deps.db.joinToken.findMany({
    where: { revokedAt: null, expiresAt: { gt: now }, uses: { lt: deps.db.joinToken.fields.maxUses } },
    orderBy: { createdAt: "desc" },
    take: 200,
  });
  const creators = await deps.db.user.findMany({ where: { id: { in: [...new Set(rows.map((r) => r.createdById))] } }, select: { id: true, email: true } });
  const by = new Map(creators.map((u) => [u.id, u.email]));
  return rows.map((r) => ({ id: r.id, label: r.label, createdAt: r.createdAt, createdBy: by.get(r.createdById) ?? null, expiresAt: r.expiresAt, uses: r.uses, maxUses: r.maxUses, lastUsedAt: r.usedAt }));
}

/** A join token stops enrolling at once; hosts it already enrolled keep their own credentials. */
export async function revokeJoinToken(deps: Pick<HostAdminDeps, "db" | "audit">, actor: Actor, tokenId: string) {
  const row = await deps.db.joinToken.findUnique({ where: { id: tokenId } });
  if (!row) throw new DomainError("not_found", "no such join token");
  if (!row.revokedAt) await deps.db.joinToken.update({ where: { id: row.id }, data: { revokedAt: new Date() } });
  await recordAction(deps.audit, { action: "host.join-token-revoke", actor, targetType: "join-token", targetId: row.id, targetName: row.label, params: { uses: row.uses, maxUses: row.maxUses } });
  return { revoked: true };
}

/** Ends the host's credential and its agent's connection; its containers leave the fleet view. */
export async function revokeHost(deps: HostAdminDeps, actor: Actor, hostId: string) {
  const host = hostOrThrow(deps.fleet, hostId);
  await deps.agents.revoke(host.id);
  await recordAction(deps.audit, { action: "host.revoke", actor, hostId: host.id, hostName: host.name, targetType: "host", targetId: host.id, targetName: host.name });
  deps.log.info({ hostId: host.id, by: actor.name }, "host revoked");
  return { revoked: true };
}

/** How many revoked hosts "show revoked hosts" lists, newest first. */
const REVOKED_LIST_LIMIT = 200;

/**
 * Revoked hosts leave the fleet view; this keeps them findable: when each was revoked (its row) and by
 * whom (its `host.revoke` audit entry; null for a revocation made outside Stevedore's UI/API).
 */
export async function listRevokedHosts(deps: Pick<HostAdminDeps, "db">) {
  const hosts = await deps.db.host.findMany({
    where: { revokedAt: { not: null } },
    orderBy: { revokedAt: "desc" },
    take: REVOKED_LIST_LIMIT,
    select: { id: true, name: true, hostname: true, os: true, agentVersion: true, createdAt: true, lastSeenAt: true, revokedAt: true },
  });
  const entries = hosts.length
    ? await deps.db.auditEntry.findMany({
        where: { action: "host.revoke", targetId: { in: hosts.map((h) => h.id) } },
        orderBy: { seq: "asc" },
        select: { targetId: true, actorName: true, requestId: true },
      })
    : [];
  // The last entry per host names who revoked it (a repeated revoke of an already revoked host is audited too).
  const by = new Map(entries.map((e) => [e.targetId, e]));
  return hosts.map((h) => ({
    ...h,
    revokedAt: h.revokedAt!,
    revokedBy: by.get(h.id)?.actorName ?? null,
    requestId: by.get(h.id)?.requestId ?? null,
  }));
}
