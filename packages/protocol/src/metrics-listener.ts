// Node-only (node:http): its own entry point, @stevedore/protocol/metrics-listener, kept out of the
// package's main export, which the browser bundle imports.
import http from "node:http";

/** What a prom-client Registry offers a scrape. */
export interface MetricsSource {
  metrics(): Promise<string>;
  readonly contentType: string;
}

interface ListenerLog {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface ListenAddress {
  host: string;
  port: number;
}

/** "127.0.0.1:9464", "[::1]:9464", "0.0.0.0:9464"; null when it is not host:port. */
export function parseListenAddress(value: string): ListenAddress | null {
  const m = /^(?:\[([0-9A-Fa-f:.]+)\]|([A-Za-z0-9.-]+)):(\d{1,5})$/.exec(value);
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) return null;
  return { host: m[1] ?? m[2]!, port };
}

export interface MetricsListener {
  url: string;
  close(): Promise<void>;
}

/**
 * `GET /metrics` on a listener of its own, apart from the public port (as Coder does): whoever can
 * reach it reads the figures without signing in, so it is opt-in and bound where the operator says.
 * The control plane (METRICS_ADDRESS) and the agent (--metrics-address) both serve theirs with it.
 */
export async function startMetricsListener(address: ListenAddress, registry: MetricsSource, log: ListenerLog): Promise<MetricsListener> {
  const server = http.createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    if (path !== "/metrics" || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("only GET /metrics is served here\n");
      return;
    }
    registry.metrics().then(
      (body) => res.writeHead(200, { "content-type": registry.contentType, "cache-control": "no-store" }).end(req.method === "HEAD" ? undefined : body),
      (err: unknown) => {
        log.error({ err }, "metrics: collecting failed");
        res.writeHead(500, { "content-type": "text/plain" }).end("collecting the metrics failed (the server logged why)\n");
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(address.port, address.host, () => resolve());
  });
  const bound = server.address();
  const port = typeof bound === "object" && bound ? bound.port : address.port;
  const url = `http://${address.host.includes(":") ? `[${address.host}]` : address.host}:${port}/metrics`;
  log.info({ url }, "metrics listening");
  return {
    url,
    close: () => {
      server.closeAllConnections();
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
