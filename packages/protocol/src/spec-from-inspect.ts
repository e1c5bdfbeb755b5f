import { PREVIOUS_IMAGE_LABEL, REQUEST_ID_LABEL, STARTED_BY_LABEL } from "./version";
import { type Healthcheck, type RunSpec, RunSpec as RunSpecSchema, SIGNALS } from "./run-spec";
import { describeIssues } from "./run-spec-words";

/** What an image sets as defaults for its containers, and a container's own config has too (the engine's field names). */
interface EngineConfig {
  User?: string;
  Env?: string[] | null;
  Cmd?: string[] | null;
  Entrypoint?: string[] | null;
  WorkingDir?: string;
  Labels?: Record<string, string> | null;
  ExposedPorts?: Record<string, unknown> | null;
  Healthcheck?: EngineHealthcheck | null;
  StopSignal?: string;
}

/** The parts of `docker inspect` (container) a run spec is read from. */
export interface ContainerInspect {
  Id: string;
  Name: string;
  Config: EngineConfig & {
    Image: string;
    Hostname?: string;
    Domainname?: string;
    Tty?: boolean;
    OpenStdin?: boolean;
    StopTimeout?: number | null;
  };
  HostConfig: Record<string, unknown> & {
    NetworkMode?: string;
    PortBindings?: Record<string, { HostIp?: string; HostPort?: string }[] | null> | null;
    RestartPolicy?: { Name?: string; MaximumRetryCount?: number };
    Init?: boolean | null;
    CpuShares?: number;
    Memory?: number;
    MemorySwap?: number;
    NanoCpus?: number;
    ReadonlyRootfs?: boolean;
    CapDrop?: string[] | null;
    LogConfig?: { Type?: string; Config?: Record<string, string> | null } | null;
  };
  Mounts?: { Type: string; Name?: string; Source: string; Destination: string; RW: boolean }[] | null;
  NetworkSettings?: { Networks?: Record<string, { Aliases?: string[] | null }> | null };
}

/** The parts of `docker image inspect` that are the image's defaults for a container. */
export interface ImageInspect {
  Id: string;
  RepoTags?: string[] | null;
  Config?: EngineConfig | null;
}

interface EngineHealthcheck {
  Test?: string[] | null;
  Interval?: number;
  Timeout?: number;
  StartPeriod?: number;
  Retries?: number;
}

