// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
import { describe, expect, it } from "vitest";
import { RunSpec, dockerRunCommand, parseDockerRun } from "@stevedore/protocol";
import { EMPTY_FORM, type HostPolicy, fieldOfRefusal, parseRunForm, policySummary, predictedRefusals, specToForm, splitCommand } from "../src/lib/run-form";

describe("run form", () => {
  it("shows any spec (a container's, for Edit and recreate) so that saving it unchanged gives the same spec", () => {
    const specs = [
      RunSpec.parse({ image: "busybox:1.36" }),
      RunSpec.parse({
        image: "registry.example.com:5000/team/app:2.1",
        name: "api",
        cmd: ["sh", "-c", "echo 'hi there'; sleep 1", ""],
        entrypoint: ["/bin/tini", "--"],
        env: ["A=1", "B=two words"],
        ports: [{ containerPort: 80, hostPort: 8080, protocol: "tcp" }, { containerPort: 53, hostIp: "127.0.0.1", protocol: "udp" }, { containerPort: 9000, hostIp: "::1", hostPort: 9000, protocol: "tcp" }, { containerPort: 7000, protocol: "tcp" }],
        mounts: [{ type: "bind", source: "/srv/data", target: "/data", readOnly: true }, { type: "volume", source: "cache", target: "/cache" }],
        restartPolicy: { name: "on-failure", maximumRetryCount: 5 },
        labels: { team: "web", "a.b": "x=y" },
        init: true,
        cpuShares: 512,
        memoryBytes: 64 * 1024 ** 2,
        memorySwapBytes: -1,
        tty: true,
        interactive: true,
        hostname: "api-1",
        user: "1000:1000",
        workingDir: "/srv",
        cpus: 1.5,
        networks: [{ name: "backend", aliases: ["api", "web"] }, { name: "metrics", aliases: [] }],
        healthcheck: { test: ["CMD", "curl", "-f", "http://localhost/"], intervalSeconds: 5, timeoutSeconds: 2, startPeriodSeconds: 10, retries: 3 },
        stopSignal: "SIGINT",
        stopTimeoutSeconds: 20,
        readOnlyRootfs: true,
        capDrop: ["NET_RAW", "ALL"],
        logConfig: { driver: "syslog", options: { "syslog-address": "udp://10.0.0.5:514", tag: "api" } },
      }),
      RunSpec.parse({ image: "nginx", entrypoint: [], healthcheck: { test: ["NONE"] }, memoryBytes: 1000, memorySwapBytes: 3 * 1024 ** 3 }),
      RunSpec.parse({ image: "nginx", healthcheck: { test: ["CMD-SHELL", "wget -q -O- localhost || exit 1"] } }),
    ];
    for (const spec of specs) expect(parseRunForm(specToForm(spec))).toEqual({ ok: true, spec });
  });

  it("fills itself from a pasted docker run line with ports, env, mounts, limits and restart policy", () => {
    const pasted = parseDockerRun("docker run -d --name db -p 5432:5432 -e POSTGRES_PASSWORD=s3cret -v pgdata:/var/lib/postgresql/data -m 512m --cpus 2 --restart unless-stopped postgres:16");
    if (!pasted.ok) throw new Error(JSON.stringify(pasted.errors));
    const form = specToForm(pasted.spec);
    expect(form).toMatchObject({ image: "postgres:16", name: "db", ports: "5432:5432/tcp", env: "POSTGRES_PASSWORD=s3cret", volumes: "pgdata:/var/lib/postgresql/data", memory: "512m", cpus: "2", restart: "unless-stopped" });
    const again = parseRunForm(form);
    expect(again.ok && dockerRunCommand(again.spec)).toBe("docker run -d --name db --cpus 2 --memory 512m --restart unless-stopped -p 5432:5432/tcp -v pgdata:/var/lib/postgresql/data -e POSTGRES_PASSWORD=s3cret postgres:16");
  });

  it("splits a command line like a shell", () => {
    expect(splitCommand(`sh -c "echo hi; sleep 1" 'a b' c\\ d ""`)).toEqual(["sh", "-c", "echo hi; sleep 1", "a b", "c d", ""]);
    expect(() => splitCommand(`echo "open`)).toThrow(/a quote is not closed/);
  });

  it("turns the text fields into a RunSpec", () => {
    const r = parseRunForm({
      ...EMPTY_FORM,
      image: "busybox:1.36",
      command: "sleep 10",
      env: "A=1\n\nB=2",
      ports: "8080:80\n127.0.0.1:53:53/udp\n9000",
      volumes: "/srv/data:/data:ro\ncache:/cache",
      labels: "team=web",
      memory: "64m",
      memorySwap: "-1",
      cpuShares: "512",
      restart: "on-failure",
      maxRetries: "3",
      init: true,
    });
    expect(r).toMatchObject({
      ok: true,
      spec: {
        cmd: ["sleep", "10"],
        env: ["A=1", "B=2"],
        ports: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }, { hostIp: "127.0.0.1", hostPort: 53, containerPort: 53, protocol: "udp" }, { containerPort: 9000 }],
        mounts: [{ type: "bind", source: "/srv/data", target: "/data", readOnly: true }, { type: "volume", source: "cache", target: "/cache", readOnly: false }],
        labels: { team: "web" },
        memoryBytes: 64 * 1024 * 1024,
        memorySwapBytes: -1,
        cpuShares: 512,
        restartPolicy: { name: "on-failure", maximumRetryCount: 3 },
        init: true,
      },
    });
  });

  it("says everything that is wrong in one round, each problem with its field, in the form's words", () => {
    const r = parseRunForm({
      ...EMPTY_FORM,
      image: "Busybox",
      ports: "8080:80\neighty",
      memory: "lots",
      labels: "novalue",
      env: "A=1\noops",
      cpuShares: "1",
      cpus: "two",
      command: `echo "open`,
      capDrop: "net raw!",
      logOptions: "max-size=10m",
      networks: [{ name: "backend", aliases: "api, bad alias!" }],
    });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors).toEqual([
      { field: "command", message: "Command: a quote is not closed" },
      { field: "ports", message: `Published ports, line 2: "eighty" is not a port mapping; use hostPort:containerPort[/udp], e.g. 8080:80` },
      { field: "memory", message: `Memory: "lots" is not a size; use one like 512m or 1g` },
      { field: "labels", message: `Labels, line 1: "novalue" is not key=value` },
      { field: "logDriver", message: "Log options need a log driver: choose the one they are for" },
      // The schema's turn, in the same round:
      { field: "image", message: expect.stringMatching(/^Image: not a valid image reference/) },
      { field: "env", message: "Environment, line 2: environment entries look like KEY=value" },
      { field: "cpuShares", message: "CPU shares must be at least 2" },
      { field: "cpus", message: "CPUs must be a number" },
      { field: "networks", message: "Network 1: an alias is a host name" },
      { field: "capDrop", message: "Capabilities to drop, line 2: a capability is a name like NET_RAW (or ALL)" },
    ]);
    // Fixed, the same form runs.
    expect(parseRunForm({ ...EMPTY_FORM, image: "busybox:1.36", cpuShares: "2", capDrop: "net_raw, mknod", logDriver: "json-file", logOptions: "max-size=10m" })).toMatchObject({
      ok: true,
      spec: { cpuShares: 2, capDrop: ["NET_RAW", "MKNOD"], logConfig: { driver: "json-file", options: { "max-size": "10m" } } },
    });
  });

  it("puts the server's refusals beside the field they concern", () => {
    expect(fieldOfRefusal("run policy on prod-1: bind mount of /srv refused by the rule for group prod: no bind mounts")).toEqual([{ field: "volumes", message: expect.stringMatching(/^run policy on prod-1/) }]);
    expect(fieldOfRefusal("run policy on h: log option syslog-address=unix:///dev/log refused: …")[0]?.field).toBe("logOptions");
    expect(fieldOfRefusal("No such image: busybox:9")[0]?.field).toBe("image");
    expect(fieldOfRefusal("x", [{ path: ["spec", "healthcheck", "retries"], message: "Healthcheck retries must be a whole number" }, { path: ["hostIds"], message: "…" }])).toEqual([
      { field: "healthRetries", message: "Healthcheck retries must be a whole number" },
      { field: "form", message: "…" },
    ]);
    expect(fieldOfRefusal("the agent did not answer container.run within 30 s")).toEqual([]);
  });
});

