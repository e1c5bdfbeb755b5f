import { describe, expect, it } from "vitest";
import { MAX_DOCKER_RUN_BYTES, RunSpec, dockerRunCommand, parseDockerRun, type RunSpecInput } from "../src";

const spec = (input: RunSpecInput) => RunSpec.parse(input);
const parsed = (line: string) => {
  const r = parseDockerRun(line);
  if (!r.ok) throw new Error(`expected a spec, got ${JSON.stringify(r.errors)}`);
  return r;
};
const errorsOf = (line: string) => {
  const r = parseDockerRun(line);
  if (r.ok) throw new Error(`expected errors, got ${JSON.stringify(r.spec)}`);
  return r.errors;
};

describe("parseDockerRun(dockerRunCommand(spec)) gives the spec back", () => {
  const specs: [string, RunSpecInput][] = [
    ["the least there is", { image: "busybox" }],
    ["a registry with a port, a digest", { image: `registry.example.com:5000/team/app:2.1@sha256:${"a".repeat(64)}` }],
    [
      "name, command with shell characters",
      { image: "nginx:1.27", name: "web.1", cmd: ["sh", "-c", "echo it's $HOME `date` $(id) && ls *.txt | wc -l # not a comment", "", "two\nlines", "back\\slash"] },
    ],
    ["environment with spaces, quotes, = and non-ASCII", { image: "app:1", env: ["A=1 2", "B=it's \"quoted\"", "C=x=y", "D=", "E=grüße", "F=#hash"] }],
    [
      "every port form",
      {
        image: "app:1",
        ports: [
          { containerPort: 80 },
          { containerPort: 80, hostPort: 8080 },
          { containerPort: 53, hostPort: 53, hostIp: "127.0.0.1", protocol: "udp" },
          { containerPort: 9000, hostIp: "127.0.0.1" },
          { containerPort: 443, hostPort: 8443, hostIp: "::1" },
          { containerPort: 2905, hostPort: 2905, protocol: "sctp" },
        ],
      },
    ],
    [
      "bind and volume mounts, read-only or not",
      {
        image: "app:1",
        mounts: [
          { type: "bind", source: "/srv/app data", target: "/data", readOnly: true },
          { type: "volume", source: "cache_1", target: "/cache" },
        ],
      },
    ],
    ["restart always", { image: "app:1", restartPolicy: { name: "always" } }],
    ["restart unless-stopped", { image: "app:1", restartPolicy: { name: "unless-stopped" } }],
    ["restart on-failure", { image: "app:1", restartPolicy: { name: "on-failure" } }],
    ["restart on-failure:5", { image: "app:1", restartPolicy: { name: "on-failure", maximumRetryCount: 5 } }],
    ["restart on-failure:0", { image: "app:1", restartPolicy: { name: "on-failure", maximumRetryCount: 0 } }],
    ["labels, one empty", { image: "app:1", labels: { "com.example.team": "web ops", empty: "", "a#b": "c=d" } }],
    ["switches", { image: "app:1", init: true, tty: true, interactive: true }],
    ["cpu and memory in round units", { image: "app:1", cpus: 0.25, cpuShares: 512, memoryBytes: 1.5 * 1024 ** 3, memorySwapBytes: 2 * 1024 ** 3 }],
    ["memory in bytes, unlimited swap", { image: "app:1", memoryBytes: 123_456_789, memorySwapBytes: -1 }],
    ["an entrypoint", { image: "app:1", entrypoint: ["/bin/app"], cmd: ["--port", "80"] }],
    ["the image's entrypoint cleared", { image: "app:1", entrypoint: [] }],
    ["host name, user, working directory", { image: "app:1", hostname: "web-1.example", user: "www-data:www-data", workingDir: "/srv/my app" }],
    ["a network with aliases", { image: "app:1", networks: [{ name: "backend", aliases: ["api", "api.internal"] }] }],
    [
      "a shell healthcheck with every timing",
      { image: "app:1", healthcheck: { test: ["CMD-SHELL", "curl -fs http://localhost/ || exit 1"], intervalSeconds: 30, timeoutSeconds: 2.5, startPeriodSeconds: 0.5, retries: 3 } },
    ],
    ["the image's healthcheck turned off", { image: "app:1", healthcheck: { test: ["NONE"] } }],
    ["stop signal and timeout", { image: "app:1", stopSignal: "SIGQUIT", stopTimeoutSeconds: 0 }],
    ["a read-only root filesystem, capabilities dropped", { image: "app:1", readOnlyRootfs: true, capDrop: ["NET_RAW", "MKNOD"] }],
    ["a log driver with options", { image: "app:1", logConfig: { driver: "json-file", options: { "max-size": "10m", "max-file": "3" } } }],
    ["a log driver without options", { image: "app:1", logConfig: { driver: "none" } }],
  ];
  it.each(specs)("%s", (_, input) => {
    const s = spec(input);
    expect(parseDockerRun(dockerRunCommand(s))).toEqual({ ok: true, spec: s, unsupported: [] });
  });

  it("every field at once", () => {
    const s = spec(Object.assign({}, ...specs.map(([, input]) => input), { image: "app:1", restartPolicy: { name: "on-failure", maximumRetryCount: 2 } }));
    expect(Object.keys(s).sort()).toEqual(Object.keys(RunSpec.shape).sort());
    expect(parseDockerRun(dockerRunCommand(s))).toEqual({ ok: true, spec: s, unsupported: [] });
  });

  // What one docker run line cannot say: the parse is the container docker would create from the line.
  it("comes back as docker would run it where the line cannot say more", () => {
    const lossy = spec({
      image: "app:1",
      entrypoint: ["/bin/app", "--serve"],
      ports: [{ containerPort: 80, hostPort: 0 }],
      networks: [{ name: "front" }, { name: "back" }],
      healthcheck: { test: ["CMD", "wget", "-q", "http://localhost/"] },
    });
    expect(parsed(dockerRunCommand(lossy)).spec).toEqual({
      ...lossy,
      entrypoint: ["/bin/app"], // the entrypoint's arguments come first in the command
      cmd: ["--serve"],
      ports: [{ containerPort: 80, protocol: "tcp" }], // host port 0 and none both mean "any free port"
      networks: [{ name: "front", aliases: [] }], // the others are `docker network connect` afterwards
      healthcheck: { test: ["CMD-SHELL", "wget -q http://localhost/"] }, // --health-cmd always runs in a shell
    });
  });
});