export interface SpecFromInspect {
  /** Null when the container cannot be described as a run spec at all (`unsupported` says why). */
  spec: RunSpec | null;
  /** Settings the container has that a run spec cannot carry, as `docker run` names them: a recreate would drop them. */
  unsupported: string[];
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
const seconds = (ns: number | undefined) => (ns ? ns / 1e9 : undefined);

/**
 * Host settings the engine fills in itself, with their defaults: anything else set on the container
 * is something a run spec cannot carry. The rest of HostConfig is read into the spec below.
 */
const HOST_DEFAULTS: Record<string, { flag: string; isDefault: (v: unknown) => boolean }> = {
  Privileged: { flag: "--privileged", isDefault: (v) => !v },
  CapAdd: { flag: "--cap-add", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  Devices: { flag: "--device", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  DeviceRequests: { flag: "--gpus", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  SecurityOpt: { flag: "--security-opt", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  Sysctls: { flag: "--sysctl", isDefault: (v) => !v || Object.keys(v).length === 0 },
  Tmpfs: { flag: "--tmpfs", isDefault: (v) => !v || Object.keys(v).length === 0 },
  ExtraHosts: { flag: "--add-host", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  Dns: { flag: "--dns", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  DnsSearch: { flag: "--dns-search", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  DnsOptions: { flag: "--dns-option", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  Links: { flag: "--link", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  VolumesFrom: { flag: "--volumes-from", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  Ulimits: { flag: "--ulimit", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  GroupAdd: { flag: "--group-add", isDefault: (v) => !Array.isArray(v) || v.length === 0 },
  PidMode: { flag: "--pid", isDefault: (v) => !v },
  UTSMode: { flag: "--uts", isDefault: (v) => !v },
  UsernsMode: { flag: "--userns", isDefault: (v) => !v },
  IpcMode: { flag: "--ipc", isDefault: (v) => !v || v === "private" || v === "shareable" },
  CgroupParent: { flag: "--cgroup-parent", isDefault: (v) => !v },
  ShmSize: { flag: "--shm-size", isDefault: (v) => !v || v === 64 * 1024 * 1024 },
  PidsLimit: { flag: "--pids-limit", isDefault: (v) => !v || (v as number) <= 0 },
  OomKillDisable: { flag: "--oom-kill-disable", isDefault: (v) => !v },
  OomScoreAdj: { flag: "--oom-score-adj", isDefault: (v) => !v },
  CpusetCpus: { flag: "--cpuset-cpus", isDefault: (v) => !v },
  CpusetMems: { flag: "--cpuset-mems", isDefault: (v) => !v },
  CpuQuota: { flag: "--cpu-quota", isDefault: (v) => !v },
  CpuPeriod: { flag: "--cpu-period", isDefault: (v) => !v },
  MemoryReservation: { flag: "--memory-reservation", isDefault: (v) => !v },
  BlkioWeight: { flag: "--blkio-weight", isDefault: (v) => !v },
  Runtime: { flag: "--runtime", isDefault: (v) => !v || v === "runc" },
};

/**
 * The run spec that makes this container again, as `docker run` would have been written for it:
 * what the image itself supplies (its env, command, labels, healthcheck…) is left out, so a recreate
 * on a newer image takes the newer image's defaults rather than freezing the old one's. Anonymous
 * volumes become mounts of the same volume, so a recreate keeps their data (as compose does).
 */
/** Set anew by each run or recreate: not part of what makes the container. */
const STEVEDORE_LABELS: ReadonlySet<string> = new Set([STARTED_BY_LABEL, REQUEST_ID_LABEL, PREVIOUS_IMAGE_LABEL]);

export function specFromInspect(c: ContainerInspect, image: ImageInspect | null): SpecFromInspect {
  const unsupported: string[] = [];
  const cfg = c.Config;
  const img = image?.Config ?? {};
  const host = c.HostConfig;
  for (const [key, { flag, isDefault }] of Object.entries(HOST_DEFAULTS)) if (!isDefault(host[key])) unsupported.push(flag);
  if (cfg.Domainname) unsupported.push("--domainname");

  // Created from an image id: the spec names the image by a tag it has, when it has one.
  const reference = /^(sha256:)?[0-9a-f]{64}$/.test(cfg.Image) ? (image?.RepoTags ?? []).find((t) => t !== "<none>:<none>") : cfg.Image;
  if (!reference) return { spec: null, unsupported: [...unsupported, "an image without a tag (created from its id)"] };

  const ports: RunSpec["ports"] = [];
  for (const [key, bindings] of Object.entries(host.PortBindings ?? {})) {
    const [port, protocol = "tcp"] = key.split("/");
    for (const b of bindings ?? []) {
      ports.push({ containerPort: Number(port), protocol: protocol as "tcp", ...(b.HostPort ? { hostPort: Number(b.HostPort) } : {}), ...(b.HostIp ? { hostIp: b.HostIp } : {}) });
    }
  }
  const exposedOnly = Object.keys(cfg.ExposedPorts ?? {}).filter((k) => !(k in (img.ExposedPorts ?? {})) && !(k in (host.PortBindings ?? {})));
  if (exposedOnly.length) unsupported.push("--expose");

  const mounts: RunSpec["mounts"] = [];
  for (const m of c.Mounts ?? []) {
    if (m.Type === "bind") mounts.push({ type: "bind", source: m.Source, target: m.Destination, readOnly: !m.RW });
    else if (m.Type === "volume" && m.Name) mounts.push({ type: "volume", source: m.Name, target: m.Destination, readOnly: !m.RW });
    else unsupported.push(`a ${m.Type} mount at ${m.Destination}`);
  }

  const shortId = c.Id.slice(0, 12);
  const name = c.Name.replace(/^\//, "");
  const networkMode = host.NetworkMode ?? "default";
  const networks: RunSpec["networks"] = [];
  if (networkMode === "host" || networkMode.startsWith("container:")) unsupported.push(`--network ${networkMode.startsWith("container:") ? "container:…" : networkMode}`);
  else if (networkMode !== "default" && networkMode !== "bridge") {
    const attached = c.NetworkSettings?.Networks ?? {};
    // The one it was created on first, then the ones it joined; aliases the engine adds itself (its id, name, host name) go.
    for (const net of [networkMode, ...Object.keys(attached).filter((n) => n !== networkMode)]) {
      const aliases = (attached[net]?.Aliases ?? []).filter((a) => a !== shortId && a !== name && a !== cfg.Hostname);
      networks.push({ name: net, aliases: [...new Set(aliases)] });
    }
  } else if (Object.keys(c.NetworkSettings?.Networks ?? {}).some((n) => n !== "bridge")) {
    unsupported.push("networks joined beside the default bridge");
  }

  const env = (cfg.Env ?? []).filter((e) => !(img.Env ?? []).includes(e));
  const imageLabels = img.Labels ?? {};
  const labels = Object.fromEntries(Object.entries(cfg.Labels ?? {}).filter(([k, v]) => imageLabels[k] !== v && !STEVEDORE_LABELS.has(k)));
  const entrypoint = same(cfg.Entrypoint, img.Entrypoint) ? undefined : (cfg.Entrypoint ?? []);
  // With its own entrypoint the engine does not take the image's command, so the command then always counts.
  const cmd = entrypoint === undefined && same(cfg.Cmd, img.Cmd) ? undefined : (cfg.Cmd ?? undefined);
  const restart = host.RestartPolicy?.Name || "no";
  const ownStopSignal = cfg.StopSignal && cfg.StopSignal !== img.StopSignal ? cfg.StopSignal : undefined;
  const stopSignal = SIGNALS.find((s) => s === ownStopSignal);
  if (ownStopSignal && !stopSignal) unsupported.push(`--stop-signal ${ownStopSignal}`);

  const candidate = {
    image: reference,
    name,
    cmd,
    entrypoint,
    env,
    ports,
    mounts,
    restartPolicy: { name: restart, ...(restart === "on-failure" && host.RestartPolicy?.MaximumRetryCount ? { maximumRetryCount: host.RestartPolicy.MaximumRetryCount } : {}) },
    labels,
    init: host.Init === true,
    cpuShares: host.CpuShares || undefined,
    memoryBytes: host.Memory || undefined,
    memorySwapBytes: host.Memory ? host.MemorySwap || undefined : undefined,
    cpus: host.NanoCpus ? host.NanoCpus / 1e9 : undefined,
    tty: cfg.Tty === true,
    interactive: cfg.OpenStdin === true,
    // The engine names a container's host after its id unless told otherwise.
    hostname: cfg.Hostname && cfg.Hostname !== shortId ? cfg.Hostname : undefined,
    user: cfg.User && cfg.User !== (img.User ?? "") ? cfg.User : undefined,
    workingDir: cfg.WorkingDir && cfg.WorkingDir !== (img.WorkingDir ?? "") ? cfg.WorkingDir : undefined,
    networks,
    healthcheck: cfg.Healthcheck && !same(cfg.Healthcheck, img.Healthcheck) ? healthcheckOf(cfg.Healthcheck) : undefined,
    stopSignal,
    stopTimeoutSeconds: cfg.StopTimeout ?? undefined,
    readOnlyRootfs: host.ReadonlyRootfs === true || undefined,
    capDrop: host.CapDrop?.length ? host.CapDrop : undefined,
    logConfig: logConfigOf(host.LogConfig),
  };
  const parsed = RunSpecSchema.safeParse(candidate);
  if (!parsed.success) return { spec: null, unsupported: [...unsupported, ...describeIssues(parsed.error.issues).map((p) => p.message)] };
  return { spec: parsed.data, unsupported };
}

/**
 * The container's log driver, unless it is the engine's usual json-file without options. (On a host
 * whose default is another driver, the recreate names that driver: the same container either way.)
 */
function logConfigOf(l: ContainerInspect["HostConfig"]["LogConfig"]): RunSpec["logConfig"] {
  const options = l?.Config ?? {};
  if (!l?.Type || (l.Type === "json-file" && Object.keys(options).length === 0)) return undefined;
  return { driver: l.Type as NonNullable<RunSpec["logConfig"]>["driver"], options };
}

function healthcheckOf(h: EngineHealthcheck): Healthcheck {
  return {
    test: (h.Test?.length ? h.Test : ["NONE"]) as Healthcheck["test"],
    intervalSeconds: seconds(h.Interval),
    timeoutSeconds: seconds(h.Timeout),
    startPeriodSeconds: seconds(h.StartPeriod),
    retries: h.Retries || undefined,
  };
}
