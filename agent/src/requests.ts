import type Docker from "dockerode";
import { REQUEST_ID_LABEL, specFromInspect, type ContainerInspect, type ImageInspect, type BindMountRule, type FileChange, type AgentMessage, type ContainerOperation, type ErrorCode, type RequestMessage, type RunSpec } from "@stevedore/protocol";
import type { RequestIO } from "./control-connection";
import { type Engine, engineMessage } from "./engine";
import type { HostSync } from "./host-sync";
import { imageDisk, inspectImage } from "./image-layers";
import { PullError, pullErrorCode, pullImage } from "./image-pull";
import { RequestRefused, enforceRunPolicy } from "./run-policy";
import { runContainer } from "./container-create";
import { recreateContainer } from "./recreate";
import { createNetwork, createVolume, inspectNetwork, inspectVolume, listNetworkDetails, listVolumes, pruneNetworks, pruneVolumes, removeNetwork } from "./volumes-networks";

/** How the engine's HTTP status maps to a protocol error code (the message stays the engine's own). */
function errorCode(err: unknown): ErrorCode {
  if (err instanceof PullError || err instanceof RequestRefused) return err.code;
  const status = (err as { statusCode?: number }).statusCode;
  if (status === 404) return "not_found";
  if (status === 409) return "conflict";
  if (status === 400) return "bad_request";
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "ECONNREFUSED" || code === "ENOENT" || code === "EPIPE" || code === "ECONNRESET") return "engine_down";
  return "engine_error";
}

/** Answers one control-plane request; engine errors travel back in the engine's own words. */
/** What a request handler reaches besides the engine. */
export interface RequestDeps {
  engine: Engine;
  sync: HostSync;
  /** Dials a stream socket to the control plane (terminals). */
  openStream: (streamId: string) => Promise<unknown>;
  /** The host owner's --bind-mounts rule (config.ts). */
  bindMounts: BindMountRule;
  /** Saves a rotated credential durably and uses it from then on. */
  rotateCredential: (credential: string) => Promise<void>;
}

export async function handleRequest(deps: RequestDeps, req: RequestMessage, io: RequestIO): Promise<AgentMessage> {
  const { sync } = deps;
  // Engine events this request causes are Stevedore's own, not changes made outside it.
  const releases = ownWork(sync, req);
  try {
    const result = await run(deps, req, io);
    return { type: "response", requestId: req.requestId, ok: true, result };
  } catch (err) {
    return { type: "response", requestId: req.requestId, ok: false, error: { code: errorCode(err), message: engineMessage(err).slice(0, 4096) } };
  } finally {
    for (const release of releases) release();
  }
}

/** The containers a request acts on, whose engine events are then not changes made outside Stevedore. */
function ownWork(sync: HostSync, req: RequestMessage): (() => void)[] {
  const requestId = (spec: RunSpec) => spec.labels[REQUEST_ID_LABEL];
  switch (req.method) {
    case "container.operate":
      return [sync.beginOwn(req.params.id, req.params.operation.action)];
    case "container.run":
      return requestId(req.params.spec) ? [sync.beginOwn(requestId(req.params.spec)!, "run")] : [];
    case "container.recreate":
      return [sync.beginOwn(req.params.id, "recreate"), ...(requestId(req.params.spec) ? [sync.beginOwn(requestId(req.params.spec)!, "run")] : [])];
    default:
      return [];
  }
}

