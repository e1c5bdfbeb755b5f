import { z } from "zod";
import { VolumeCreate, checkVolumeOptions } from "@stevedore/protocol";
import type { Actor } from "../audit/audit-log";
import { recordRefusal } from "../audit/audited";
import type { CallerAccess } from "../access/caller-access";
import { DomainError } from "../domain-error";
import type { Services } from "../services";
import { type HostResourceListInput, auditedResourceCommand, containersNamed, filterHostResources, readFleet } from "./host-resources";

/** Every volume on the hosts the caller sees, filtered, with who uses it and the caller's role on its host. */
export async function listVolumes(svc: Pick<Services, "fleet" | "agents">, access: CallerAccess, input: z.output<typeof HostResourceListInput>) {
  const { answers, unread } = await readFleet(svc, access, "volume.list", {}, input.hostId);
  return { ...filterHostResources(svc, access, answers, input), unread };
}

export async function inspectVolume(svc: Pick<Services, "fleet" | "agents">, hostId: string, name: string) {
  const v = await svc.agents.request(hostId, "volume.inspect", { name }, { timeoutMs: 60_000 });
  return { ...v, hostId, hostName: svc.fleet.getHost(hostId)?.name ?? hostId, containers: containersNamed(svc, hostId, v.containers) };
}

/**
 * `docker volume create` on one host. Driver options that mount a host path are refused to
 * non-admins before anything is sent (recorded as refused), and by the agent again.
 */
export async function createVolume(svc: Pick<Services, "fleet" | "agents" | "audit">, actor: Actor, access: CallerAccess, hostId: string, volume: z.output<typeof VolumeCreate>) {
  const target = { action: "volume.create" as const, targetType: "volume" as const, targetName: volume.name };
  const refusal = checkVolumeOptions(volume.options, access.isAdmin);
  if (refusal) {
    await recordRefusal(svc.audit, { actor, ...target, hostId, hostName: svc.fleet.getHost(hostId)?.name ?? hostId, params: { volume } }, refusal.message);
    throw new DomainError("forbidden", refusal.message, [hostId]);
  }
  return auditedResourceCommand(svc, actor, hostId, target, "volume.create", { volume, admin: access.isAdmin }, (v) => ({ name: v.name, mountpoint: v.mountpoint }));
}

export function removeVolume(svc: Pick<Services, "fleet" | "agents" | "audit">, actor: Actor, hostId: string, name: string, force: boolean) {
  return auditedResourceCommand(svc, actor, hostId, { action: "volume.remove", targetType: "volume", targetName: name }, "volume.remove", { name, force });
}

/** What a prune would remove on a host: the unused local volumes with their sizes, and the space they free. */
export async function volumePrunePreview(svc: Pick<Services, "agents">, hostId: string) {
  const r = await svc.agents.request(hostId, "volume.prune", {}, { timeoutMs: 60_000 });
  return { volumes: r.candidates, reclaimableBytes: r.candidates.reduce((sum, c) => sum + (c.sizeBytes ?? 0), 0) };
}

/** Removes the previewed volumes that are still unused (never one the caller was not shown), audited with what went. */
export function pruneVolumes(svc: Pick<Services, "fleet" | "agents" | "audit">, actor: Actor, hostId: string, names: string[]) {
  return auditedResourceCommand(svc, actor, hostId, { action: "volume.prune", targetType: "volume", targetName: `${names.length} unused volume${names.length === 1 ? "" : "s"}` }, "volume.prune", { remove: names }, (r) => ({
    removed: r.removed,
    failed: r.failed,
    reclaimedBytes: r.reclaimedBytes,
  }));
}
