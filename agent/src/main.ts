import os from "node:os";
import pino from "pino";
import { ControlConnection, FatalConnectionError } from "./control-connection";
import { PinMismatchError, caFileFor, loadPinnedCa } from "./ca-pin";
import { ConfigError, UsageError, loadConfig, transportProblems } from "./config";
import { EnrollmentError, enroll, readCredentials, writeCredentials } from "./credentials";
import { Engine } from "./engine";
import { readHostFacts } from "./host-facts";
import { HostSync } from "./host-sync";
import { handleRequest } from "./requests";
import { StatsCollector } from "./stats-collector";
import { openStream } from "./stream-socket";

/** Exit status for a refusal that a restart cannot fix (systemd: RestartPreventExitStatus=78). */
const EXIT_CONFIG = 78;
/** A bad command line: the shell convention, and not 1, which systemd would restart for ever. */
const EXIT_USAGE = 2;

async function main(): Promise<void> {
  const config = loadConfig(process.argv.slice(2), process.env);
  const log = pino({ name: "stevedore-agent", level: config.logLevel });
  if (config.bindMounts !== "any") log.info({ bindMounts: config.bindMounts }, "this host's own bind-mount rule applies to every run (--bind-mounts)");

  let creds = await readCredentials(config.credentialsFile);
  if (creds && config.joinToken) {
    log.info({ file: config.credentialsFile }, "already enrolled; ignoring the join token");
  }
  if (!creds && (!config.url || !config.joinToken)) {
    throw new ConfigError(`not enrolled yet (no ${config.credentialsFile}): run once with --url URL --join TOKEN from "Add host"`);
  }
  // The URL an enrolled host keeps is held to the same rule as the flags (an older agent enrolled it).
  const url = creds?.url ?? config.url!;
  const caPin = config.caPin ?? creds?.caPin;
  const problems = transportProblems(url, { insecureHttp: config.insecureHttp, caPin });
  if (problems.length > 0) throw new ConfigError(`${problems.join("\n")}${creds ? ` (the URL kept in ${config.credentialsFile})` : ""}`);
  // Before anything secret is sent: from here on the pinned CA is the only one trusted.
  const ca = caPin ? await loadPinnedCa({ url, pin: caPin, caFile: caFileFor(config.credentialsFile), log }) : undefined;
  if (!creds) {
    creds = { ...(await enroll(url, config.joinToken!, config.hostname, { ca })), ...(caPin && { caPin }) };
    await writeCredentials(config.credentialsFile, creds);
    log.info({ hostId: creds.hostId, file: config.credentialsFile }, "enrolled");
  } else if (caPin !== creds.caPin) {
    creds = { ...creds, caPin };
    await writeCredentials(config.credentialsFile, creds);
    log.info({ caPin }, "the control plane's CA is pinned from now on (--ca-pin)");
  }
  if (config.enrollOnly) {
    log.info({ hostId: creds.hostId, url: creds.url }, "enrolled; not connecting (--enroll)");
    return;
  }

  const enrolled = creds;
  /** The control plane's new credential for this host: on disk first, then in use (the connection and stream sockets read it from `enrolled`). */
  const rotateCredential = async (credential: string) => {
    if (!credential.startsWith(`${enrolled.hostId}.`)) throw new Error("the rotated credential is for another host");
    await writeCredentials(config.credentialsFile, { ...enrolled, credential });
    enrolled.credential = credential;
    log.info("host credential rotated");
  };

  // Loaded only when asked for: prom-client is a tenth of the bundle.
  const metrics = config.metricsAddress ? new (await import("./agent-metrics")).AgentMetrics() : undefined;
  const engine = new Engine(config.dockerSocket, metrics);
  let connection: ControlConnection | null = null;
  const sync = new HostSync(engine, log, (msg) => connection?.send(msg));
  connection = new ControlConnection({
    creds: enrolled,
    ca,
    hostFacts: () => readHostFacts(config.hostname, config.bindMounts),
    sync,
    handleRequest: async (req, io) => {
      const started = performance.now();
      const res = await handleRequest({ engine, sync, bindMounts: config.bindMounts, openStream: (id) => openStream(enrolled, connection!.currentUrl, ca, id, engine.docker, log), rotateCredential }, req, io);
      metrics?.observeRequest(req.method, res.type === "response" && !res.ok ? res.error.code : "ok", (performance.now() - started) / 1000);
      return res;
    },
    log,
    metrics,
    onFatal: (err) => {
      log.fatal(err.message);
      sync.stop();
      process.exit(EXIT_CONFIG);
    },
  });
  if (config.metricsAddress && metrics) {
    const { startMetricsListener } = await import("@stevedore/protocol/metrics-listener");
    await startMetricsListener(config.metricsAddress, metrics.registry, log);
  }
  await sync.start();
  connection.start();
  const stats = new StatsCollector(engine.docker, config.statsIntervalMs, os.totalmem(), (msg) => connection?.send(msg), log, () => sync.facts?.dockerRootDir || null);
  stats.start();

  const shutdown = (signal: string) => {
    log.info({ signal }, "shutting down");
    connection?.stop();
    sync.stop();
    stats.stop();
    setTimeout(() => process.exit(0), 200).unref();
  };
  process.once("SIGINT", () => shutdown("SIGINT"));
  process.once("SIGTERM", () => shutdown("SIGTERM"));
}

main().catch((err: unknown) => {
  if (err instanceof UsageError) {
    console.error(`stevedore-agent: ${err.message}`);
    process.exit(EXIT_USAGE);
  }
  if (err instanceof ConfigError || err instanceof EnrollmentError || err instanceof FatalConnectionError || err instanceof PinMismatchError) {
    console.error(`stevedore-agent: ${err.message}`);
    process.exit(EXIT_CONFIG);
  }
  console.error(err);
  process.exit(1);
});
