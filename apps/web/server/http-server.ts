import http from "node:http";
import https from "node:https";
import path from "node:path";
import type { Duplex } from "node:stream";
import { fileURLToPath } from "node:url";
import { createHTTPHandler } from "@trpc/server/adapters/standalone";
import { toNodeHandler } from "better-auth/node";
import { AGENT_ENROLL_PATH, AGENT_SOCKET_PATH, AGENT_STREAM_PATH, LOGS_SOCKET_PATH, TERMINAL_SOCKET_PATH, isInsecureUrl } from "@stevedore/protocol";
import os from "node:os";
import { AccessWatch } from "./access/access-watch";
import { AgentGateway } from "./agents/agent-gateway";
import { type Bus, MemoryBus, RedisBus } from "./cluster/bus";
import { FleetReplication } from "./cluster/fleet-replication";
import { Replicas } from "./cluster/replicas";
import { newId } from "./agents/secrets";
import { handleAuditExport } from "./audit/audit-export";
import { createAuditTrail } from "./audit/audit-trail";
import { OutcomeSettler } from "./audit/outcome-settler";
import { OPERATIONS_PER_HOST, PerHostLimit } from "./containers/per-host-limit";
import { ObservedEvents } from "./audit/observed-events";
import { handleEnroll } from "./agents/enroll-endpoint";
import { createAuth, ensureAdmin, hasSession } from "./auth";
import { stampClientAddress } from "./client-address";
import { refuseUpgrade, sendJson } from "./http-json";
import { TRPC_MAX_BATCH, TRPC_MAX_BODY_BYTES, applySecurityHeaders, isAllowedAuthPath, refuseTrpcRequest } from "./http-security";
import type { ServerConfig } from "./config";
import { createDb } from "./db";
import { FleetState } from "./fleet/fleet-state";
import { createLogger } from "./logger";
import { LogStreams } from "./logs/log-streams";
import { AgentStreams } from "./agents/agent-streams";
import { handleLogsDownload, isLogsDownloadPath } from "./logs/logs-download";
import { ImagePulls } from "./images/image-pulls";
import { Rollouts } from "./containers/rollouts";
import { Registries } from "./registries/registries";
import { Alerts } from "./alerts/alerts";
import { AutoUpdates } from "./updates/auto-updates";
import { ImageUpdates } from "./updates/image-updates";
import { StatsHistory } from "./stats/stats-history";
import { Settings } from "./settings";
import { SsoSignIn, isSsoAuthPath } from "./sso/sso-sign-in";
import { handleInstall, isInstallPath } from "./install/agent-install";
import { handleRecordingDownload, isRecordingPath } from "./terminals/recording-download";
import { TerminalSessions } from "./terminals/terminal-sessions";
import { asDomainError, httpStatusOf } from "./domain-error";
import { ControlPlaneMetrics } from "./metrics/control-plane-metrics";
import { startMetricsListener } from "@stevedore/protocol/metrics-listener";
import type { Services } from "./services";
import { createContext } from "./trpc/init";
import { appRouter } from "./trpc/root";

const WEB_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** Pages anyone may load: the login form and the static assets it needs (scripts, styles, the icon). */
const PUBLIC_PAGE = /^\/(login(\/|$)|_next\/|favicon\.ico$|icon\.svg$)/;

export interface ControlPlane {
  server: http.Server | https.Server;
  services: Services;
  url: string;
  /** The Prometheus listener's /metrics (METRICS_ADDRESS), when on. */
  metricsUrl: string | undefined;
  close(): Promise<void>;
}

interface NextHandlers {
  handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  upgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): Promise<void>;
  close(): Promise<void>;
}

/**
 * One Node process serves everything: pages (Next.js), the API (tRPC), sign-in (better-auth), agent
 * enrollment and the agents' WebSockets. All server logic lives in this module graph; Next only
 * renders the UI, so there is exactly one fleet state in memory.
 */
