import type Docker from "dockerode";
import {
  BUILT_IN_NETWORKS,
  checkVolumeOptions,
  type NetworkCreate,
  type NetworkDetail,
  type NetworkPruneResult,
  type VolumeCreate,
  type VolumeDetail,
  type VolumePruneResult,
  type VolumeSummary,
} from "@stevedore/protocol";
import { engineMessage, isNotFound } from "./engine";
import { RequestRefused } from "./run-policy";

interface ListedContainer {
  Id: string;
  Mounts?: { Type?: string; Name?: string }[];
  NetworkSettings?: { Networks?: Record<string, { NetworkID?: string }> };
}

/** Which containers (running or not) mount each volume and join each network, from one container list. */
async function usage(docker: Docker): Promise<{ volumes: Map<string, string[]>; networks: Map<string, string[]> }> {
  const list = (await docker.listContainers({ all: true })) as unknown as ListedContainer[];
  const volumes = new Map<string, string[]>();
  const networks = new Map<string, string[]>();
  const add = (map: Map<string, string[]>, key: string, id: string) => map.set(key, [...(map.get(key) ?? []), id]);
  for (const c of list) {
    for (const m of c.Mounts ?? []) if (m.Type === "volume" && m.Name) add(volumes, m.Name, c.Id);
    for (const [name, n] of Object.entries(c.NetworkSettings?.Networks ?? {})) add(networks, n.NetworkID || name, c.Id);
  }
  return { volumes, networks };
}

interface EngineVolume {
  Name: string;
  Driver: string;
  Scope?: string;
  Mountpoint?: string;
  CreatedAt?: string;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
}

function toVolume(v: EngineVolume, containers: string[]): VolumeSummary {
  const created = v.CreatedAt ? Date.parse(v.CreatedAt) : NaN;
  return {
    name: v.Name,
    driver: v.Driver,
    scope: v.Scope ?? "local",
    mountpoint: v.Mountpoint ?? "",
    createdAt: Number.isNaN(created) ? null : created,
    labels: v.Labels ?? {},
    options: v.Options ?? {},
    containers,
  };
}

export async function listVolumes(docker: Docker): Promise<VolumeSummary[]> {
  const [listed, used] = await Promise.all([docker.listVolumes(), usage(docker)]);
  return ((listed.Volumes ?? []) as EngineVolume[]).map((v) => toVolume(v, used.volumes.get(v.Name) ?? []));
}

/** Sizes the engine reports (`docker system df -v`): local volumes only; -1 where it did not measure. */
async function volumeSizes(docker: Docker): Promise<Map<string, number>> {
  const df = (await docker.df()) as { Volumes?: { Name: string; UsageData?: { Size?: number } }[] | null };
  const sizes = new Map<string, number>();
  for (const v of df.Volumes ?? []) if (typeof v.UsageData?.Size === "number" && v.UsageData.Size >= 0) sizes.set(v.Name, v.UsageData.Size);
  return sizes;
}

export async function inspectVolume(docker: Docker, name: string): Promise<VolumeDetail> {
  const [info, used, sizes] = await Promise.all([docker.getVolume(name).inspect() as Promise<EngineVolume>, usage(docker), volumeSizes(docker).catch(() => new Map<string, number>())]);
  return { ...toVolume(info, used.volumes.get(info.Name) ?? []), sizeBytes: sizes.get(info.Name) ?? null };
}

export async function createVolume(docker: Docker, volume: VolumeCreate, admin: boolean): Promise<VolumeSummary> {
  // Refused here whatever the control plane checked (a compromised or buggy one): a host path by another name.
  const refusal = checkVolumeOptions(volume.options, admin);
  if (refusal) throw new RequestRefused(refusal.message, refusal.code);
  // `docker volume create` of an existing name answers with that volume: refused instead, so a create never silently adopts one.
  const exists = await docker.getVolume(volume.name).inspect().then(() => true, (err: unknown) => (isNotFound(err) ? false : Promise.reject(err)));
  if (exists) throw Object.assign(new Error(`a volume named ${volume.name} already exists on this host`), { statusCode: 409 });
  await docker.createVolume({ Name: volume.name, Driver: volume.driver, DriverOpts: volume.options, Labels: volume.labels });
  return toVolume((await docker.getVolume(volume.name).inspect()) as EngineVolume, []);
}

