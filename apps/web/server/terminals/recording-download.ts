import fs from "node:fs";
import type http from "node:http";
import { checkedOrRefused } from "../audit/audited";
import { actorOf, authenticate } from "../authenticate";
import { DomainError } from "../domain-error";
import type { Services } from "../services";
import { mayPlayRecording } from "./recordings";
import { assertEnrolled } from "../two-factor/enrolment-gate";

const PATH = /^\/api\/recordings\/(term_[A-Za-z0-9_-]{8,64})\.cast$/;

export function isRecordingPath(pathname: string): boolean {
  return PATH.test(pathname);
}

/**
 * GET /api/recordings/<session>.cast: the asciicast file, for the player and for download (it plays
 * in asciinema too). Recordings can hold secrets typed or shown on screen: only admins and the user
 * who opened the session may fetch one.
 */
export async function handleRecordingDownload(req: http.IncomingMessage, res: http.ServerResponse, services: Services): Promise<void> {
  const sessionId = PATH.exec(new URL(req.url ?? "/", "http://localhost").pathname)![1]!;
  const auth = await authenticate(services, req, { tokens: false });
  const { user } = auth;
  if (!user) throw new DomainError("unauthorized", "sign in first");
  await assertEnrolled(services, user, "recording.play");
  const opened = await services.db.auditEntry.findFirst({
    where: { action: { startsWith: "terminal." }, phase: "requested", params: { contains: `"sessionId":"${sessionId}"` } },
    select: { actorId: true },
  });
  if (!opened) throw new DomainError("not_found", "no such recording");
  await checkedOrRefused(services.audit, { actor: actorOf({ ...auth, user }), action: "recording.play", targetType: "recording", targetName: sessionId }, () => {
    if (!mayPlayRecording(user, opened.actorId)) throw new DomainError("forbidden", "only admins and the user who opened the session may play its recording");
  });
  const file = services.terminals.recordingPath(sessionId);
  if (!file) throw new DomainError("not_found", "the recording is gone (deleted after the retention period, or it could not be written)");
  const download = new URL(req.url ?? "/", "http://localhost").searchParams.has("download");
  res.writeHead(200, {
    "content-type": "application/x-asciicast",
    "cache-control": "private, no-store",
    ...(download ? { "content-disposition": `attachment; filename="${sessionId}.cast"` } : {}),
  });
  fs.createReadStream(file).on("error", () => res.destroy()).pipe(res);
}
