import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import bcrypt from "bcryptjs";
import { MAIN_SOCKET, TEST_IMAGE, docker, waitFor } from "./engine";
import { freePort } from "./stack";

const run = promisify(execFile);

/**
 * A real registry (Debian's docker-registry, the CNCF distribution) on 127.0.0.1, which the engine
 * treats as insecure (plain HTTP) by default, with its storage in a temporary directory. With `users`
 * it is private: HTTP basic auth from an htpasswd file (bcrypt, as the registry requires).
 */
export class TestRegistry {
  private constructor(
    readonly host: string,
    private readonly proc: ChildProcess,
    private readonly dir: string,
    /** Docker CLI configuration directory holding a login to this registry (private ones). */
    readonly dockerConfig: string | null,
    private readonly log: { text: string },
  ) {}

  /** How many requests the registry says it answered (its own access log; with `countRequests` only). */
  answered(): number {
    return this.log.text.match(/response completed/g)?.length ?? 0;
  }

  /**
   * `tls`: HTTPS with a self-signed certificate for 127.0.0.1 made here by openssl (trusted by nobody:
   * what a TLS mismatch or an untrusted certificate looks like).
   */
  static async start(opts: { users?: Record<string, string>; countRequests?: boolean; tls?: boolean } = {}): Promise<TestRegistry> {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-registry-"));
    const cert = path.join(dir, "cert.pem");
    const key = path.join(dir, "key.pem");
    if (opts.tls) {
      await run("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"]);
    }
    const config = path.join(dir, "config.yml");
    const users = Object.entries(opts.users ?? {});
    if (users.length) fs.writeFileSync(path.join(dir, "htpasswd"), users.map(([u, p]) => `${u}:${bcrypt.hashSync(p, 6)}`).join("\n") + "\n");
    fs.writeFileSync(
      config,
      [
        "version: 0.1",
        `log: { level: ${opts.countRequests ? "info" : "error"} }`,
        `storage: { filesystem: { rootdirectory: ${path.join(dir, "data")} }, delete: { enabled: true } }`,
        opts.tls ? `http: { addr: 127.0.0.1:${port}, tls: { certificate: ${cert}, key: ${key} } }` : `http: { addr: 127.0.0.1:${port} }`,
        ...(users.length ? [`auth: { htpasswd: { realm: stevedore-test, path: ${path.join(dir, "htpasswd")} } }`] : []),
        "",
      ].join("\n"),
    );
    const proc = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
    const log = { text: "" };
    proc.stderr!.on("data", (d: Buffer) => (log.text += d.toString()));
    const host = `127.0.0.1:${port}`;
    // A TLS registry answers plain HTTP with 400 ("Client sent an HTTP request to an HTTPS server").
    const expected = opts.tls ? 400 : users.length ? 401 : 200;
    await waitFor(async () => (await fetch(`http://${host}/v2/`).catch(() => null))?.status === expected, { timeoutMs: 15_000, what: `the registry to answer (${log.text})` });
    let dockerConfig: string | null = null;
    if (users.length) {
      dockerConfig = path.join(dir, "docker-config");
      fs.mkdirSync(dockerConfig);
      const [user, password] = users[0]!;
      await new Promise<void>((resolve, reject) => {
        const login = spawn("docker", ["-H", `unix://${MAIN_SOCKET}`, "--config", dockerConfig!, "login", "-u", user, "--password-stdin", host], { stdio: ["pipe", "ignore", "pipe"] });
        let err = "";
        login.stderr!.on("data", (d: Buffer) => (err += d.toString()));
        login.once("exit", (code) => (code === 0 ? resolve() : reject(new Error(`docker login: ${err}`))));
        login.stdin!.end(password);
      });
    }
    return new TestRegistry(host, proc, dir, dockerConfig, log);
  }

  async stop(): Promise<void> {
    this.proc.kill();
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * Builds an image of three layers (the busybox base plus two of random data, so the pull has bytes
 * to download and a layer that already exists), pushes it, and removes it locally so it must be
 * pulled. Returns its reference.
 */
export async function pushLayeredImage(registry: TestRegistry, name = "stevedore-test/layered:1", megabytes = 4): Promise<string> {
  const ref = `${registry.host}/${name}`;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-layered-"));
  fs.writeFileSync(
    path.join(dir, "Dockerfile"),
    `FROM ${TEST_IMAGE}\nRUN dd if=/dev/urandom of=/one bs=1048576 count=${megabytes} 2>/dev/null\nRUN dd if=/dev/urandom of=/two bs=1048576 count=${megabytes} 2>/dev/null\nLABEL stevedore.test=1\nCMD ["sleep", "100000"]\n`,
  );
  await run("docker", ["-H", `unix://${MAIN_SOCKET}`, "build", "-q", "-t", ref, dir], { env: { ...process.env, DOCKER_BUILDKIT: "0" } });
  fs.rmSync(dir, { recursive: true, force: true });
  await run("docker", ["-H", `unix://${MAIN_SOCKET}`, ...(registry.dockerConfig ? ["--config", registry.dockerConfig] : []), "push", "-q", ref]);
  await docker(["rmi", ref]);
  return ref;
}

/**
 * A TCP proxy to the registry that lets through about `bytesPerSecond`: a slow network, for what
 * must be seen mid-pull (progress, cancel). Pull through `proxy.host` instead of the registry's.
 */
export async function startSlowProxy(target: string, bytesPerSecond: number): Promise<{ host: string; close: () => Promise<void> }> {
  const [targetHost, targetPort] = target.split(":");
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const upstream = net.connect(Number(targetPort), targetHost);
    sockets.add(client).add(upstream);
    client.pipe(upstream);
    upstream.on("data", (chunk: Buffer) => {
      upstream.pause();
      client.write(chunk);
      setTimeout(() => upstream.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    upstream.on("end", () => client.end());
    const drop = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
  });
  const port = await freePort();
  await new Promise<void>((resolve) => server.listen(port, "127.0.0.1", resolve));
  return {
    host: `127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/**
 * Builds a one-layer image from the test image that differs by `marker` (a label, so each marker is a
 * distinct image id), with its own command and healthcheck if given, tags it as each of `refs`
 * (registry-relative) and pushes them. Returns its id.
 */
export async function pushMarkedImage(registry: Pick<TestRegistry, "host" | "dockerConfig">, refs: string[], marker: string, opts: { cmd?: string[]; healthcheck?: string } = {}): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-marked-"));
  const lines = [`FROM ${TEST_IMAGE}`, `LABEL stevedore.test=1 stevedore.test.marker=${marker}`, `CMD ${JSON.stringify(opts.cmd ?? ["sleep", "100000"])}`, ...(opts.healthcheck ? [`HEALTHCHECK ${opts.healthcheck}`] : [])];
  fs.writeFileSync(path.join(dir, "Dockerfile"), `${lines.join("\n")}\n`);
  const tags = refs.flatMap((r) => ["-t", `${registry.host}/${r}`]);
  await run("docker", ["-H", `unix://${MAIN_SOCKET}`, "build", "-q", ...tags, dir], { env: { ...process.env, DOCKER_BUILDKIT: "0" } });
  fs.rmSync(dir, { recursive: true, force: true });
  for (const r of refs) await run("docker", ["-H", `unix://${MAIN_SOCKET}`, ...(registry.dockerConfig ? ["--config", registry.dockerConfig] : []), "push", "-q", `${registry.host}/${r}`]);
  return (await docker(["image", "inspect", "-f", "{{.Id}}", `${registry.host}/${refs[0]}`])).trim();
}

/** A manifest as the registry stores it: the descriptor an index lists it by. */
export async function manifestDescriptor(registry: Pick<TestRegistry, "host">, repository: string, reference: string): Promise<{ mediaType: string; digest: string; size: number }> {
  const res = await fetch(`http://${registry.host}/v2/${repository}/manifests/${reference}`, { headers: { accept: "application/vnd.docker.distribution.manifest.v2+json" } });
  if (!res.ok) throw new Error(`manifest ${repository}:${reference}: HTTP ${res.status}`);
  const body = Buffer.from(await res.arrayBuffer());
  return { mediaType: res.headers.get("content-type")!, digest: res.headers.get("docker-content-digest")!, size: body.length };
}

/** Puts a hand-built OCI image index under `tag`, one entry per platform; returns its digest. */
export async function putIndex(registry: Pick<TestRegistry, "host">, repository: string, tag: string, entries: { platform: { os: string; architecture: string; variant?: string }; manifest: { mediaType: string; digest: string; size: number } }[]): Promise<string> {
  const index = { schemaVersion: 2, mediaType: "application/vnd.oci.image.index.v1+json", manifests: entries.map((e) => ({ ...e.manifest, platform: e.platform })) };
  const res = await fetch(`http://${registry.host}/v2/${repository}/manifests/${tag}`, { method: "PUT", headers: { "content-type": index.mediaType }, body: JSON.stringify(index) });
  if (res.status !== 201) throw new Error(`putting the index ${repository}:${tag}: HTTP ${res.status} ${await res.text()}`);
  return res.headers.get("docker-content-digest")!;
}
