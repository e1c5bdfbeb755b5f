import crypto from "node:crypto";

const TICKET_TTL_MS = 30_000;

export interface Ticket {
  userId: string;
  email: string;
  sessionId: string;
  hostId: string;
  containerId: string;
  expiresAt: number;
}

/**
 * Short-lived, single-use tickets that authorize one terminal WebSocket upgrade. A browser gets one
 * from a tRPC call (which checked the session cookie and the terminal permission) and spends it on
 * the upgrade, so the socket is bound to that user, container and session.
 */
export class TicketBook {
  private readonly tickets = new Map<string, Ticket>();

  issue(t: Omit<Ticket, "expiresAt">, now = Date.now()): string {
    this.sweep(now);
    const ticket = crypto.randomBytes(32).toString("base64url");
    this.tickets.set(ticket, { ...t, expiresAt: now + TICKET_TTL_MS });
    return ticket;
  }

  /** The ticket's grant, once: a second use (a stolen or replayed ticket) finds nothing. */
  redeem(ticket: string, now = Date.now()): Ticket | null {
    const t = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return t && t.expiresAt > now ? t : null;
  }

  private sweep(now: number): void {
    for (const [k, t] of this.tickets) if (t.expiresAt <= now) this.tickets.delete(k);
  }
}
