import { createHash } from "node:crypto";
import fs from "node:fs";
import type http from "node:http";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { CA_CERT_PATH } from "@stevedore/protocol";
import type { ServerConfig } from "../config";
import { REPO_ROOT } from "../database-url";
import { sendJson } from "../http-json";

/**
 * The one-line agent install: `curl -fsSL $PUBLIC_URL/install/agent.sh | sudo sh -s -- --join TOKEN`.
 * Both paths are public (a host has no session): the script holds no secret, and the bundle is the
 * agent anyone could build from the repo. The token is the only secret, and it stays on the host.
 * `/install/ca.pem` is the CA agents pin (a certificate, no secret): the Add host line and the agent
 * fetch it without trusting anyone yet and accept it only if it hashes to the pin they were given.
 */
export const INSTALL_SCRIPT_PATH = "/install/agent.sh";
export const AGENT_BUNDLE_PATH = "/install/stevedore-agent.mjs";

const SCRIPT_TEMPLATE = path.join(path.dirname(fileURLToPath(import.meta.url)), "agent.sh");
const UNIT_FILE = path.join(REPO_ROOT, "infra", "systemd", "stevedore-agent.service");
/** Built by `npm run build` (agent/scripts/bundle.mjs). */
export const AGENT_BUNDLE_FILE = path.join(REPO_ROOT, "agent", "dist", "stevedore-agent.mjs");

export function isInstallPath(p: string): boolean {
  return p === INSTALL_SCRIPT_PATH || p === AGENT_BUNDLE_PATH || p === CA_CERT_PATH;
}

interface Bundle {
  mtimeMs: number;
  bytes: Buffer;
  sha256: string;
  version: string;
}
let cached: Bundle | null = null;

/** The bundle as built, re-read when a rebuild replaces it; null when it was never built. */
export function readBundle(): Bundle | null {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(AGENT_BUNDLE_FILE);
  } catch {
    return null;
  }
  if (cached?.mtimeMs !== stat.mtimeMs) {
    const bytes = fs.readFileSync(AGENT_BUNDLE_FILE);
    const version = /^\/\/ stevedore-agent (\S+):/m.exec(bytes.subarray(0, 512).toString("utf8"))?.[1] ?? "unknown";
    cached = { mtimeMs: stat.mtimeMs, bytes, sha256: createHash("sha256").update(bytes).digest("hex"), version };
  }
  return cached;
}

/** The installer with this control plane's URL, the bundle's digest and the systemd unit filled in. */
export function renderInstallScript(publicUrl: string, bundle: { sha256: string; version: string }): string {
  // Single-quoted in the script: a URL that could break out of the quotes is refused by config already.
  if (/['\s]/.test(publicUrl)) throw new Error(`PUBLIC_URL ${publicUrl} cannot be put in the install script`);
  return fs
    .readFileSync(SCRIPT_TEMPLATE, "utf8")
    .replaceAll("@STEVEDORE_URL@", publicUrl)
    .replaceAll("@BUNDLE_SHA256@", bundle.sha256)
    .replaceAll("@AGENT_VERSION@", bundle.version)
    .replace("@UNIT@", fs.readFileSync(UNIT_FILE, "utf8").trimEnd());
}

export function handleInstall(req: http.IncomingMessage, res: http.ServerResponse, config: Pick<ServerConfig, "publicUrl" | "agentCa">): void {
  if (req.method !== "GET" && req.method !== "HEAD") return sendJson(res, 405, { error: "GET only" });
  const p = new URL(req.url ?? "/", "http://localhost").pathname;
  if (p === CA_CERT_PATH) {
    if (!config.agentCa) return sendJson(res, 404, { error: "no CA to pin: this control plane's certificate chains to a public CA, or TLS ends at a proxy without TLS_CA_FILE" });
    res.writeHead(200, { "content-type": "application/x-pem-file", "cache-control": "no-cache", "content-length": Buffer.byteLength(config.agentCa.pem) });
    return void res.end(req.method === "HEAD" ? undefined : config.agentCa.pem);
  }
  const bundle = readBundle();
  if (!bundle) return sendJson(res, 503, { error: "the agent bundle is not built on this control plane: run `npm run build`" });
  if (p === INSTALL_SCRIPT_PATH) {
    const script = renderInstallScript(config.publicUrl, bundle);
    res.writeHead(200, { "content-type": "text/x-shellscript; charset=utf-8", "cache-control": "no-store", "content-length": Buffer.byteLength(script) });
    return void res.end(req.method === "HEAD" ? undefined : script);
  }
  const etag = `"${bundle.sha256}"`;
  if (req.headers["if-none-match"] === etag) {
    res.writeHead(304, { etag });
    return void res.end();
  }
  res.writeHead(200, { "content-type": "text/javascript; charset=utf-8", "cache-control": "no-cache", etag, "content-length": bundle.bytes.length });
  res.end(req.method === "HEAD" ? undefined : bundle.bytes);
}