describe("a pasted line", () => {
  it("fills exactly the spec it describes (ports, env, mounts, limits, restart policy)", () => {
    const line = String.raw`$ sudo docker run -d \
      --name pg \
      -p 127.0.0.1:5432:5432 -p 9187:9187/tcp \
      -e POSTGRES_PASSWORD='s3cret pass' --env=PGDATA=/var/lib/postgresql/data/pgdata \
      -v pgdata:/var/lib/postgresql/data -v /etc/pg/conf.d:/etc/postgresql/conf.d:ro \
      --mount type=bind,source=/srv/backups,target=/backups \
      --memory 1g --memory-swap=2g --cpus=1.5 --restart unless-stopped \
      postgres:16.4 postgres -c shared_buffers=256MB`;
    expect(parsed(line)).toEqual({
      ok: true,
      unsupported: [],
      spec: spec({
        image: "postgres:16.4",
        name: "pg",
        cmd: ["postgres", "-c", "shared_buffers=256MB"],
        env: ["POSTGRES_PASSWORD=s3cret pass", "PGDATA=/var/lib/postgresql/data/pgdata"],
        ports: [
          { hostIp: "127.0.0.1", hostPort: 5432, containerPort: 5432 },
          { hostPort: 9187, containerPort: 9187 },
        ],
        mounts: [
          { type: "volume", source: "pgdata", target: "/var/lib/postgresql/data" },
          { type: "bind", source: "/etc/pg/conf.d", target: "/etc/postgresql/conf.d", readOnly: true },
          { type: "bind", source: "/srv/backups", target: "/backups" },
        ],
        memoryBytes: 1024 ** 3,
        memorySwapBytes: 2 * 1024 ** 3,
        cpus: 1.5,
        restartPolicy: { name: "unless-stopped" },
      }),
    });
  });

  it.each([
    ["docker run nginx:1.27", "docker"],
    ["docker container run nginx:1.27", "docker container"],
    ["$ docker run nginx:1.27", "a prompt"],
    ["sudo docker run nginx:1.27", "sudo"],
    ["  docker run \\\n nginx:1.27  \r\n", "a continuation, CRLF and spaces"],
    ["docker run -- nginx:1.27", "-- before the image"],
    ["docker run nginx:1.27 # a comment", "a trailing comment"],
    ["docker run nginx:1.27 \\", "a continuation into nothing"],
  ])("reads %j (%s)", (line) => {
    expect(parsed(line)).toEqual({ ok: true, spec: spec({ image: "nginx:1.27" }), unsupported: [] });
  });

  it("reads pflag's spellings: grouped switches, = forms, values typed onto short flags", () => {
    const a = parsed("docker run -dit -p=8080:80 -p9090:90 -itp 7070:70 --env=A=B=C -eX=1 -m=64m --init=true --tty=false app:1").spec;
    expect(a).toMatchObject({
      tty: false,
      interactive: true,
      init: true,
      env: ["A=B=C", "X=1"],
      memoryBytes: 64 * 1024 ** 2,
      ports: [
        { hostPort: 8080, containerPort: 80 },
        { hostPort: 9090, containerPort: 90 },
        { hostPort: 7070, containerPort: 70 },
      ],
    });
  });

  it("reads every flag a spec carries, in docker's other spellings", () => {
    const line = [
      "docker run -c 256 -l team=web --label solo -w /app -u 1000 -h box --net backend --net-alias api --network-alias web",
      "--health-cmd 'pg_isready -U postgres' --health-interval 1m30s --health-timeout 500ms --health-start-period 1h --health-retries 5",
      "--stop-signal term --stop-timeout 20 --entrypoint /docker-entrypoint.sh --mount type=volume,src=data,dst=/data,ro=false",
      "--mount type=bind,source=/srv,destination=/srv,readonly=1 --restart=on-failure:3 --interactive --tty --detach app:1",
    ].join(" ");
    expect(parsed(line).spec).toEqual(
      spec({
        image: "app:1",
        cpuShares: 256,
        labels: { team: "web", solo: "" },
        workingDir: "/app",
        user: "1000",
        hostname: "box",
        networks: [{ name: "backend", aliases: ["api", "web"] }],
        healthcheck: { test: ["CMD-SHELL", "pg_isready -U postgres"], intervalSeconds: 90, timeoutSeconds: 0.5, startPeriodSeconds: 3600, retries: 5 },
        stopSignal: "SIGTERM",
        stopTimeoutSeconds: 20,
        entrypoint: ["/docker-entrypoint.sh"],
        mounts: [
          { type: "volume", source: "data", target: "/data", readOnly: false },
          { type: "bind", source: "/srv", target: "/srv", readOnly: true },
        ],
        restartPolicy: { name: "on-failure", maximumRetryCount: 3 },
        interactive: true,
        tty: true,
      }),
    );
  });

  it("keeps quoted line breaks and escaped spaces inside their word", () => {
    expect(parsed("docker run app:1 sh -c 'echo a\necho b' a\\ b \"x\\\"y\"").spec.cmd).toEqual(["sh", "-c", "echo a\necho b", "a b", 'x"y']);
  });

  it("keeps a # inside a word and words after the image as the command, flags included", () => {
    expect(parsed("docker run -e PASS=ab#cd app:1 --name x -p 80").spec).toMatchObject({ env: ["PASS=ab#cd"], cmd: ["--name", "x", "-p", "80"] });
    expect(parsed("docker run app:1 curl http://x/?a=1").spec.cmd).toEqual(["curl", "http://x/?a=1"]);
  });

  it("reads --read-only, --cap-drop (lowercase, repeated) and --log-opt without --log-driver as docker does", () => {
    expect(parsed("docker run --read-only --cap-drop=net_raw --cap-drop ALL --log-opt max-size=10m --log-opt max-file=3 app:1").spec).toMatchObject({
      readOnlyRootfs: true,
      capDrop: ["NET_RAW", "ALL"],
      logConfig: { driver: "json-file", options: { "max-size": "10m", "max-file": "3" } },
    });
    expect(parsed("docker run --read-only=false app:1").spec.readOnlyRootfs).toBeUndefined();
    expect(errorsOf("docker run --log-driver splunk-plugin:latest app:1")[0]?.message).toMatch(/^--log-driver splunk-plugin:latest: a log driver is one of json-file, local/);
    expect(errorsOf("docker run --log-opt max-size app:1")).toEqual([{ flag: "--log-opt", message: "--log-opt max-size: use key=value, e.g. max-size=10m" }]);
  });

  it("lists docker's flags a spec cannot carry, as typed, and still gives the spec", () => {
    const line =
      "docker run --rm -dP --privileged --cap-add NET_ADMIN --device /dev/fuse --pid host --ipc=host --security-opt seccomp=unconfined " +
      "--sysctl net.ipv4.ip_forward=1 --tmpfs /run --add-host db:10.0.0.2 --dns 1.1.1.1 --ulimit nofile=1024 " +
      "--gpus all --shm-size 1g --platform linux/amd64 --pull always --expose 80 --domainname example.com --runtime runc --userns host " +
      "--cgroupns private --group-add audio --env-file ./app.env --mount type=tmpfs,target=/tmp app:1";
    expect(parsed(line)).toEqual({
      ok: true,
      spec: spec({ image: "app:1" }),
      unsupported: [
        "--rm",
        "-P",
        "--privileged",
        "--cap-add NET_ADMIN",
        "--device /dev/fuse",
        "--pid host",
        "--ipc host",
        "--security-opt seccomp=unconfined",
        "--sysctl net.ipv4.ip_forward=1",
        "--tmpfs /run",
        "--add-host db:10.0.0.2",
        "--dns 1.1.1.1",
        "--ulimit nofile=1024",
        "--gpus all",
        "--shm-size 1g",
        "--platform linux/amd64",
        "--pull always",
        "--expose 80",
        "--domainname example.com",
        "--runtime runc",
        "--userns host",
        "--cgroupns private",
        "--group-add audio",
        "--env-file ./app.env",
        "--mount type=tmpfs,target=/tmp",
      ],
    });
  });
});

