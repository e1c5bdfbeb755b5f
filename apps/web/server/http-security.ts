import crypto from "node:crypto";
import type http from "node:http";
import { TRPC_MAX_BATCH, TRPC_MAX_BODY_BYTES } from "../src/lib/trpc-limits";
import { SECOND_FACTOR_PATHS } from "./two-factor/factor-plugin";

export { TRPC_MAX_BATCH, TRPC_MAX_BODY_BYTES };

/**
 * The better-auth endpoints the product uses (the login page, sign-out in the header, and the
 * session read). Everything else better-auth mounts under /api/auth/ (its admin plugin's
 * set-user-password, set-role, impersonation, list-sessions, …; update-user, change-email, …) would
 * bypass the audit trail and the last-admin guard, so from outside it is 404. The server's own
 * `auth.api.*` calls do not go through HTTP and are unaffected.
 */
export const AUTH_PATHS: ReadonlySet<string> = new Set([
  "/api/auth/sign-in/email",
  "/api/auth/sign-out",
  "/api/auth/get-session",
  // The caller's own second factors and sessions (audited by two-factor/factor-plugin.ts).
  ...SECOND_FACTOR_PATHS.map((p) => `/api/auth${p}`),
]);

export function isAllowedAuthPath(pathname: string): boolean {
  return AUTH_PATHS.has(pathname);
}

/**
 * The Content-Security-Policy of every response. Scripts: our own files, plus inline scripts that
 * carry this response's nonce (Next.js reads the nonce from the request's CSP header and puts it on
 * the inline scripts it renders, so pages are rendered per request: see app/layout.tsx).
 * 'wasm-unsafe-eval' lets the recording player (asciinema-player) compile its WebAssembly terminal; it
 * allows no eval of JavaScript. In dev, Next's hot reloading evaluates code ('unsafe-eval'). Styles allow 'unsafe-inline': React renders style
 * attributes and xterm.js and uPlot insert <style> elements; styles cannot run code. Connections: our
 * origin and its WebSocket twin (terminals, log streams).
 */
export function contentSecurityPolicy(publicUrl: string, nonce: string, dev: boolean): string {
  const url = new URL(publicUrl);
  const ws = `${url.protocol === "https:" ? "wss:" : "ws:"}//${url.host}`;
  return [
    "default-src 'self'",
    `script-src 'self' 'nonce-${nonce}' 'wasm-unsafe-eval'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    `connect-src 'self' ${ws}`,
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

/**
 * Sets the security headers on a response before anything else writes it: pages, API, downloads and
 * errors alike. HSTS only when the public URL is https (on plain http browsers ignore it, and a
 * loopback dev setup must not be pinned to https). Returns the response's nonce.
 */
export function applySecurityHeaders(req: http.IncomingMessage, res: http.ServerResponse, opts: { publicUrl: string; dev: boolean }): string {
  const nonce = crypto.randomBytes(16).toString("base64");
  const csp = contentSecurityPolicy(opts.publicUrl, nonce, opts.dev);
  res.setHeader("content-security-policy", csp);
  res.setHeader("x-frame-options", "DENY");
  res.setHeader("x-content-type-options", "nosniff");
  res.setHeader("referrer-policy", "same-origin");
  if (opts.publicUrl.startsWith("https:")) res.setHeader("strict-transport-security", "max-age=31536000; includeSubDomains");
  // Next.js takes the nonce for its inline scripts from the request's CSP header; whatever a client
  // sent there is replaced.
  req.headers["content-security-policy"] = csp;
  delete req.headers["content-security-policy-report-only"];
  return nonce;
}

/**
 * Checks a tRPC request before tRPC reads it: a mutation (POST) must be JSON, so a cross-site form
 * (text/plain, multipart, urlencoded: no CORS preflight) cannot drive it even without an Origin
 * header; a body may not announce more than TRPC_MAX_BODY_BYTES (tRPC's own maxBodySize stops a
 * chunked one as it streams); a batch may hold at most TRPC_MAX_BATCH calls. Null when it may pass.
 */
export function refuseTrpcRequest(req: http.IncomingMessage, url: URL): { status: 400 | 413 | 415; error: string } | null {
  if (req.method === "POST") {
    const type = (req.headers["content-type"] ?? "").split(";")[0]!.trim().toLowerCase();
    if (type !== "application/json") return { status: 415, error: `a tRPC call must be sent as application/json, not ${type || "without a content type"}` };
  }
  const length = Number(req.headers["content-length"] ?? 0);
  if (length > TRPC_MAX_BODY_BYTES) return { status: 413, error: `the request body is ${length} bytes; the API accepts at most ${TRPC_MAX_BODY_BYTES} (1 MiB)` };
  if (url.searchParams.get("batch") === "1") {
    const calls = url.pathname.slice("/api/trpc/".length).split(",").length;
    if (calls > TRPC_MAX_BATCH) return { status: 400, error: `a batch may hold at most ${TRPC_MAX_BATCH} calls; this one has ${calls}` };
  }
  return null;
}
