import type Docker from "dockerode";
import type { RunResult, RunSpec } from "@stevedore/protocol";
import { engineMessage } from "./engine";

/** The engine's create options for a run spec: what `docker run` sends. */
function createOptions(spec: RunSpec): Docker.ContainerCreateOptions {
  const exposed: Record<string, object> = {};
  const bindings: Record<string, { HostIp?: string; HostPort?: string }[]> = {};
  for (const p of spec.ports) {
    const key = `${p.containerPort}/${p.protocol}`;
    exposed[key] = {};
    (bindings[key] ??= []).push({ HostIp: p.hostIp ?? "", HostPort: p.hostPort ? String(p.hostPort) : "" });
  }
  const first = spec.networks[0];
  return {
    name: spec.name,
    Image: spec.image,
    Cmd: spec.cmd,
    Env: spec.env,
    Labels: spec.labels,
    Tty: spec.tty,
    OpenStdin: spec.interactive,
    StdinOnce: false,
    AttachStdin: false,
    AttachStdout: false,
    AttachStderr: false,
    ExposedPorts: exposed,
    Entrypoint: spec.entrypoint,
    Hostname: spec.hostname,
    User: spec.user,
    WorkingDir: spec.workingDir,
    StopSignal: spec.stopSignal,
    StopTimeout: spec.stopTimeoutSeconds,
    Healthcheck: spec.healthcheck && {
      Test: spec.healthcheck.test,
      Interval: nanoseconds(spec.healthcheck.intervalSeconds),
      Timeout: nanoseconds(spec.healthcheck.timeoutSeconds),
      StartPeriod: nanoseconds(spec.healthcheck.startPeriodSeconds),
      Retries: spec.healthcheck.retries,
    },
    // API 1.41 (engine 20.10) takes one network at create; runContainer joins the others before the start.
    NetworkingConfig: first ? { EndpointsConfig: { [first.name]: { Aliases: first.aliases } } } : undefined,
    HostConfig: {
      NetworkMode: first?.name,
      NanoCpus: spec.cpus === undefined ? undefined : Math.round(spec.cpus * 1e9),
      Init: spec.init || undefined,
      CpuShares: spec.cpuShares,
      Memory: spec.memoryBytes,
      MemorySwap: spec.memorySwapBytes,
      RestartPolicy: { Name: spec.restartPolicy.name === "no" ? "" : spec.restartPolicy.name, MaximumRetryCount: spec.restartPolicy.maximumRetryCount },
      PortBindings: bindings,
      ReadonlyRootfs: spec.readOnlyRootfs,
      CapDrop: spec.capDrop,
      LogConfig: spec.logConfig && { Type: spec.logConfig.driver, Config: spec.logConfig.options },
      Mounts: spec.mounts.map((m) => ({ Type: m.type, Source: m.source, Target: m.target, ReadOnly: m.readOnly })),
    },
  };
}

const nanoseconds = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1e9));

/**
 * `docker run -d`: create (joining every network) and start; a failed start leaves the container
 * created, as docker does. `start: false` is `docker create`.
 */
export async function runContainer(docker: Docker, spec: RunSpec, { start = true } = {}): Promise<RunResult> {
  const created = await docker.createContainer(createOptions(spec));
  let startError: string | undefined;
  try {
    for (const n of spec.networks.slice(1)) await docker.getNetwork(n.name).connect({ Container: created.id, EndpointConfig: { Aliases: n.aliases } });
    if (start) await created.start();
  } catch (err) {
    // Like `docker run`: the container stays (created) and the engine's reason is reported.
    startError = engineMessage(err);
  }
  const info = await created.inspect();
  const image = await docker.getImage(info.Image).inspect().catch(() => null);
  return {
    id: info.Id,
    name: info.Name.replace(/^\//, ""),
    imageId: info.Image,
    imageDigests: image?.RepoDigests ?? [],
    startError,
  };
}
