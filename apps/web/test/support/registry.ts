import { type ChildProcess, execFile, spawn } from "node:child_process";
import fs from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { MAIN_SOCKET, TEST_IMAGE, docker, waitFor } from "./engine";
import { freePort } from "./stack";

const run = promisify(execFile);

/**
 * A real registry (Debian's docker-registry, the CNCF distribution) on 127.0.0.1, which the engine
 * treats as insecure (plain HTTP) by default, with its storage in a temporary directory.
 */
export class TestRegistry {
  private constructor(
    readonly host: string,
    private readonly proc: ChildProcess,
    private readonly dir: string,
  ) {}

  static async start(): Promise<TestRegistry> {
    const port = await freePort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-registry-"));
    const config = path.join(dir, "config.yml");
    fs.writeFileSync(
      config,
      [
        "version: 0.1",
        "log: { level: error }",
        `storage: { filesystem: { rootdirectory: ${path.join(dir, "data")} }, delete: { enabled: true } }`,
        `http: { addr: 127.0.0.1:${port} }`,
        "",
      ].join("\n"),
    );
    const proc = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
    let stderr = "";
    proc.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const host = `127.0.0.1:${port}`;
    await waitFor(async () => (await fetch(`http://${host}/v2/`).catch(() => null))?.status === 200, { timeoutMs: 15_000, what: `the registry to answer (${stderr})` });
    return new TestRegistry(host, proc, dir);
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
  await docker(["push", "-q", ref]);
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