export async function startControlPlane(config: ServerConfig, opts: { ui: boolean }): Promise<ControlPlane> {
  const replicaId = newId(os.hostname().replace(/[^A-Za-z0-9-]/g, "").slice(0, 32) || "replica");
  const log = createLogger(config.logLevel).child(config.redisUrl ? { replica: replicaId } : {});
  const metrics = config.metricsAddress ? new ControlPlaneMetrics() : undefined;
  const bus: Bus = config.redisUrl ? new RedisBus(config.redisUrl, replicaId, log.child({ component: "bus" }), { busKey: config.busKey, tlsCa: config.redisTlsCa, lag: metrics?.busLag }) : new MemoryBus();
  if (bus instanceof RedisBus) await bus.connect();
  const db = createDb(config.databaseUrl);
  const { audit, checkpoints } = createAuditTrail(config, db, log.child({ component: "audit-checkpoints" }));
  const settings = new Settings(db);
  const sso = new SsoSignIn({ config, db, bus, audit, settings, log: log.child({ component: "sso" }) });
  const auth = createAuth(config, db, bus, audit, (email) => sso.passwordSignInAllowed(email));
  const fleet = new FleetState();
  const observed = new ObservedEvents(db, audit, log.child({ component: "observed-events" }), config.agentEventBacklog);
  const stats = new StatsHistory();
  const replicas = new Replicas(bus, replicaId, config.authSecret, log.child({ component: "replicas" }));
  const replication = new FleetReplication(bus, replicas, fleet, stats, log.child({ component: "fleet-replication" }));
  const alerts = new Alerts({ db, fleet, config, replicaId, bus, log: log.child({ component: "alerts" }) });
  const agents = new AgentGateway({ db, replication, replicas, observed, audit, alerts, log: log.child({ component: "agents" }), joinLimit: config.agentJoinLimit, credentialPolicy: config.hostCredentials, joinRefusals: metrics?.joinRefusals });
  const registries = new Registries(db, config.secretsKey);
  const pulls = new ImagePulls({ agents, audit, fleet, registries, bus, replicas });
  const updates = new ImageUpdates({ db, fleet, registries, settings, bus, log: log.child({ component: "image-updates" }) });
  const publicOrigin = new URL(config.publicUrl).origin;
  const settler = new OutcomeSettler({ fleet, audit, log: log.child({ component: "outcome-settler" }) });
  const accessWatch = new AccessWatch({ db, fleet, audit, log: log.child({ component: "access-watch" }) });
  const streams = new AgentStreams({ agents, bus, replicas, log: log.child({ component: "agent-streams" }) });
  const terminals = new TerminalSessions({ db, auth, accessWatch, bus, replicas, streams, audit, settings, dataDir: config.dataDir, publicOrigin, log: log.child({ component: "terminals" }) });
  const logs = new LogStreams({ db, auth, accessWatch, bus, streams, audit, fleet, publicOrigin, log: log.child({ component: "logs" }) });
  const rollouts = new Rollouts(() => services, replicaId);
  const autoUpdates = new AutoUpdates(() => services);
  const hostWork = new PerHostLimit(OPERATIONS_PER_HOST);
  const services: Services = { config, db, auth, fleet, agents, audit, observed, checkpoints, pulls, rollouts, registries, updates, autoUpdates, terminals, logs, settings, stats, accessWatch, settler, hostWork, bus, metrics, log, alerts, sso };
  metrics?.watch(services);

  await ensureAdmin(auth, db, config, log);
  await sso.start();
  await agents.loadHosts();
  await checkpoints.start();
  alerts.start();
  // Entries written before the audit search index existed join it in the background, batch by batch.
  const indexing = new AbortController();
  const indexed = audit.indexOlderEntries({ signal: indexing.signal }).then(
    (entries) => {
      if (entries > 0) log.info({ entries }, "audit search: older entries indexed");
    },
    (err: unknown) => log.error({ err }, "audit search: indexing older entries failed"),
  );

  const authHandler = toNodeHandler(auth);
  const trpcHandler = createHTTPHandler({
    router: appRouter,
    basePath: "/api/trpc/",
    // Backstops for what refuseTrpcRequest checks up front (a chunked body has no length to check).
    maxBodySize: TRPC_MAX_BODY_BYTES,
    maxBatchSize: TRPC_MAX_BATCH,
    createContext: ({ req }) => createContext(services, req),
    onError: ({ error, path: procedure }) => {
      if (error.code === "INTERNAL_SERVER_ERROR") log.error({ err: error, procedure }, "procedure failed");
    },
  });

  let next: NextHandlers | null = null;
  if (opts.ui) {
    const { default: createNext } = await import("next");
    const app = createNext({ dev: config.dev, dir: WEB_DIR, hostname: config.host, port: config.port });
    await app.prepare();
    const handle = app.getRequestHandler();
    const upgrade = app.getUpgradeHandler();
    next = { handle: (req, res) => handle(req, res), upgrade: (req, s, h) => upgrade(req, s, h), close: () => app.close() };
  }

  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    void route(req, res).catch((err: unknown) => {
      // Handlers throw domain errors; their status comes from the one table in domain-error.ts.
      const domain = asDomainError(err);
      if (!domain) log.error({ err, url: req.url }, "request failed");
      if (!res.headersSent) sendJson(res, domain ? httpStatusOf(domain.code) : 500, { error: domain?.message ?? "internal error" });
      else res.destroy();
    });
  };
  // TLS_CERT_FILE/TLS_KEY_FILE: the same handlers behind https (the upgrade listener below too).
  const server = config.tls ? https.createServer({ cert: config.tls.cert, key: config.tls.key }, onRequest) : http.createServer(onRequest);

  async function route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    stampClientAddress(req, config.trustProxy);
    applySecurityHeaders(req, res, { publicUrl: config.publicUrl, dev: config.dev });
    const url = new URL(req.url ?? "/", "http://localhost");
    const p = url.pathname;
    if (p === "/api/health") return sendJson(res, 200, { ok: true, hosts: fleet.listHosts().length });
    if (p === "/api/ready") return sendJson(res, ...(await readiness()));
    if (p === "/api/sso/providers") return sendJson(res, 200, { providers: (await sso.providers()).map(({ id, name }) => ({ id, name })), passwordSignIn: (await settings.get("sso")).passwordSignIn });
    if (isSsoAuthPath(p)) return sso.handle(req, res);
    if (p.startsWith("/api/auth/")) return isAllowedAuthPath(p) ? authHandler(req, res) : sendJson(res, 404, { error: "not found" });
    if (p === AGENT_ENROLL_PATH) return handleEnroll(req, res, { db, agents, audit, log });
    if (p.startsWith("/api/trpc/")) {
      // Cookies authenticate the API, so a cross-site page must not be able to drive it.
      const origin = req.headers.origin;
      if (req.method !== "GET" && origin && origin !== publicOrigin) return sendJson(res, 403, { error: `origin ${origin} is not allowed` });
      const refused = refuseTrpcRequest(req, url);
      if (refused) return sendJson(res, refused.status, { error: refused.error });
      return trpcHandler(req, res);
    }
    if (p === "/api/audit/export") return handleAuditExport(req, res, services);
    if (isRecordingPath(p)) return handleRecordingDownload(req, res, services);
    if (isLogsDownloadPath(p)) return handleLogsDownload(req, res, services);
    if (p.startsWith("/api/")) return sendJson(res, 404, { error: "not found" });
    if (isInstallPath(p)) return handleInstall(req, res, config);
    if (!next) return sendJson(res, 404, { error: "UI disabled" });
    if (!PUBLIC_PAGE.test(p) && !(await hasSession(auth, req.headers, res))) {
      res.writeHead(302, { location: `/login?next=${encodeURIComponent(p + url.search)}` });
      return void res.end();
    }
    return next.handle(req, res);
  }

  // Longer than the usual proxy and client idle timeouts, so an idle keep-alive connection is never
  // closed by us at the moment a client reuses it (which surfaces as ECONNRESET).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  /** Ready to serve: the database answers, and the bus when there are replicas. */
  async function readiness(): Promise<[200 | 503, { ready: boolean; database: boolean; bus: boolean | null }]> {
    const [database, busUp] = await Promise.all([
      db.$queryRaw`SELECT 1`.then(() => true, () => false),
      bus.clustered ? bus.ping() : Promise.resolve(null),
    ]);
    const ready = database && busUp !== false;
    return [ready ? 200 : 503, { ready, database, bus: busUp }];
  }

  server.on("upgrade", (req, socket, head) => {
    const p = new URL(req.url ?? "/", "http://localhost").pathname;
    const handler =
      p === AGENT_SOCKET_PATH ? agents.handleUpgrade.bind(agents)
      : p === AGENT_STREAM_PATH ? streams.handleUpgrade.bind(streams)
      : p === LOGS_SOCKET_PATH ? logs.handleBrowserUpgrade.bind(logs)
      : p === TERMINAL_SOCKET_PATH ? terminals.handleBrowserUpgrade.bind(terminals)
      : null;
    if (handler) {
      stampClientAddress(req, config.trustProxy, replicas.linkToken);
      void handler(req, socket, head).catch((err: unknown) => {
        log.error({ err, path: p }, "upgrade failed");
        socket.destroy();
      });
    } else if (next && config.dev) {
      void next.upgrade(req, socket, head);
    } else {
      refuseUpgrade(socket, 404, "no such WebSocket endpoint");
    }
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : config.port;
  const metricsListener = metrics && config.metricsAddress ? await startMetricsListener(config.metricsAddress, metrics.registry, log) : undefined;
  const url = `${config.tls ? "https" : "http"}://${config.host}:${port}`;
  // Replication starts once this replica can take the connections the others hand over to it.
  await replicas.start(config.port === 0 ? url : config.replicaUrl);
  await replication.start();
  await pulls.followReplicas();
  await rollouts.followReplicas();
  await updates.start();
  autoUpdates.start();
  log.info({ url, replica: bus.clustered ? replicaId : undefined }, "control plane listening");
  if (isInsecureUrl(config.publicUrl)) log.warn({ publicUrl: config.publicUrl }, "PUBLIC_URL is plain http to a non-loopback address: agents refuse it unless installed with --insecure-http; give Stevedore TLS (TLS_CERT_FILE/TLS_KEY_FILE, or an https proxy)");

  return {
    server,
    services,
    url,
    metricsUrl: metricsListener?.url,
    async close() {
      await metricsListener?.close();
      accessWatch.close();
      updates.stop();
      autoUpdates.stop();
      await alerts.stop();
      await terminals.closeAll();
      logs.closeAll();
      streams.closeAll();
      await agents.close();
      replicas.stop();
      await bus.close();
      indexing.abort();
      await indexed;
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await next?.close();
      // What closing sessions and agents appended (terminal.close, …) is written before the database goes.
      await audit.drained();
      // The last entries are witnessed before the process goes.
      await checkpoints.close();
      // Bounded: Prisma 6.19's PostgreSQL pool can keep a connection checked out in an open BEGIN
      // (seen in tests, cause not found), and the pool's end would then wait for it forever.
      const disconnected = db.$disconnect().then(() => true);
      if (!(await Promise.race([disconnected, new Promise<false>((resolve) => setTimeout(() => resolve(false), 3_000).unref())]))) {
        log.warn("a database connection was still busy at shutdown; closing without it");
      }
    },
  };
}
