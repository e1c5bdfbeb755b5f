import { execFileSync, execSync } from "node:child_process";
import fs from "node:fs";
import https from "node:https";
import os from "node:os";
import path from "node:path";
import { createTRPCClient, httpBatchLink } from "@trpc/client";
import superjson from "superjson";
import type { AppRouter } from "../../server/trpc/root";

/**
 * Real certificates for tests, made with the openssl CLI: a CA, a server certificate it issued for
 * 127.0.0.1 and localhost (with the chain file the control plane reads), and a second CA that has
 * nothing to do with them. Pins are computed with openssl too, as the Add host line computes them,
 * so the control plane's own arithmetic is checked against an independent one.
 */
export interface TestCa {
  cert: string;
  key: string;
  pin: string;
}
export interface TestPki {
  dir: string;
  ca: TestCa;
  /** The server certificate then the CA (TLS_CERT_FILE), and its key (TLS_KEY_FILE). */
  chainFile: string;
  keyFile: string;
  /** The server certificate alone. */
  leafFile: string;
  other: TestCa;
  remove(): void;
}

function openssl(args: string[], cwd: string): void {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

/** `sha256:` + the hex SHA-256 of the certificate's SubjectPublicKeyInfo, by openssl. */
export function opensslPin(certFile: string): string {
  const hex = execSync(`openssl x509 -in '${certFile}' -noout -pubkey | openssl pkey -pubin -outform der | sha256sum | cut -d' ' -f1`, { encoding: "utf8" }).trim();
  return `sha256:${hex}`;
}

function makeCa(dir: string, name: string): TestCa {
  openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", `${name}.key`, "-out", `${name}.pem`, "-days", "2", "-subj", `/CN=Stevedore test ${name}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], dir);
  const cert = path.join(dir, `${name}.pem`);
  return { cert, key: path.join(dir, `${name}.key`), pin: opensslPin(cert) };
}

export function makeTestPki(): TestPki {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-pki-"));
  const ca = makeCa(dir, "ca");
  const other = makeCa(dir, "other-ca");
  fs.writeFileSync(path.join(dir, "server.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n");
  openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=localhost"], dir);
  openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "server.ext"], dir);
  const chainFile = path.join(dir, "server-chain.pem");
  fs.writeFileSync(chainFile, fs.readFileSync(path.join(dir, "server.pem"), "utf8") + fs.readFileSync(ca.cert, "utf8"));
  return { dir, ca, chainFile, keyFile: path.join(dir, "server.key"), leafFile: path.join(dir, "server.pem"), other, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** A fetch that trusts `caFile` alone (Node 20's global fetch takes no CA of its own). */
export function fetchTrusting(caFile: string): typeof fetch {
  const ca = fs.readFileSync(caFile, "utf8");
  return (async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : input);
    const headers = new Headers(init?.headers);
    const body = init?.body === undefined || init.body === null ? undefined : String(init.body);
    return new Promise<Response>((resolve, reject) => {
      const req = https.request(url, { method: init?.method ?? "GET", headers: Object.fromEntries(headers), ca, agent: false, signal: init?.signal ?? undefined }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers)) for (const v of [value ?? []].flat()) out.append(name, v);
          const status = res.statusCode ?? 500;
          resolve(new Response([204, 304].includes(status) ? null : Buffer.concat(chunks), { status, headers: out }));
        });
        res.on("error", reject);
      });
      req.on("error", reject);
      req.end(body);
    });
  }) as typeof fetch;
}

/** A signed-in API client over https, trusting `caFile` alone. */
export async function tlsApiClient(url: string, caFile: string, email: string, password: string) {
  return (await tlsSession(url, caFile, email, password)).api;
}

/** Signed in over https trusting `caFile` alone: the API client, the session cookie and that fetch. */
export async function tlsSession(url: string, caFile: string, email: string, password: string) {
  const f = fetchTrusting(caFile);
  const res = await f(`${url}/api/auth/sign-in/email`, { method: "POST", headers: { "content-type": "application/json", origin: url }, body: JSON.stringify({ email, password }) });
  if (!res.ok) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
  const cookie = res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const api = createTRPCClient<AppRouter>({ links: [httpBatchLink({ url: `${url}/api/trpc`, transformer: superjson, fetch: f, headers: () => ({ cookie, origin: url }) })] });
  return { api, cookie, fetch: f };
}
