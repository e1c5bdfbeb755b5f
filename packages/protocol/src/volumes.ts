import { z } from "zod";
import { NETWORK_NAME, VOLUME_NAME } from "./run-spec";

/** Labels as the engine takes them, bounded like a container's. */
export const ResourceLabels = z
  .record(z.string().min(1).max(1024), z.string().max(4096))
  .refine((labels) => Object.keys(labels).length <= 256, "at most 256 labels");
/** Driver options (`--opt key=value`), bounded. */
export const DriverOptions = z
  .record(z.string().min(1).max(256), z.string().max(4096))
  .refine((o) => Object.keys(o).length <= 64, "at most 64 driver options");

const DriverName = z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.:/-]{0,127}$/, "a driver name is letters, digits and _ . : / -");
const containerIds = z.array(z.string().regex(/^[0-9a-f]{64}$/)).max(100_000);

/** A volume on a host (`docker volume ls` + inspect), with the containers (running or not) that mount it. */
export const VolumeSummary = z.object({
  name: z.string().max(256),
  driver: z.string().max(128),
  scope: z.string().max(64),
  mountpoint: z.string().max(4096),
  /** Epoch ms; null when the driver does not say. */
  createdAt: z.number().int().nullable(),
  labels: ResourceLabels,
  options: DriverOptions,
  /** Ids of the containers that mount it (what makes it "in use", and keeps it from a prune). */
  containers: containerIds,
});
export type VolumeSummary = z.infer<typeof VolumeSummary>;

/** One volume with its size, where the engine reports it (`docker system df -v`; local volumes only). */
export const VolumeDetail = VolumeSummary.extend({ sizeBytes: z.number().int().nonnegative().nullable() });
export type VolumeDetail = z.infer<typeof VolumeDetail>;

export const VolumeCreate = z.strictObject({
  name: z.string().regex(VOLUME_NAME, "a volume name is letters, digits and _ . - (up to 255), starting with a letter or digit"),
  driver: DriverName.default("local"),
  options: DriverOptions.default({}),
  labels: ResourceLabels.default({}),
});
export type VolumeCreate = z.infer<typeof VolumeCreate>;
export type VolumeCreateInput = z.input<typeof VolumeCreate>;

/**
 * What `volume.prune` removes and did remove: exactly the unused volumes of the preview that are still
 * unused (never one created or put to use after the preview was read), each with its size.
 */
export const VolumePruneResult = z.object({
  candidates: z.array(z.object({ name: z.string().max(256), sizeBytes: z.number().int().nonnegative().nullable() })).max(100_000),
  removed: z.array(z.string().max(256)).max(100_000),
  failed: z.array(z.object({ name: z.string().max(256), error: z.string().max(4096) })).max(100_000),
  reclaimedBytes: z.number().int().nonnegative(),
});
export type VolumePruneResult = z.infer<typeof VolumePruneResult>;

/** A network's address range, as `docker network create --subnet --gateway` takes it. */
export const NetworkIpam = z.object({ subnet: z.string().max(64), gateway: z.string().max(64).optional() });

/** A network with what the networks page shows (protocol 6 adds all but the first five fields). */
export const NetworkDetail = z.object({
  id: z.string().max(128),
  name: z.string().max(256),
  driver: z.string().max(128),
  scope: z.string().max(64),
  internal: z.boolean(),
  attachable: z.boolean(),
  createdAt: z.number().int().nullable(),
  labels: ResourceLabels,
  options: DriverOptions,
  ipam: z.array(NetworkIpam).max(64),
  /** The engine's own (bridge, host, none): never removed or pruned. */
  builtIn: z.boolean(),
  /** Ids of the containers (running or not) configured to join it. */
  containers: containerIds,
});
export type NetworkDetail = z.infer<typeof NetworkDetail>;

const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;
const CIDR4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/;

export const NetworkCreate = z
  .strictObject({
    name: z.string().regex(NETWORK_NAME, "a network name is letters, digits and _ . - (up to 128), starting with a letter or digit"),
    driver: z.enum(["bridge", "macvlan", "ipvlan", "overlay"]).default("bridge"),
    subnet: z.string().regex(CIDR4, "a subnet is an IPv4 range such as 172.28.0.0/16").optional(),
    gateway: z.string().regex(IPV4, "a gateway is an IPv4 address such as 172.28.0.1").optional(),
    internal: z.boolean().default(false),
    attachable: z.boolean().default(false),
    labels: ResourceLabels.default({}),
  })
  .superRefine((n, ctx) => {
    if (n.gateway && !n.subnet) ctx.addIssue({ code: "custom", path: ["gateway"], message: "a gateway needs a subnet" });
    if (n.gateway && n.subnet && !inSubnet(n.gateway, n.subnet)) ctx.addIssue({ code: "custom", path: ["gateway"], message: `${n.gateway} is not inside ${n.subnet}` });
  });
export type NetworkCreate = z.infer<typeof NetworkCreate>;
export type NetworkCreateInput = z.input<typeof NetworkCreate>;

export const NetworkPruneResult = z.object({
  candidates: z.array(z.object({ id: z.string().max(128), name: z.string().max(256) })).max(100_000),
  removed: z.array(z.string().max(256)).max(100_000),
  failed: z.array(z.object({ name: z.string().max(256), error: z.string().max(4096) })).max(100_000),
});
export type NetworkPruneResult = z.infer<typeof NetworkPruneResult>;

/** The engine's own networks, which cannot be removed. */
export const BUILT_IN_NETWORKS: readonly string[] = ["bridge", "host", "none"];

function ipNumber(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

/** Whether an IPv4 address lies inside a CIDR range. */
export function inSubnet(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  const start = Math.floor(ipNumber(base!) / size) * size;
  const n = ipNumber(ip);
  return n >= start && n < start + size;
}

/**
 * A volume whose driver options name a host path (the local driver's `o=bind` with `device=/srv/x`,
 * a block device `device=/dev/sda1`, a plugin's `mountpoint=/…`) mounts that part of the host into
 * whatever container uses the volume: a bind mount by another name. Refused to non-admins, outright,
 * as log options naming host files are; remote devices (`device=:/export` for NFS) are anyone's.
 */
export function checkVolumeOptions(options: Record<string, string>, admin: boolean): { code: "forbidden"; option: string; message: string } | null {
  if (admin) return null;
  for (const [option, value] of Object.entries(options)) {
    const v = value.trim();
    const bindFlag = option === "o" && v.split(",").some((flag) => flag.trim() === "bind" || flag.trim() === "rbind");
    if (v.startsWith("/") || bindFlag) {
      return { code: "forbidden", option, message: `volume option ${option}=${value} refused: it mounts a path of the host into the volume, a bind mount by another name; only admins may` };
    }
  }
  return null;
}
