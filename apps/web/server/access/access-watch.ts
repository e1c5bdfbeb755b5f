import type { AuditLog } from "../audit/audit-log";
import { recordAction } from "../audit/audited";
import type { SessionUser } from "../auth";
import type { Db } from "../db";
import type { FleetState } from "../fleet/fleet-state";
import type { Logger } from "../logger";
import { GRANT_ROLES, type Grant, type GrantRole, type HostPermission, asRole, isDisabled, lesserRole, permits } from "./roles";

/**
 * Open streams outlive the request that authorized them, so they are re-authorized together every
 * CHECK_MS: one read of the users, grants, sessions and tokens behind every watched stream, however
 * many there are. Disabling a user, changing their role or grants, revoking a token or a host, or
 * ending a session cuts what it no longer allows within CHECK_MS plus one read, on every replica
 * (each reads the shared database; no message has to reach it). The cut is audited with its reason.
 */
const CHECK_MS = 2_000;

export interface WatchedStream {
  /** What the stream is, for the audit entry ("terminal", "logs", "fleet.changes"). */
  kind: string;
  user: SessionUser;
  /** The hosts it reads or writes, and what it needs on each; none for a fleet-wide stream. */
  hosts?: () => Iterable<string>;
  permission?: HostPermission;
  /** The user's access changed but still allows the stream (a list-like stream re-filters). */
  onChange?: (user: SessionUser) => void;
  onRevoked: (reason: string) => void;
}

export class AccessWatch {
  private readonly streams = new Set<WatchedStream>();
  private timer: NodeJS.Timeout | null = null;
  private checking = false;

  constructor(private readonly deps: { db: Db; fleet: FleetState; audit: AuditLog; log: Logger }) {}

  /** Watches a stream until the returned function is called (when it ends on its own). */
  watch(stream: WatchedStream): () => void {
    this.streams.add(stream);
    this.timer ??= setInterval(() => void this.check(), CHECK_MS);
    return () => {
      this.streams.delete(stream);
      if (this.streams.size > 0 || !this.timer) return;
      clearInterval(this.timer);
      this.timer = null;
    };
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.streams.clear();
  }

  /** One pass over every watched stream (exported for tests: the interval calls it). */
  async check(): Promise<void> {
    if (this.checking || this.streams.size === 0) return;
    this.checking = true;
    try {
      const current = await this.readCurrent([...this.streams]);
      // A failed read cuts no one off; the next pass tries again.
      if (!current) return;
      for (const stream of [...this.streams]) {
        if (!this.streams.has(stream)) continue;
        const fresh = current(stream.user);
        const reason = typeof fresh === "string" ? fresh : this.hostRefusal(stream, fresh);
        if (reason) {
          this.streams.delete(stream);
          stream.onRevoked(reason);
          void this.auditCut(stream, reason);
        } else if (typeof fresh !== "string" && changed(stream.user, fresh)) {
          stream.user = fresh;
          stream.onChange?.(fresh);
        }
      }
    } finally {
      this.checking = false;
    }
  }

  private hostRefusal(stream: WatchedStream, user: SessionUser): string | null {
    if (!stream.hosts || !stream.permission) return null;
    for (const hostId of stream.hosts()) {
      if (!this.deps.fleet.has(hostId)) return "the host was revoked";
      if (!permits(user, this.deps.fleet.hostGroups(hostId), stream.permission)) return `access to ${this.deps.fleet.getHost(hostId)?.name ?? hostId} was removed`;
    }
    return null;
  }

  /** Each stream's user as the database says now, or why they no longer count. */
  private async readCurrent(streams: WatchedStream[]): Promise<((u: SessionUser) => SessionUser | string) | null> {
    const { db } = this.deps;
    const userIds = [...new Set(streams.map((s) => s.user.id))];
    const sessionIds = [...new Set(streams.flatMap((s) => (s.user.sessionId ? [s.user.sessionId] : [])))];
    const tokenIds = [...new Set(streams.flatMap((s) => (s.user.token ? [s.user.token.id] : [])))];
    try {
      const [users, grants, sessions, tokens] = await Promise.all([
        db.user.findMany({ where: { id: { in: userIds } }, select: { id: true, role: true, banned: true, banExpires: true } }),
        db.accessGrant.findMany({ where: { userId: { in: userIds } }, select: { userId: true, group: true, role: true }, orderBy: { group: "asc" } }),
        sessionIds.length ? db.session.findMany({ where: { id: { in: sessionIds } }, select: { id: true, expiresAt: true } }) : [],
        tokenIds.length ? db.apiToken.findMany({ where: { id: { in: tokenIds } }, select: { id: true, role: true, revokedAt: true, expiresAt: true } }) : [],
      ]);
      const now = new Date();
      const byUser = new Map(users.map((u) => [u.id, u]));
      const grantsOf = new Map<string, Grant[]>();
      for (const g of grants) if ((GRANT_ROLES as readonly string[]).includes(g.role)) (grantsOf.get(g.userId) ?? grantsOf.set(g.userId, []).get(g.userId)!).push({ group: g.group, role: g.role as GrantRole });
      const liveSessions = new Set(sessions.filter((s) => s.expiresAt > now).map((s) => s.id));
      const byToken = new Map(tokens.map((t) => [t.id, t]));
      return (u) => {
        const row = byUser.get(u.id);
        if (!row) return "the account was deleted";
        if (isDisabled(row, now)) return "the account was disabled";
        if (u.sessionId && !liveSessions.has(u.sessionId)) return "the session ended (signed out, expired or revoked)";
        let role = asRole(row.role);
        if (u.token) {
          const token = byToken.get(u.token.id);
          if (!token || token.revokedAt) return "the API token was revoked";
          if (token.expiresAt && token.expiresAt <= now) return "the API token expired";
          role = lesserRole(asRole(token.role), role);
        }
        return { ...u, role, grants: grantsOf.get(u.id) ?? [] };
      };
    } catch (err) {
      this.deps.log.warn({ err }, "re-checking open streams' access failed");
      return null;
    }
  }

  private async auditCut(stream: WatchedStream, reason: string): Promise<void> {
    const { user } = stream;
    const [hostId] = stream.hosts ? [...stream.hosts()] : [];
    await recordAction(this.deps.audit, {
      action: "access.cut",
      actor: { type: user.token ? "token" : "user", id: user.token?.id ?? user.id, name: user.email },
      hostId: hostId ?? null,
      hostName: hostId ? (this.deps.fleet.getHost(hostId)?.name ?? null) : null,
      targetType: "stream",
      targetName: stream.kind,
      params: { stream: stream.kind, reason },
    }).catch((err: unknown) => this.deps.log.error({ err }, "could not audit a cut stream"));
  }
}

function changed(a: SessionUser, b: SessionUser): boolean {
  return a.role !== b.role || JSON.stringify(a.grants) !== JSON.stringify(b.grants);
}