async function run({ engine, sync, openStream, bindMounts, rotateCredential }: RequestDeps, req: RequestMessage, io: RequestIO): Promise<unknown> {
  const docker = engine.docker;
  switch (req.method) {
    case "container.inspect":
      return docker.getContainer(req.params.id).inspect();
    case "container.top": {
      const top = (await docker.getContainer(req.params.id).top(req.params.psArgs ? { ps_args: req.params.psArgs } : {})) as {
        Titles?: string[];
        Processes?: string[][];
      };
      return { titles: top.Titles ?? [], processes: top.Processes ?? [] };
    }
    case "container.diff":
      return containerDiff(docker, req.params.id);
    case "container.spec": {
      const info = await docker.getContainer(req.params.id).inspect();
      const image = await docker.getImage(info.Image).inspect().catch(() => null);
      return { ...specFromInspect(info as unknown as ContainerInspect, image as ImageInspect | null), imageId: info.Image, imageDigests: image?.RepoDigests ?? [] };
    }
    case "container.run": {
      // Refused here whatever the control plane checked: a compromised or buggy control plane, or a
      // host owner's stricter --bind-mounts, still stops a bind of / or the engine socket.
      const spec = await enforceRunPolicy(req.params.spec, req.params.policy, { local: bindMounts, dataRoot: await dataRoot(engine, sync) });
      return runContainer(docker, spec);
    }
    case "container.operate":
      return { changed: await operate(docker.getContainer(req.params.id), req.params.operation) };
    case "container.recreate": {
      const spec = await enforceRunPolicy(req.params.spec, req.params.policy, { local: bindMounts, dataRoot: await dataRoot(engine, sync) });
      return recreateContainer(docker, req.params.id, spec, req.params.gate, io.progress, io.signal);
    }
    case "image.pull":
      return pullImage(docker, req.params.reference, req.params.auth, io.progress, io.signal).catch((err: unknown) => {
        // A refusal before the stream starts (unknown repository, bad credentials) comes as an HTTP error.
        const status = (err as { statusCode?: number }).statusCode;
        if (status && status >= 400) throw new PullError(engineMessage(err), pullErrorCode(engineMessage(err)));
        throw err;
      });
    case "stream.open":
      await openStream(req.params.streamId);
      return { opened: true };
    case "credential.rotate":
      await rotateCredential(req.params.credential);
      return { saved: true };
    case "network.list": {
      const networks = await docker.listNetworks();
      return networks.map((n) => ({ id: n.Id, name: n.Name, driver: n.Driver ?? "", scope: n.Scope ?? "", internal: n.Internal === true }));
    }
    case "volume.list":
      return listVolumes(docker);
    case "volume.inspect":
      return inspectVolume(docker, req.params.name);
    case "volume.create":
      return createVolume(docker, req.params.volume, req.params.admin);
    case "volume.remove":
      await docker.getVolume(req.params.name).remove({ force: req.params.force });
      return { removed: req.params.name };
    case "volume.prune":
      return pruneVolumes(docker, req.params.remove);
    case "network.details":
      return listNetworkDetails(docker);
    case "network.inspect":
      return inspectNetwork(docker, req.params.id);
    case "network.create":
      return createNetwork(docker, req.params.network);
    case "network.remove":
      return removeNetwork(docker, req.params.id);
    case "network.prune":
      return pruneNetworks(docker, req.params.remove);
    case "image.inspect":
      return inspectImage(docker, req.params.id);
    case "image.disk":
      return imageDisk(docker, req.params.layers);
    case "image.remove": {
      const removed = (await docker.getImage(req.params.ref).remove({ force: req.params.force })) as { Untagged?: string; Deleted?: string }[];
      return { untagged: removed.flatMap((r) => (r.Untagged ? [r.Untagged] : [])), deleted: removed.flatMap((r) => (r.Deleted ? [r.Deleted] : [])) };
    }
    case "image.tag":
      await docker.getImage(req.params.id).tag({ repo: req.params.target.repository, tag: req.params.target.tag });
      return { tagged: `${req.params.target.repository}:${req.params.target.tag}` };
    case "image.prune": {
      const pruned = (await docker.pruneImages({ filters: { dangling: [req.params.all ? "false" : "true"] } })) as {
        ImagesDeleted?: { Untagged?: string; Deleted?: string }[] | null;
        SpaceReclaimed?: number;
      };
      return { deleted: (pruned.ImagesDeleted ?? []).flatMap((r) => (r.Deleted ? [r.Deleted] : [])), reclaimedBytes: Math.max(0, pruned.SpaceReclaimed ?? 0) };
    }
  }
}

/** The engine's data directory, which no bind mount may reach. */
async function dataRoot(engine: Engine, sync: HostSync): Promise<string | null> {
  return sync.facts?.dockerRootDir || (await engine.facts().then((f) => f.dockerRootDir, () => null));
}

/** Runs one lifecycle operation; false when the engine answers 304 (nothing to do). */
async function operate(c: Docker.Container, op: ContainerOperation): Promise<boolean> {
  try {
    switch (op.action) {
      case "start":
        await c.start();
        break;
      case "stop":
        await c.stop({ t: op.timeoutSeconds });
        break;
      case "restart":
        await c.restart({ t: op.timeoutSeconds });
        break;
      case "kill":
        await c.kill({ signal: op.signal });
        break;
      case "pause":
        await c.pause();
        break;
      case "unpause":
        await c.unpause();
        break;
      case "rename":
        await c.rename({ name: op.name });
        break;
      case "remove":
        await c.remove({ force: op.force, v: op.removeVolumes });
        break;
    }
    return true;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode === 304) return false;
    throw err;
  }
}

/** The engine's change kinds: 0 modified, 1 added, 2 deleted. A huge diff is cut, and says so. */
const CHANGE_KINDS = ["changed", "added", "deleted"] as const;
const MAX_CHANGES = 100_000;

async function containerDiff(docker: Docker, id: string): Promise<{ changes: FileChange[]; truncated: boolean }> {
  // A container without changes gets `null` from the engine, which dockerode hands back as the raw
  // body (a Buffer): only an array is a list of changes.
  const answer: unknown = await docker.getContainer(id).changes();
  const raw = Array.isArray(answer) ? (answer as { Path: string; Kind: number }[]) : [];
  return { changes: raw.slice(0, MAX_CHANGES).map((c) => ({ path: c.Path, kind: CHANGE_KINDS[c.Kind] ?? "changed" })), truncated: raw.length > MAX_CHANGES };
}