describe("the run policy in the run form", () => {
  const policies: HostPolicy[] = [
    { hostId: "a", hostName: "staging-1", rule: { prefixes: ["/srv/data"] }, admin: false, from: "group staging", dataRoot: "/var/lib/docker" },
    { hostId: "b", hostName: "prod-1", rule: "none", admin: false, from: "group prod", dataRoot: null },
    { hostId: "c", hostName: "prod-2", rule: "none", admin: false, from: "group prod", dataRoot: null },
  ];

  it("sums the policy up per rule, naming the hosts", () => {
    expect(policySummary(policies)).toEqual(["only under /srv/data on staging-1", "off (named volumes only) on prod-1, prod-2"]);
    expect(policySummary([{ ...policies[0]!, rule: "any", admin: true }])).toEqual(["any path (you are an admin) on staging-1"]);
  });

  it("predicts the server's refusals for the binds typed", () => {
    const spec = (volumes: string) => {
      const r = parseRunForm({ ...EMPTY_FORM, image: "busybox:1.36", volumes });
      if (!r.ok) throw new Error(r.errors.map((e) => e.message).join("; "));
      return r.spec;
    };
    expect(predictedRefusals(spec("cache:/cache"), policies)).toEqual([]);
    expect(predictedRefusals(spec("/srv/data/app:/app"), policies).map((r) => r.hostName)).toEqual(["prod-1", "prod-2"]);
    expect(predictedRefusals(spec("/etc:/host-etc:ro"), policies)[0]).toEqual({ hostName: "staging-1", message: "bind mount of /etc refused: it is /etc (the host's configuration), which gives root on the host; only admins may mount it" });
    expect(predictedRefusals(spec("/etc:/host-etc:ro"), [{ ...policies[0]!, rule: "any", admin: true }])).toEqual([]);
  });
});
