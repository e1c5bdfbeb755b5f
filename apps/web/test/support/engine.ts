import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import Docker from "dockerode";

const run = promisify(execFile);

export const TEST_IMAGE = "stevedore-test/busybox:latest";
export const TEST_LABEL = "stevedore.test=1";
export const MAIN_SOCKET = "/var/run/docker.sock";

/** Runs the docker CLI against one engine and returns its trimmed stdout. */
export async function docker(args: string[], socket = MAIN_SOCKET): Promise<string> {
  const { stdout } = await run("docker", ["-H", `unix://${socket}`, ...args], { maxBuffer: 64 * 1024 * 1024 });
  return stdout.trim();
}

/** A 2 MB image built offline from the host's busybox (no registry needed). */
export async function ensureTestImage(socket = MAIN_SOCKET): Promise<void> {
  const present = await docker(["images", "-q", TEST_IMAGE], socket).catch(() => "");
  if (present) return;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-image-"));
  fs.copyFileSync(fs.existsSync("/bin/busybox") ? "/bin/busybox" : "/usr/bin/busybox", path.join(dir, "busybox"));
  fs.writeFileSync(
    path.join(dir, "Dockerfile"),
    'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox","--install","-s","/bin"]\nCMD ["sh"]\n',
  );
  await run("docker", ["-H", `unix://${socket}`, "build", "-q", "-t", TEST_IMAGE, dir], { env: { ...process.env, DOCKER_BUILDKIT: "0" } });
  fs.rmSync(dir, { recursive: true, force: true });
}

/** Starts a detached test container and returns its full id. */
export async function runContainer(name: string, args: string[] = ["sleep", "100000"], socket = MAIN_SOCKET, flags: string[] = []): Promise<string> {
  return docker(["run", "-d", "--name", name, "--label", TEST_LABEL, ...flags, TEST_IMAGE, ...args], socket);
}

export async function removeTestContainers(socket = MAIN_SOCKET): Promise<void> {
  const ids = (await docker(["ps", "-aq", "--filter", `label=${TEST_LABEL}`], socket).catch(() => "")).split("\n").filter(Boolean);
  if (ids.length) await docker(["rm", "-f", ...ids], socket).catch(() => "");
}

/**
 * A second Docker engine on this machine, with its own socket, data root, exec root and network
 * namespace: a second "host" for tests that cannot disturb the first engine.
 */
export class SecondEngine {
  readonly dir: string;
  readonly socket: string;
  private proc: ChildProcess | null = null;

  constructor(dir: string) {
    this.dir = dir;
    this.socket = path.join(dir, "docker.sock");
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const log = fs.openSync(path.join(this.dir, "dockerd.log"), "a");
    // In a network namespace of its own, like a separate machine: with --bridge=none dockerd deletes
    // "docker0", which in the shared namespace would be the main engine's bridge.
    this.proc = spawn(
      "unshare",
      [
        "--net",
        "dockerd",
        "-H", `unix://${this.socket}`,
        "--data-root", path.join(this.dir, "data"),
        "--exec-root", path.join(this.dir, "exec"),
        "--pidfile", path.join(this.dir, "docker.pid"),
        "--bridge=none", "--iptables=false", "--ip-masq=false",
      ],
      { stdio: ["ignore", log, log] },
    );
    await waitFor(async () => (await docker(["version", "--format", "{{.Server.Version}}"], this.socket).catch(() => "")) !== "", {
      timeoutMs: 30_000,
      what: "second dockerd to answer",
    });
  }

  /** Copies the test image from the main engine, which the second one cannot pull. */
  async loadTestImage(): Promise<void> {
    if (await docker(["images", "-q", TEST_IMAGE], this.socket)) return;
    await run("sh", ["-c", `docker -H unix://${MAIN_SOCKET} save ${TEST_IMAGE} | docker -H unix://${this.socket} load -q`]);
  }

  async stop(): Promise<void> {
    const proc = this.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise<void>((resolve) => proc.once("exit", () => resolve()));
    proc.kill("SIGTERM");
    await Promise.race([exited, new Promise((r) => setTimeout(r, 20_000))]);
    if (proc.exitCode === null) proc.kill("SIGKILL");
    this.proc = null;
  }
}

export async function waitFor<T>(
  probe: () => Promise<T | false | null | undefined> | T | false | null | undefined,
  { timeoutMs = 10_000, intervalMs = 50, what = "condition" }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value) return value;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ""}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/** Starts n sleeping containers straight on the engine, twelve at a time. */
export async function startMany(n: number, prefix: string, docker = new Docker()): Promise<string[]> {
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: 12 }, async () => {
      while (next < n) {
        const c = await docker.createContainer({ Image: TEST_IMAGE, name: `${prefix}-${next++}`, Cmd: ["sleep", "100000"], Labels: { "stevedore.test": "1" }, HostConfig: { NetworkMode: "none" } });
        await c.start();
        ids.push(c.id);
      }
    }),
  );
  return ids;
}
