import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { newId } from "./agents/secrets";
import type { AuditLog } from "./audit/audit-log";
import type { Auth, SessionUser } from "./auth";
import { authenticate, clientOf } from "./authenticate";
import type { Db } from "./db";
import { refuseUpgrade } from "./http-json";
import type { TicketBook, TicketHolder } from "./terminals/tickets";
import type { AuditAction } from "./audit/audit-actions";

export interface BrowserUpgradeDeps {
  db: Db;
  auth: Auth;
  audit: AuditLog;
  publicOrigin: string;
}

/**
 * The checks every browser WebSocket (terminal, logs) passes before its upgrade: the public Origin, a
 * valid unused ticket (`?ticket=`), and the browser's own session being the ticket's user. A refusal
 * answers the upgrade with its status and is audited as `<action>` (e.g. terminal.refused) with what
 * the ticket named. Resolves to the ticket and the user, or null once refused.
 */
export async function acceptBrowserUpgrade<T extends TicketHolder & { hostId?: string | null; containerId?: string | null }>(
  deps: BrowserUpgradeDeps,
  tickets: TicketBook<T>,
  req: IncomingMessage,
  socket: Duplex,
  refusal: { action: AuditAction; params: (ticket: T | null) => Record<string, unknown> },
): Promise<{ ticket: T; user: SessionUser } | null> {
  const url = new URL(req.url ?? "/", "http://localhost");
  const ticket = await tickets.redeem(url.searchParams.get("ticket") ?? "");
  const origin = req.headers.origin;
  const refuse = async (status: 401 | 403, reason: string) => {
    await auditRefusal(deps.audit, req, refusal.action, ticket, reason, { origin: origin ?? null, ...refusal.params(ticket) });
    refuseUpgrade(socket, status, reason);
    return null;
  };
  if (origin !== deps.publicOrigin) return refuse(403, `origin ${origin ?? "(none)"} is not allowed`);
  if (!ticket) return refuse(401, "no valid ticket (tickets are single-use and expire after 30 s)");
  // The ticket alone is not enough: the browser's own session must be the ticket's user, so a ticket
  // copied out of one browser is useless in another.
  const { user } = await authenticate(deps, req, { tokens: false });
  if (!user || user.id !== ticket.userId) return refuse(401, "the ticket belongs to another user's session");
  return { ticket, user };
}

/** An audited refusal of a browser socket (or of something asked on it). */
export async function auditRefusal(
  audit: AuditLog,
  req: IncomingMessage,
  action: AuditAction,
  ticket: (TicketHolder & { hostId?: string | null; containerId?: string | null }) | null,
  reason: string,
  params: Record<string, unknown>,
): Promise<void> {
  await audit.append({
    requestId: newId("req"),
    phase: "refused",
    action,
    actor: { type: "user", id: ticket?.userId ?? null, name: ticket?.email ?? "unknown (no valid ticket)", ...clientOf(req) },
    hostId: ticket?.hostId ?? null,
    targetType: "container",
    targetId: ticket?.containerId ?? null,
    params,
    error: reason,
  });
}