describe("refusals, each naming its flag", () => {
  it.each([
    ["docker run --foo app:1", "--foo", "unknown flag --foo"],
    ["docker run -dx app:1", "-x", "unknown flag -x"],
    ["docker run --tty=maybe app:1", "--tty", "--tty=maybe: not true or false"],
    ["docker run -p 8000-8010:8000-8010 app:1", "-p", "-p 8000-8010:8000-8010: port ranges are not carried: publish each port with its own -p"],
    ["docker run -p web:80 app:1", "-p", "-p web:80: expected [address:][hostPort:]containerPort[/protocol], e.g. 8080:80"],
    ["docker run -p 99999:80 app:1", "-p", "-p 99999:80: Too big: expected number to be <=65535"],
    ["docker run -p 10.0.0.300:80:80 app:1", "-p", "-p 10.0.0.300:80:80: Invalid input"],
    ["docker run -p 80/icmp app:1", "-p", '-p 80/icmp: Invalid option: expected one of "tcp"|"udp"|"sctp"'],
    ["docker run -e TOKEN app:1", "-e", "-e TOKEN: takes its value from your shell, which Stevedore cannot read: write TOKEN=value"],
    ["docker run -e 'MY VAR=secret-value' app:1", "-e", "-e MY VAR: environment entries look like KEY=value"],
    ["docker run -v /data app:1", "-v", "-v /data: anonymous volumes are not carried: name the volume (data:/data) or give a host path"],
    ["docker run -v ./data:/data app:1", "-v", "-v ./data:/data: a relative host path cannot be resolved on the host: write it absolute (/srv/app/data)"],
    ["docker run -v /srv:/srv:z app:1", "-v", "-v /srv:/srv:z: mount option z is not carried (only ro and rw)"],
    ["docker run -v data:relative app:1", "-v", "-v data:relative: anonymous volumes are not carried: name the volume (data:/data) or give a host path"],
    ["docker run -v 'bad name:/data' app:1", "-v", "-v bad name:/data: a volume's name uses letters, digits, _ . - (a host path is a bind mount)"],
    ["docker run --mount type=bind,src=relative,dst=/x app:1", "--mount", "--mount type=bind,src=relative,dst=/x: a bind mount's source is an absolute host path"],
    ["docker run --mount type=bind,dst=/x app:1", "--mount", "--mount type=bind,dst=/x: a bind mount needs source=/host/path"],
    ["docker run --mount type=npipe,src=a,dst=/b app:1", "--mount", "--mount type=npipe,src=a,dst=/b: mount type npipe is not carried (bind or volume)"],
    ["docker run --mount src=a,dst=/b,volume-opt=x=y app:1", "--mount", "--mount src=a,dst=/b,volume-opt=x=y: mount option volume-opt is not carried (type, source, target, readonly)"],
    ["docker run --restart sometimes app:1", "--restart", '--restart sometimes: Invalid option: expected one of "no"|"always"|"unless-stopped"|"on-failure"'],
    ["docker run --restart always:3 app:1", "--restart", "--restart always:3: only on-failure takes a retry count (on-failure:5)"],
    ["docker run --restart on-failure:many app:1", "--restart", "--restart on-failure:many: the retry count is a whole number (on-failure:5)"],
    ["docker run -m lots app:1", "-m", "-m lots: not a size (e.g. 512m, 1g)"],
    ["docker run --memory-swap 1g app:1", "--memory-swap", "--memory-swap 1g: memory+swap must be at least the memory limit (or -1 for unlimited), and needs a memory limit"],
    ["docker run --cpus two app:1", "--cpus", "--cpus two: not a number"],
    ["docker run --cpus 0 app:1", "--cpus", "--cpus 0: Too small: expected number to be >=0.01"],
    ["docker run --cpu-shares 1.5 app:1", "--cpu-shares", "--cpu-shares 1.5: not a whole number"],
    ["docker run -w srv app:1", "-w", "-w srv: the working directory is an absolute path"],
    ["docker run -u 'a b' app:1", "-u", "-u a b: a user is a name or uid, with an optional :group"],
    ["docker run -h under_score app:1", "-h", "-h under_score: a host name uses letters, digits, . -"],
    ["docker run --name /web app:1", "--name", "--name /web: names use letters, digits, _ . - and start with a letter or digit"],
    ["docker run --network host app:1", "--network", "--network host: host networking is not offered: it reaches the host's own loopback services"],
    ["docker run --net container:db app:1", "--net", "--net container:db: a network's name uses letters, digits, _ . -"],
    ["docker run --network a --network a app:1", "--network", "--network a: a network is named twice"],
    ["docker run --network-alias api app:1", "--network-alias", "--network-alias api: an alias needs a --network (the default bridge has none)"],
    ["docker run --network a --network-alias -bad app:1", "--network-alias", "--network-alias -bad: an alias is a host name"],
    ["docker run --health-interval 5s app:1", "--health-interval", "--health-interval needs a --health-cmd: a spec cannot change only the image's check timings"],
    ["docker run --health-cmd true --health-interval 5 app:1", "--health-interval", "--health-interval 5: not a duration (e.g. 30s, 1m30s, 500ms)"],
    ["docker run --no-healthcheck --health-cmd true app:1", "--no-healthcheck", "--no-healthcheck conflicts with --health-* options"],
    ["docker run --stop-signal KILLME app:1", "--stop-signal", expect.stringMatching(/^--stop-signal KILLME: Invalid option: expected one of "SIGKILL"\|/)],
    ["docker run --stop-timeout -1 app:1", "--stop-timeout", "--stop-timeout -1: Too small: expected number to be >=0"],
    ["docker run -l =v app:1", "-l", expect.stringMatching(/^-l =v: /)],
    ["docker run UPPER/Case", null, "image UPPER/Case: not a valid image reference (e.g. busybox:1.36, registry.example.com:5000/team/app:2.1)"],
    ["docker run -d", null, "an image is required"],
  ])("%s", (line, flag, message) => {
    expect(errorsOf(line)).toEqual([{ flag, message }]);
  });

  it("says a flag at the end needs a value, and that the image is missing", () => {
    expect(errorsOf("docker run --name")).toEqual([
      { flag: "--name", message: "--name needs a value" },
      { flag: null, message: "an image is required" },
    ]);
  });

  it("reports every problem of a line at once", () => {
    expect(errorsOf("docker run --foo -p 1-2:1-2 -m lots app:1")).toEqual([
      { flag: "--foo", message: "unknown flag --foo" },
      { flag: "-p", message: "-p 1-2:1-2: port ranges are not carried: publish each port with its own -p" },
      { flag: "-m", message: "-m lots: not a size (e.g. 512m, 1g)" },
    ]);
  });

  it.each([
    ["", "paste a docker run command"],
    ["docker ps -a", 'not a docker run command: it starts with "docker ps"'],
    ["podman run nginx", 'not a docker run command: it starts with "podman run"'],
    ["docker -H tcp://x:2375 run nginx", 'not a docker run command: it starts with "docker -H"'],
    ["docker run nginx && docker ps", "&& makes this more than one docker run command: paste one command"],
    ["docker run nginx; rm -rf /", "; makes this more than one docker run command: paste one command"],
    ["docker run nginx | tee log", "| makes this more than one docker run command: paste one command"],
    ["docker run nginx > out.txt", "> makes this more than one docker run command: paste one command"],
    ["docker run -v $(pwd):/app nginx", "$(…) runs another command: write its result into the line"],
    ["docker run -v `pwd`:/app nginx", "`…` runs another command: write its result into the line"],
    ['docker run -e "HOME=$HOME" nginx', "$HOME is a shell variable, unknown here: write its value"],
    ["docker run -v ${PWD}/x:/x nginx", "$PWD is a shell variable, unknown here: write its value"],
    ["docker run -v ${PWD:/x nginx", "${PWD:/x is a shell substitution, unknown here: write its value"],
    ["docker run nginx\ndocker ps", "the line breaks without a \\ at its end: paste one docker run command"],
    ["docker run -e 'A=1 nginx", "a ' is not closed"],
    ['docker run -e "A=1 nginx', 'a " is not closed'],
    [`docker run -e A=${"x".repeat(MAX_DOCKER_RUN_BYTES)} nginx`, "the line is longer than 64 KiB"],
  ])("refuses %j", (line, message) => {
    expect(errorsOf(line)).toEqual([{ flag: null, message }]);
  });

  it("counts the 64 KiB in bytes, as sent", () => {
    const half = "x".repeat((MAX_DOCKER_RUN_BYTES - "docker run -e A= -e B= app:1".length) / 2);
    const exactly = `docker run -e A=${half} -e B=${half} app:1`;
    expect(exactly.length).toBe(MAX_DOCKER_RUN_BYTES);
    expect(parsed(exactly).spec.env).toEqual([`A=${half}`, `B=${half}`]);
    expect(errorsOf(`${exactly} `)).toEqual([{ flag: null, message: "the line is longer than 64 KiB" }]);
    expect(errorsOf(`docker run -e A=${"é".repeat(MAX_DOCKER_RUN_BYTES / 2)} app:1`)).toEqual([{ flag: null, message: "the line is longer than 64 KiB" }]);
  });

  it("never repeats an environment value in a message", () => {
    const [error] = errorsOf("docker run -e 'BAD KEY=hunter2' app:1");
    expect(error?.message).not.toContain("hunter2");
  });
});
