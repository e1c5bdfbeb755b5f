import crypto from "node:crypto";

const TICKET_TTL_MS = 30_000;

/** Who a ticket was issued to; a ticket type adds what it grants. */
export interface TicketHolder {
  userId: string;
  email: string;
}

/** A terminal ticket: one session on one container. */
export interface TerminalTicket extends TicketHolder {
  sessionId: string;
  hostId: string;
  containerId: string;
}

/**
 * Short-lived, single-use tickets that authorize one browser WebSocket upgrade (a terminal, a logs
 * socket). A browser gets one from a tRPC call (which checked the session cookie and the permission)
 * and spends it on the upgrade, so the socket is bound to that user and what the ticket names.
 */
export class TicketBook<T extends TicketHolder = TerminalTicket> {
  private readonly tickets = new Map<string, T & { expiresAt: number }>();

  issue(t: T, now = Date.now()): string {
    this.sweep(now);
    const ticket = crypto.randomBytes(32).toString("base64url");
    this.tickets.set(ticket, { ...t, expiresAt: now + TICKET_TTL_MS });
    return ticket;
  }

  /** The ticket's grant, once: a second use (a stolen or replayed ticket) finds nothing. */
  redeem(ticket: string, now = Date.now()): T | null {
    const t = this.tickets.get(ticket);
    this.tickets.delete(ticket);
    return t && t.expiresAt > now ? t : null;
  }

  private sweep(now: number): void {
    for (const [k, t] of this.tickets) if (t.expiresAt <= now) this.tickets.delete(k);
  }
}
