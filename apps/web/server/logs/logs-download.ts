import type http from "node:http";
import { ContainerId, LOGS_DOWNLOAD_PATH, LogOptions } from "@stevedore/protocol";
import { z } from "zod";
import { sendJson } from "../http-json";
import { newId } from "../agents/secrets";
import { CallerAccess } from "../access/caller-access";
import { checkedOrRefused } from "../audit/audited";
import { actorOf, authenticate } from "../authenticate";
import { DomainError } from "../domain-error";
import type { Services } from "../services";
import { assertEnrolled } from "../two-factor/enrolment-gate";

export function isLogsDownloadPath(pathname: string): boolean {
  return pathname === LOGS_DOWNLOAD_PATH;
}

const optionalInt = z.preprocess((v) => (v === null || v === "" ? undefined : Number(v)), z.number().int().optional());
const Query = z.object({
  hostId: z.string().min(1).max(64),
  containerId: ContainerId,
  tail: optionalInt,
  since: optionalInt,
  until: optionalInt,
  timestamps: z.preprocess((v) => v === "1" || v === "true", z.boolean()),
});

/**
 * GET /api/logs/download?hostId=…&containerId=…[&tail=N][&since=ms][&until=ms][&timestamps=1]: the
 * selected range of a container's logs as plain text (stdout and stderr interleaved as the engine
 * gives them). Streamed from the agent with backpressure: a slow client pauses the agent's stream.
 * Same permission as the live view (session, or an API token whose own role is operator or above).
 */
export async function handleLogsDownload(req: http.IncomingMessage, res: http.ServerResponse, services: Services): Promise<void> {
  if (req.method !== "GET") return sendJson(res, 405, { error: "GET only" });
  const auth = await authenticate(services, req);
  const { user } = auth;
  if (!user) throw new DomainError("unauthorized", auth.refusedToken?.reason ?? "sign in first");
  await assertEnrolled(services, user, "logs.download");
  const params = Object.fromEntries(new URL(req.url ?? "/", "http://localhost").searchParams);
  const query = Query.safeParse(params);
  if (!query.success) return sendJson(res, 400, { error: query.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") });
  const { hostId, containerId, tail, since, until, timestamps } = query.data;
  const options = LogOptions.safeParse({ follow: false, tail, since, until, timestamps });
  if (!options.success) return sendJson(res, 400, { error: options.error.issues.map((i) => i.message).join("; ") });
  await checkedOrRefused(services.audit, { actor: actorOf({ ...auth, user }), action: "logs.download", hostId, targetType: "container", targetId: containerId }, () => {
    new CallerAccess(user, services.fleet).assert([hostId], "logs");
    services.logs.assertMayRead(user, [{ hostId, containerId }]);
  });
  const container = services.fleet.getContainer(hostId, containerId)!;
  const name = container.name;
  // Reading logs live is not audited line by line, but taking a copy of them away is.
  await services.audit.append({
    requestId: newId("req"),
    phase: "succeeded",
    action: "logs.download",
    actor: actorOf({ ...auth, user }),
    hostId,
    hostName: container.hostName,
    targetType: "container",
    targetId: containerId,
    targetName: name,
    params: { tail: tail ?? null, since: since ?? null, until: until ?? null, timestamps },
  });
  let headersSent = false;
  const begin = () => {
    if (headersSent) return;
    headersSent = true;
    res.writeHead(200, {
      "content-type": "text/plain; charset=utf-8",
      "cache-control": "private, no-store",
      "content-disposition": `attachment; filename="${name.replace(/[^A-Za-z0-9._-]/g, "_")}.log"`,
    });
  };
  const leg = services.logs.openLeg({ hostId, containerId }, options.data, {
    started: begin,
    data: (frame) => {
      begin();
      if (!res.write(frame.subarray(1))) {
        leg.pause();
        res.once("drain", () => leg.resume());
      }
    },
    ended: (reason, message) => {
      if (!headersSent && reason === "error") return sendJson(res, 502, { error: message ?? "the logs could not be read" });
      begin();
      // A cut-short download must not look complete.
      if (reason === "eof") res.end();
      else res.destroy(new Error(message ?? reason));
    },
  });
  res.on("close", () => leg.close());
}
