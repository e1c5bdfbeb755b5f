import { z } from "zod";
import type { ImageDisk, ImageLayer } from "@stevedore/protocol";
import type { FleetState } from "../fleet/fleet-state";

export const ImageListInput = z.object({
  hostId: z.string().min(1).max(64).optional(),
  /** Matches a tag, digest or id (substring, case-insensitive). */
  q: z.string().trim().max(200).default(""),
  /** Only images with no tag. */
  dangling: z.boolean().default(false),
  /** Only images no container uses. */
  unused: z.boolean().default(false),
  limit: z.number().int().min(1).max(1000).default(200),
});
export type ImageListInput = z.input<typeof ImageListInput>;

/** The fleet's images, one row per host and image, newest first, filtered on the server. */
export function listImages(fleet: FleetState, raw: ImageListInput, visibleHost: (hostId: string) => boolean = () => true) {
  const input = ImageListInput.parse(raw);
  const q = input.q.toLowerCase();
  const rows = [];
  for (const host of fleet.listHosts()) {
    if ((input.hostId && host.id !== input.hostId) || !visibleHost(host.id)) continue;
    const users = fleet.imageUsers(host.id);
    for (const img of fleet.hostImages(host.id)) {
      const containers = users.get(img.id) ?? 0;
      const dangling = img.repoTags.length === 0;
      if ((input.dangling && !dangling) || (input.unused && containers > 0)) continue;
      if (q && ![img.id, ...img.repoTags, ...img.repoDigests].some((s) => s.toLowerCase().includes(q))) continue;
      rows.push({ ...img, hostId: host.id, hostName: host.name, live: host.status === "online", dangling, containers });
    }
  }
  rows.sort((a, b) => b.createdAt - a.createdAt || a.hostName.localeCompare(b.hostName));
  return { total: rows.length, items: rows.slice(0, input.limit) };
}

/** At most this many containers are named per host (the count is always whole). */
const MAX_USERS_LISTED = 200;

/**
 * Every host the caller sees that holds the image (by id, so every tag of it), with the containers
 * using it there: what the image page lists, and where "Run this image" and the layer tree can go.
 */
export function imageHolders(fleet: FleetState, id: string, visibleHost: (hostId: string) => boolean) {
  const full = id.startsWith("sha256:") ? id : `sha256:${id}`;
  const hosts = [];
  for (const host of fleet.listHosts()) {
    if (!visibleHost(host.id)) continue;
    const img = fleet.hostImages(host.id).find((i) => i.id.startsWith(full));
    if (!img) continue;
    const users = [...fleet.containersByHost(host.id)].flatMap((h) => h.view.containers.filter((c) => c.imageId === img.id));
    users.sort((a, b) => a.name.localeCompare(b.name));
    hosts.push({
      hostId: host.id,
      hostName: host.name,
      live: host.status === "online",
      repoTags: img.repoTags,
      repoDigests: img.repoDigests,
      containerCount: users.length,
      containers: users.slice(0, MAX_USERS_LISTED).map((c) => ({ id: c.id, name: c.name, state: c.state, health: c.health, exitCode: c.exitCode, startedAt: c.startedAt, finishedAt: c.finishedAt })),
    });
  }
  return hosts;
}

export interface LayerNode {
  diffId: string;
  sizeBytes: number | null;
  createdBy: string | null;
  /** Images whose top layer this is. */
  images: { id: string; repoTags: string[] }[];
  /** How many images have this layer (it is stored once). */
  usedBy: number;
  children: LayerNode[];
}

/**
 * The host's images as a tree of layers: images built on the same base share the path to it, as
 * `docker images --tree` shows. Sharing saves the sum of image sizes minus the disk the layers take.
 */
export function layerTree(disk: ImageDisk) {
  const root: LayerNode = { diffId: "", sizeBytes: null, createdBy: null, images: [], usedBy: disk.images.length, children: [] };
  for (const img of disk.images) {
    let node = root;
    for (const layer of img.layers) node = childFor(node, layer);
    node.images.push({ id: img.id, repoTags: img.repoTags });
  }
  const totalImageBytes = disk.images.reduce((sum, img) => sum + img.sizeBytes, 0);
  return {
    roots: root.children,
    // Images without layers (rare: a scratch image with only metadata) hang at the top.
    bare: root.images,
    images: disk.images.map((img) => ({ id: img.id, repoTags: img.repoTags, sizeBytes: img.sizeBytes, sharedSizeBytes: img.sharedSizeBytes, uniqueSizeBytes: img.sizeBytes - img.sharedSizeBytes, containers: img.containers })),
    totalImageBytes,
    layersSizeBytes: disk.layersSizeBytes,
    savedBytes: Math.max(0, totalImageBytes - disk.layersSizeBytes),
  };
}

function childFor(parent: LayerNode, layer: ImageLayer): LayerNode {
  let child = parent.children.find((c) => c.diffId === layer.diffId);
  if (!child) {
    child = { diffId: layer.diffId, sizeBytes: layer.sizeBytes, createdBy: layer.createdBy, images: [], usedBy: 0, children: [] };
    parent.children.push(child);
  }
  child.usedBy++;
  return child;
}

/** What `docker image prune [--all]` would remove: unused images (dangling only, unless `all`), and the space that frees at least. */
export function prunePreview(disk: ImageDisk, all: boolean) {
  const images = disk.images.filter((img) => img.containers === 0 && (all || img.repoTags.length === 0));
  const ids = new Set(images.map((i) => i.id));
  // A layer frees its space when every image using it goes.
  const layerUsers = new Map<string, { size: number; users: string[] }>();
  for (const img of disk.images) {
    for (const l of img.layers) {
      const e = layerUsers.get(l.diffId) ?? { size: l.sizeBytes ?? 0, users: [] };
      e.users.push(img.id);
      layerUsers.set(l.diffId, e);
    }
  }
  let freedBytes = 0;
  for (const e of layerUsers.values()) if (e.users.every((u) => ids.has(u))) freedBytes += e.size;
  // Without per-layer sizes, an image's unique size is the engine's own lower bound.
  const unique = images.reduce((sum, img) => sum + (img.sizeBytes - img.sharedSizeBytes), 0);
  return { images: images.map((i) => ({ id: i.id, repoTags: i.repoTags, sizeBytes: i.sizeBytes, createdAt: i.createdAt })), freedBytes: Math.max(freedBytes, unique) };
}
