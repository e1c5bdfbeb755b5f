import type http from "node:http";
import { EnrollRequest } from "@stevedore/protocol";
import type { AuditedAction } from "../audit/audited";
import { recordAction, recordRefusal } from "../audit/audited";
import { CLIENT_IP_HEADER } from "../client-address";
import { sendJson } from "../http-json";
import type { Services } from "../services";
import { EnrollmentError, enrollHost } from "./enrollment";

const MAX_JSON_BODY = 16 * 1024;

class BodyTooLarge extends Error {}

async function readJson(req: http.IncomingMessage): Promise<unknown> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw new BodyTooLarge(`request body over ${MAX_JSON_BODY} bytes`);
    chunks.push(chunk);
  }
  return JSON.parse(Buffer.concat(chunks).toString("utf8"));
}

/** The audit trail's view of an enrollment: the new host's agent, from where, as who made the token allowed. */
function enrollment(req: http.IncomingMessage, hostname: string): AuditedAction {
  const ip = (req.headers[CLIENT_IP_HEADER] as string | undefined) ?? null;
  return { actor: { type: "host", id: null, name: `agent on ${hostname}`, ip, userAgent: req.headers["user-agent"] ?? null }, action: "host.enroll", targetType: "host", targetName: hostname };
}

/**
 * POST /api/agent/enroll { token, hostname }: a join token for a new host and its credential.
 * Audited, and so is a real token turned away (used or expired); a made-up one names no one and is not.
 */
export async function handleEnroll(req: http.IncomingMessage, res: http.ServerResponse, svc: Pick<Services, "db" | "agents" | "audit" | "log">): Promise<void> {
  if (req.method !== "POST") return sendJson(res, 405, { error: "POST only" });
  let body: EnrollRequest;
  try {
    const parsed = EnrollRequest.safeParse(await readJson(req));
    if (!parsed.success) return sendJson(res, 400, { error: "expected { token, hostname }" });
    body = parsed.data;
  } catch (err) {
    if (err instanceof SyntaxError) return sendJson(res, 400, { error: "body is not JSON" });
    if (err instanceof BodyTooLarge) return sendJson(res, 413, { error: err.message });
    throw err;
  }
  try {
    const enrolled = await enrollHost(svc.db, body);
    svc.agents.addHost({ id: enrolled.hostId, name: enrolled.name, groups: [], lastSeenAt: null, facts: {}, engine: null });
    await recordAction(svc.audit, { ...enrollment(req, enrolled.name), hostId: enrolled.hostId, hostName: enrolled.name, targetId: enrolled.hostId, params: { joinTokenBy: enrolled.tokenCreatedById, via: enrolled.tokenId, ...(enrolled.maxUses > 1 && { use: `${enrolled.use} of ${enrolled.maxUses}` }) } });
    svc.log.info({ hostId: enrolled.hostId, host: enrolled.name, ip: req.socket.remoteAddress }, "host enrolled");
    return sendJson(res, 201, { hostId: enrolled.hostId, credential: enrolled.credential });
  } catch (err) {
    if (!(err instanceof EnrollmentError)) throw err;
    if (err.tokenCreatedById) await recordRefusal(svc.audit, { ...enrollment(req, body.hostname), params: { joinTokenBy: err.tokenCreatedById } }, err.message);
    return sendJson(res, err.status, { error: err.message });
  }
}
