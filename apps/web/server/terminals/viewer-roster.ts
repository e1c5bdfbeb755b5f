import crypto from "node:crypto";
import type { TerminalViewer } from "@stevedore/protocol";

/** One user on a session, over all their tabs, for the session's whole life (so the close entry can list them). */
export interface Participant {
  viewerId: string;
  userId: string;
  email: string;
  /** The user who opened the session: always may type, and alone decides who else may. */
  owner: boolean;
  canType: boolean;
  /** Whether the owner let them type at any time (for the close entry). */
  everAllowed: boolean;
  /** Input of theirs that went to the process. */
  bytesIn: number;
  connections: number;
}

export type AllowResult =
  | { ok: true; viewer: Participant; from: boolean; to: boolean }
  | { ok: false; reason: string };

/**
 * Who watches one terminal session and who may type into it. A session is remote root, so joining
 * someone else's session is read-only: only the owner (any of their tabs) types, until the owner lets
 * a viewer type. That permission is per user and lasts until the owner takes it back or the session
 * ends (a viewer's reload or network blip keeps it). Admins are no exception: they may close a
 * session, not type into it unasked.
 */
export class ViewerRoster {
  private readonly byUser = new Map<string, Participant>();
  private readonly byViewerId = new Map<string, Participant>();

  constructor(private readonly ownerId: string) {}

  /** A socket of this user joined; `first` when the user was not watching already (a join, not another tab). */
  connect(userId: string, email: string): { participant: Participant; first: boolean } {
    let p = this.byUser.get(userId);
    if (!p) {
      const owner = userId === this.ownerId;
      p = { viewerId: `v_${crypto.randomBytes(12).toString("base64url")}`, userId, email, owner, canType: owner, everAllowed: false, bytesIn: 0, connections: 0 };
      this.byUser.set(userId, p);
      this.byViewerId.set(p.viewerId, p);
    }
    p.connections++;
    return { participant: p, first: p.connections === 1 };
  }

  disconnect(p: Participant): void {
    p.connections = Math.max(0, p.connections - 1);
  }

  /** The owner lets a viewer type (or takes it back). Anyone else, or a viewer who is not watching, is refused. */
  allow(by: Participant, viewerId: string, allowed: boolean): AllowResult {
    if (!by.owner) return { ok: false, reason: "only the user who opened this session may allow others to type" };
    const viewer = this.byViewerId.get(viewerId);
    if (!viewer || viewer.connections === 0) return { ok: false, reason: "that viewer is not watching this session" };
    if (viewer.owner) return { ok: false, reason: "the session's owner always may type" };
    const from = viewer.canType;
    viewer.canType = allowed;
    if (allowed) viewer.everAllowed = true;
    return { ok: true, viewer, from, to: allowed };
  }

  /** Who is watching now, the owner first, as the browsers are told. */
  watching(): TerminalViewer[] {
    return [...this.byUser.values()]
      .filter((p) => p.connections > 0)
      .sort((a, b) => Number(b.owner) - Number(a.owner))
      .map(({ viewerId, email, canType, owner, connections }) => ({ viewerId, email, canType, owner, connections }));
  }

  /** Everyone other than the owner who joined at some point, for the close entry. */
  joined(): { email: string; allowedToType: boolean; bytesIn: number }[] {
    // By email: user ids look random enough for the audit trail's redaction to hide them (the
    // terminal.join entries carry the joiner's id as their actor).
    return [...this.byUser.values()].filter((p) => !p.owner).map((p) => ({ email: p.email, allowedToType: p.everAllowed, bytesIn: p.bytesIn }));
  }
}
