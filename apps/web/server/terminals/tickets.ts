import crypto from "node:crypto";
import type { Bus } from "../cluster/bus";

const TICKET_TTL_MS = 30_000;
const TICKET_SHAPE = /^[A-Za-z0-9_-]{43}$/;

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
 * and spends it on the upgrade, so the socket is bound to that user and what the ticket names. They
 * are kept on the bus (under their hash, the grant signed), so a ticket issued by one replica is good on any.
 */
export class TicketBook<T extends TicketHolder = TerminalTicket> {
  constructor(
    private readonly bus: Bus,
    private readonly kind: string,
  ) {}

  async issue(t: T): Promise<string> {
    const ticket = crypto.randomBytes(32).toString("base64url");
    await this.bus.setKey(this.key(ticket), JSON.stringify(t), TICKET_TTL_MS);
    return ticket;
  }

  /** The ticket's grant, once: a second use (a stolen or replayed ticket) finds nothing. */
  async redeem(ticket: string): Promise<T | null> {
    if (!TICKET_SHAPE.test(ticket)) return null;
    const value = await this.bus.takeKey(this.key(ticket));
    return value ? (JSON.parse(value) as T) : null;
  }

  /** What a ticket names without spending it: which replica should take the upgrade. */
  async peek(ticket: string): Promise<T | null> {
    if (!TICKET_SHAPE.test(ticket)) return null;
    const value = await this.bus.getKey(this.key(ticket));
    return value ? (JSON.parse(value) as T) : null;
  }

  /** By the ticket's hash: whoever can list Redis's keys must not find tickets to spend. */
  private key(ticket: string): string {
    return `ticket:${this.kind}:${crypto.createHash("sha256").update(ticket).digest("base64url")}`;
  }
}