/** The unused local volumes, as the engine's prune chooses them (local driver, no container mounting them). */
export async function pruneVolumes(docker: Docker, remove: string[] | undefined): Promise<VolumePruneResult> {
  const [volumes, sizes] = await Promise.all([listVolumes(docker), volumeSizes(docker).catch(() => new Map<string, number>())]);
  const candidates = volumes.filter((v) => v.driver === "local" && v.containers.length === 0).map((v) => ({ name: v.name, sizeBytes: sizes.get(v.name) ?? null }));
  const result: VolumePruneResult = { candidates, removed: [], failed: [], reclaimedBytes: 0 };
  if (!remove) return result;
  const wanted = new Set(remove);
  for (const c of candidates) {
    if (!wanted.has(c.name)) continue;
    try {
      // Not forced: a container that started using it since the preview makes the engine refuse.
      await docker.getVolume(c.name).remove();
      result.removed.push(c.name);
      result.reclaimedBytes += c.sizeBytes ?? 0;
    } catch (err) {
      result.failed.push({ name: c.name, error: engineMessage(err).slice(0, 4096) });
    }
  }
  for (const name of wanted) if (!candidates.some((c) => c.name === name)) result.failed.push({ name, error: "no longer unused (or gone): kept" });
  return result;
}

interface EngineNetwork {
  Id: string;
  Name: string;
  Driver?: string;
  Scope?: string;
  Internal?: boolean;
  Attachable?: boolean;
  Created?: string;
  Labels?: Record<string, string> | null;
  Options?: Record<string, string> | null;
  IPAM?: { Config?: { Subnet?: string; Gateway?: string }[] | null };
}

function toNetwork(n: EngineNetwork, used: Map<string, string[]>): NetworkDetail {
  const created = n.Created ? Date.parse(n.Created) : NaN;
  return {
    id: n.Id,
    name: n.Name,
    driver: n.Driver ?? "",
    scope: n.Scope ?? "",
    internal: n.Internal === true,
    attachable: n.Attachable === true,
    createdAt: Number.isNaN(created) ? null : created,
    labels: n.Labels ?? {},
    options: n.Options ?? {},
    ipam: (n.IPAM?.Config ?? []).flatMap((c) => (c.Subnet ? [{ subnet: c.Subnet, ...(c.Gateway ? { gateway: c.Gateway } : {}) }] : [])),
    builtIn: BUILT_IN_NETWORKS.includes(n.Name),
    containers: used.get(n.Id) ?? used.get(n.Name) ?? [],
  };
}

export async function listNetworkDetails(docker: Docker): Promise<NetworkDetail[]> {
  const [listed, used] = await Promise.all([docker.listNetworks() as Promise<EngineNetwork[]>, usage(docker)]);
  return listed.map((n) => toNetwork(n, used.networks));
}

export async function inspectNetwork(docker: Docker, id: string): Promise<NetworkDetail> {
  const [info, used] = await Promise.all([docker.getNetwork(id).inspect() as Promise<EngineNetwork>, usage(docker)]);
  return toNetwork(info, used.networks);
}

export async function createNetwork(docker: Docker, n: NetworkCreate): Promise<NetworkDetail> {
  const created = (await docker.createNetwork({
    Name: n.name,
    Driver: n.driver,
    Internal: n.internal,
    Attachable: n.attachable,
    Labels: n.labels,
    // Without it, `docker network create` of a taken name makes a second network of the same name.
    CheckDuplicate: true,
    ...(n.subnet ? { IPAM: { Driver: "default", Config: [{ Subnet: n.subnet, ...(n.gateway ? { Gateway: n.gateway } : {}) }] } } : {}),
  })) as Docker.Network;
  return inspectNetwork(docker, created.id);
}

export async function removeNetwork(docker: Docker, id: string): Promise<{ removed: string }> {
  const info = (await docker.getNetwork(id).inspect()) as EngineNetwork;
  if (BUILT_IN_NETWORKS.includes(info.Name)) throw new RequestRefused(`${info.Name} is the engine's own network and cannot be removed`, "bad_request");
  await docker.getNetwork(info.Id).remove();
  return { removed: info.Name };
}

/**
 * Networks no container is configured to join. Stricter than `docker network prune`, which also takes
 * those of stopped containers (they have no endpoint) and so breaks their next start.
 */
export async function pruneNetworks(docker: Docker, remove: string[] | undefined): Promise<NetworkPruneResult> {
  const candidates = (await listNetworkDetails(docker)).filter((n) => !n.builtIn && n.containers.length === 0).map((n) => ({ id: n.id, name: n.name }));
  const result: NetworkPruneResult = { candidates, removed: [], failed: [] };
  if (!remove) return result;
  const wanted = new Set(remove);
  for (const c of candidates) {
    if (!wanted.has(c.id) && !wanted.has(c.name)) continue;
    try {
      await docker.getNetwork(c.id).remove();
      result.removed.push(c.name);
    } catch (err) {
      result.failed.push({ name: c.name, error: engineMessage(err).slice(0, 4096) });
    }
  }
  for (const ref of wanted) if (!candidates.some((c) => c.id === ref || c.name === ref)) result.failed.push({ name: ref, error: "no longer unused (or gone): kept" });
  return result;
}
