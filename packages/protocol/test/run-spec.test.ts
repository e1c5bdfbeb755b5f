import { describe, expect, it } from "vitest";
import { ImageReference, RunSpec, dockerRunCommand, mutableTagWarning, parseByteSize } from "../src";

describe("image references", () => {
  it.each(["busybox", "busybox:1.36", "library/ubuntu:14.04", "registry.example.com:5000/team/app:2.1", `app@sha256:${"a".repeat(64)}`, "127.0.0.1:5000/x"])("accepts %s", (ref) => {
    expect(ImageReference.safeParse(ref).success).toBe(true);
  });
  it.each(["", "UPPER/case", "bad ref", "x:", "a/b:c:d", "-lead"])("refuses %j", (ref) => {
    expect(ImageReference.safeParse(ref).success).toBe(false);
  });
  it("warns about references that can name another image tomorrow, not about versions and digests", () => {
    expect(mutableTagWarning("ubuntu")).toMatch(/^No tag: the engine runs :latest/);
    expect(mutableTagWarning("registry:5000/ubuntu")).toMatch(/^No tag/);
    expect(mutableTagWarning("ubuntu:latest")).toMatch(/:latest is a moving tag/);
    expect(mutableTagWarning("registry:5000/team/app:stable")).toMatch(/:stable is a moving tag/);
    expect(mutableTagWarning("node:20")).toMatch(/:20 follows new releases/);
    expect(mutableTagWarning("ubuntu:14.04")).toMatch(/:14.04 follows new releases/);
    expect(mutableTagWarning("nginx:1.27.3")).toBeNull();
    expect(mutableTagWarning("registry:5000/app:2024-11-28-abc123")).toBeNull();
    expect(mutableTagWarning(`ubuntu@sha256:${"b".repeat(64)}`)).toBeNull();
    expect(mutableTagWarning("")).toBeNull();
  });
});

describe("sizes", () => {
  it.each([
    ["1g", 1024 ** 3],
    ["64m", 64 * 1024 ** 2],
    ["1.5GiB", 1.5 * 1024 ** 3],
    ["512", 512],
    ["100kb", 102400],
  ])("%s = %i bytes", (s, n) => expect(parseByteSize(s)).toBe(n));
  it("refuses nonsense", () => expect(parseByteSize("lots")).toBeNull());
});

describe("docker run line", () => {
  it("renders every option and quotes for a shell", () => {
    const spec = RunSpec.parse({
      image: "nginx:1.27",
      name: "web",
      cmd: ["sh", "-c", "echo it's here"],
      env: ["A=1 2"],
      ports: [{ hostPort: 8080, containerPort: 80 }, { hostIp: "127.0.0.1", hostPort: 53, containerPort: 53, protocol: "udp" }],
      mounts: [{ type: "volume", source: "data", target: "/data", readOnly: true }],
      restartPolicy: { name: "unless-stopped" },
      labels: { team: "web" },
      init: true,
      cpuShares: 512,
      memoryBytes: 1024 ** 3,
      memorySwapBytes: -1,
      tty: true,
      interactive: true,
    });
    expect(dockerRunCommand(spec)).toBe(
      "docker run -d -i -t --name web --init --cpu-shares 512 --memory 1g --memory-swap -1 --restart unless-stopped -p 8080:80/tcp -p 127.0.0.1:53:53/udp -v data:/data:ro -e 'A=1 2' --label team=web nginx:1.27 sh -c 'echo it'\\''s here'",
    );
  });
  it("refuses memory+swap below the memory limit", () => {
    const r = RunSpec.safeParse({ image: "x:1", memoryBytes: 100 * 1024 ** 2, memorySwapBytes: 10 * 1024 ** 2 });
    expect(r.success).toBe(false);
  });
  it("renders the settings a recreate keeps: entrypoint, user, workdir, networks, healthcheck, stop settings", () => {
    const spec = RunSpec.parse({
      image: "app:1",
      entrypoint: ["/bin/app", "--serve"],
      cmd: ["--port", "80"],
      hostname: "web-1",
      user: "1000:1000",
      workingDir: "/srv",
      cpus: 1.5,
      networks: [{ name: "backend", aliases: ["api"] }, { name: "metrics" }],
      healthcheck: { test: ["CMD", "wget", "-q", "http://localhost/"], intervalSeconds: 5, retries: 3 },
      stopSignal: "SIGINT",
      stopTimeoutSeconds: 30,
    });
    expect(dockerRunCommand(spec)).toBe(
      "docker run -d --hostname web-1 --user 1000:1000 --workdir /srv --entrypoint /bin/app --cpus 1.5 --network backend --network-alias api --health-cmd 'wget -q http://localhost/' --health-interval 5s --health-retries 3 --stop-signal SIGINT --stop-timeout 30 app:1 --serve --port 80",
    );
  });
  it("refuses host networking, a network named twice and a relative working directory", () => {
    expect(RunSpec.safeParse({ image: "x:1", networks: [{ name: "host" }] }).error?.issues[0]?.message).toMatch(/host networking is not offered/);
    expect(RunSpec.safeParse({ image: "x:1", networks: [{ name: "container:abc" }] }).success).toBe(false);
    expect(RunSpec.safeParse({ image: "x:1", networks: [{ name: "a" }, { name: "a" }] }).error?.issues[0]?.message).toBe("a network is named twice");
    expect(RunSpec.safeParse({ image: "x:1", workingDir: "srv" }).success).toBe(false);
    expect(RunSpec.safeParse({ image: "x:1", healthcheck: { test: ["CMD-SHELL"] } }).success).toBe(false);
  });
});
