import type { IncomingMessage } from "node:http";
import { z } from "zod";
import { METHOD_SINCE } from "@stevedore/protocol";
import { recordRefusal } from "../audit/audited";
import type { AuditLog } from "../audit/audit-log";
import { CLIENT_IP_HEADER } from "../client-address";
import type { Db } from "../db";
import type { CredentialAlert } from "../fleet/types";
import type { Logger } from "../logger";
import type { AgentSession } from "./agent-session";
import type { CredentialRow } from "./enrollment";
import { hashSecret, randomSecret, sameHash } from "./secrets";

export interface CredentialPolicy {
  /** A connected agent gets a new credential this often… */
  rotateEveryMs: number;
  /** …and one not rotated for this long (its host was away) is refused: the host must be enrolled again. */
  expiresAfterMs: number;
  /** The credential before the current one stays valid this long, for a reconnect racing the rotation. */
  overlapMs: number;
}

export type CredentialCheck =
  | { ok: true; hostId: string; name: string; lastEventNanos: string | null; issuedAt: Date | null; presented: "current" | "pending" | "previous" }
  | { ok: false; status: 401 | 403; reason: string };

/** How long the credential before the current one stays valid after a rotation. */
export const CREDENTIAL_OVERLAP_MS = 10 * 60_000;

/**
 * Host credentials after enrollment: checked at every agent connection, rotated over the agent's
 * socket while it is connected, so a copy taken from a host stops working at the next rotation.
 * Rotation is two-step because either side can fail in between: the new secret is stored as pending
 * (valid) before it is sent; once the agent says it saved it, it becomes current and the old one
 * previous (valid for the overlap). Presenting a superseded credential after that is refused,
 * audited and flags the host: someone else holds a copy of an old one.
 */
export class HostCredentials {
  private readonly rotating = new Set<string>();
  /**
   * Each connected host's current credential hash and issue time, as its connection's check read them:
   * whether a rotation is due is then known without a query per hello (20,000 at a restart) or per sweep.
   */
  private readonly current = new Map<string, { hash: string; issuedAt: Date | null }>();

  constructor(
    private readonly db: Db,
    private readonly audit: AuditLog,
    private readonly log: Logger,
    private readonly policy: CredentialPolicy,
    private readonly onAlert: (hostId: string, alert: { at: number; ip: string | null }) => void,
  ) {}

  /** Checks an agent's `Bearer <hostId>.<secret>` credential against the host's row. */
  async verify(read: (hostId: string) => Promise<CredentialRow | null>, req: Pick<IncomingMessage, "headers">, now = new Date()): Promise<CredentialCheck> {
    const match = /^Bearer ([A-Za-z0-9_-]{1,64})\.(stvhost_[A-Za-z0-9_-]{43})$/.exec(req.headers.authorization ?? "");
    if (!match) return { ok: false, status: 401, reason: "missing or malformed credential" };
    const [, hostId, secret] = match as unknown as [string, string, string];
    const host = await read(hostId);
    const hash = hashSecret(secret);
    const presented = !host
      ? null
      : sameHash(host.credentialHash, hash)
        ? "current"
        : host.pendingCredentialHash && sameHash(host.pendingCredentialHash, hash)
          ? "pending"
          : host.previousCredentialHash && sameHash(host.previousCredentialHash, hash)
            ? "previous"
            : null;
    if (!host || !presented) return { ok: false, status: 401, reason: "unknown credential" };
    if (host.revokedAt) return { ok: false, status: 403, reason: "host revoked" };
    if (presented === "previous" && !(host.previousCredentialUntil && host.previousCredentialUntil > now)) {
      await this.superseded(host, req, now);
      return { ok: false, status: 401, reason: "superseded credential: this host's credential was rotated" };
    }
    // Hosts enrolled before rotation existed have no issue time: they get a fresh credential when they connect.
    const issuedAt = host.credentialIssuedAt;
    if (presented !== "pending" && issuedAt && now.getTime() - issuedAt.getTime() > this.policy.expiresAfterMs) {
      return { ok: false, status: 401, reason: `credential expired (issued ${issuedAt.toISOString()}): enroll the host again with a join token from "Add host"` };
    }
    if (presented === "pending") await this.promote(hostId, host.credentialHash, host.pendingCredentialHash!, now);
    else this.current.set(hostId, { hash: host.credentialHash, issuedAt: host.credentialIssuedAt });
    return { ok: true, hostId: host.id, name: host.name, lastEventNanos: host.lastEventNanos, issuedAt: host.credentialIssuedAt, presented };
  }

  /** Rotates the session's credential when it is due (and its agent can save one); never throws. */
  async rotateIfDue(session: AgentSession, protocolVersion: number, now = new Date()): Promise<void> {
    if (protocolVersion < METHOD_SINCE["credential.rotate"] || this.rotating.has(session.hostId)) return;
    this.rotating.add(session.hostId);
    try {
      const host = this.current.get(session.hostId);
      if (!host || (host.issuedAt && now.getTime() - host.issuedAt.getTime() < this.policy.rotateEveryMs)) return;
      const secret = randomSecret("stvhost");
      const pending = hashSecret(secret);
      await this.db.host.update({ where: { id: session.hostId }, data: { pendingCredentialHash: pending } });
      await session.request("credential.rotate", { credential: `${session.hostId}.${secret}` });
      await this.promote(session.hostId, host.hash, pending, new Date());
      this.log.info({ hostId: session.hostId }, "host credential rotated");
    } catch (err) {
      // The pending credential stays valid (the agent may have saved it); the next connection or sweep tries again.
      this.log.warn({ hostId: session.hostId, err: (err as Error).message }, "rotating the host credential failed");
    } finally {
      this.rotating.delete(session.hostId);
    }
  }

  /** The pending credential becomes current (the agent has it), the current one previous. */
  private async promote(hostId: string, current: string, pending: string, now: Date): Promise<void> {
    const promoted = await this.db.host.updateMany({
      where: { id: hostId, credentialHash: current, pendingCredentialHash: pending },
      data: { credentialHash: pending, pendingCredentialHash: null, previousCredentialHash: current, previousCredentialUntil: new Date(now.getTime() + this.policy.overlapMs), credentialIssuedAt: now },
    });
    if (promoted.count === 1) this.current.set(hostId, { hash: pending, issuedAt: now });
  }

  private async superseded(host: CredentialRow, req: Pick<IncomingMessage, "headers">, now: Date): Promise<void> {
    const ip = (req.headers[CLIENT_IP_HEADER] as string | undefined) ?? null;
    this.log.warn({ hostId: host.id, ip }, "a superseded host credential was presented");
    const alert = { at: now.getTime(), ip };
    await this.db.host.update({ where: { id: host.id }, data: { credentialAlert: JSON.stringify(alert) } });
    this.onAlert(host.id, alert);
    await recordRefusal(
      this.audit,
      { actor: { type: "host", id: host.id, name: `an agent with ${host.name}'s superseded credential`, ip, userAgent: (req.headers["user-agent"] as string | undefined) ?? null }, action: "host.connect", hostId: host.id, hostName: host.name, targetType: "host", targetId: host.id, targetName: host.name },
      "superseded credential: the host's credential was rotated since; a copy of an old one was used",
    );
  }
}

const StoredAlert = z.object({ at: z.number(), ip: z.string().nullable() });

/** The host row's last superseded-credential alert, as superseded() wrote it; anything else reads as none. */
export function parseAlert(stored: string | null): CredentialAlert | null {
  if (!stored) return null;
  try {
    return StoredAlert.parse(JSON.parse(stored));
  } catch {
    return null;
  }
}
