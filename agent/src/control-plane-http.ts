import http from "node:http";
import https from "node:https";

/**
 * Whom the agent trusts for TLS: the pinned CA alone (`ca`), the system's CAs (neither), or, for the
 * one fetch of the certificate it then checks against the pin, nobody (`unverified`).
 */
export interface Trust {
  ca?: string;
  unverified?: boolean;
}

/** OpenSSL's verification failures and Node's name check, as a TLS handshake reports them. */
export function isCertificateError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | null)?.code ?? "";
  return code === "ERR_TLS_CERT_ALTNAME_INVALID" || /CERT|SELF_SIGNED|UNABLE_TO_(GET_ISSUER|VERIFY)/.test(code);
}

export interface HttpReply {
  status: number;
  statusText: string;
  body: Buffer;
}

/**
 * One request to the control plane with node:http(s), which, unlike Node 20's global fetch, takes a
 * CA of our own. The body read is capped (what the agent asks for is small), as is the time.
 */
export function requestControlPlane(url: URL, opts: { method?: string; json?: unknown; trust: Trust; timeoutMs?: number; maxBytes?: number }): Promise<HttpReply> {
  const body = opts.json === undefined ? undefined : JSON.stringify(opts.json);
  const maxBytes = opts.maxBytes ?? 1024 * 1024;
  const tls = url.protocol === "https:" ? { ...(opts.trust.ca && { ca: opts.trust.ca }), rejectUnauthorized: !opts.trust.unverified } : {};
  return new Promise((resolve, reject) => {
    const req = (url.protocol === "https:" ? https : http).request(url, {
      method: opts.method ?? "GET",
      headers: body === undefined ? {} : { "content-type": "application/json", "content-length": Buffer.byteLength(body) },
      timeout: opts.timeoutMs ?? 15_000,
      // A connection of its own: a shared keep-alive socket could carry another trust decision.
      agent: false,
      ...tls,
    });
    req.on("timeout", () => req.destroy(new Error(`no answer from ${url.origin} within ${(opts.timeoutMs ?? 15_000) / 1000} s`)));
    req.on("error", reject);
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return req.destroy(new Error(`the answer from ${url.origin} is over ${maxBytes} bytes`));
        chunks.push(chunk);
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, statusText: res.statusMessage ?? "", body: Buffer.concat(chunks) }));
      res.on("error", reject);
    });
    req.end(body);
  });
}
