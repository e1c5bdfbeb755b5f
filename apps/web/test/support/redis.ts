import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { freePort } from "./stack";

export interface TestRedis {
  url: string;
  /** With `tls`: the PEM file of the CA that signed the server's certificate (REDIS_TLS_CA_FILE). */
  caFile: string | null;
  stop(): Promise<void>;
}

export interface TestRedisOptions {
  /** TLS only (rediss://), with a certificate from a CA made for this server. */
  tls?: boolean;
  /** An ACL user limited to Stevedore's keys and channels; the default user is switched off. */
  user?: { name: string; password: string };
}

/** A throwaway Debian redis-server (installed by the test command) on a free port, nothing kept on disk. */
export async function startRedis(opts: TestRedisOptions = {}): Promise<TestRedis> {
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-redis-"));
  const args = ["--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", dir];
  if (opts.tls) {
    makeCertificates(dir);
    args.push("--port", "0", "--tls-port", String(port), "--tls-cert-file", path.join(dir, "server.crt"), "--tls-key-file", path.join(dir, "server.key"), "--tls-ca-cert-file", path.join(dir, "ca.crt"), "--tls-auth-clients", "no");
  } else {
    args.push("--port", String(port));
  }
  if (opts.user) args.push("--user", "default", "off", "--user", opts.user.name, "on", `>${opts.user.password}`, "~stevedore:*", "&stevedore:*", "+@all");
  const proc = spawn("redis-server", args, { stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  proc.stdout.on("data", (d: Buffer) => (output += d.toString()));
  proc.stderr.on("data", (d: Buffer) => (output += d.toString()));
  const deadline = Date.now() + 10_000;
  while (!(await (opts.tls || opts.user ? listens(port) : answers(port)))) {
    if (proc.exitCode !== null || Date.now() > deadline) throw new Error(`redis-server did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const credentials = opts.user ? `${encodeURIComponent(opts.user.name)}:${encodeURIComponent(opts.user.password)}@` : "";
  return {
    url: `${opts.tls ? "rediss" : "redis"}://${credentials}127.0.0.1:${port}`,
    caFile: opts.tls ? path.join(dir, "ca.crt") : null,
    stop: async () => {
      if (proc.exitCode === null) {
        proc.kill("SIGTERM");
        await new Promise((r) => proc.once("exit", r));
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A CA and a server certificate for 127.0.0.1 signed by it, with openssl, in `dir`. */
function makeCertificates(dir: string): void {
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", "ca.key", "-out", "ca.crt", "-subj", "/CN=stevedore test CA", "-days", "1");
  openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj", "/CN=127.0.0.1");
  fs.writeFileSync(path.join(dir, "san.ext"), "subjectAltName=IP:127.0.0.1,DNS:localhost\n");
  openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-CAcreateserial", "-out", "server.crt", "-days", "1", "-extfile", "san.ext");
}

/** The port accepts connections (a PING would need the TLS handshake, or the ACL user, first). */
function listens(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => {
      s.destroy();
      resolve(true);
    });
    s.once("error", () => resolve(false));
  });
}

function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = net.connect(port, "127.0.0.1", () => s.write("PING\r\n"));
    s.once("data", (d) => {
      s.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
    s.once("error", () => resolve(false));
  });
}
