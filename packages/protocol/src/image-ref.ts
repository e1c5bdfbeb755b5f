import type { ImageSummary } from "./model";

/**
 * The name the engine lists an image under: Docker Hub's default registry and `library/` left out,
 * `:latest` added when no tag or digest is given (`busybox` → `busybox:latest`).
 */
export function canonicalImageName(reference: string): string {
  let ref = reference.trim().replace(/^(docker\.io|index\.docker\.io|registry-1\.docker\.io)\//, "").replace(/^library\//, "");
  const lastSegment = ref.slice(ref.lastIndexOf("/") + 1);
  if (!ref.includes("@") && !lastSegment.includes(":")) ref += ":latest";
  return ref;
}

/** Whether a host with these images has the reference, by tag or by digest, as `docker run` would find it. */
export function hasImage(images: readonly Pick<ImageSummary, "id" | "repoTags" | "repoDigests">[], reference: string): boolean {
  const name = canonicalImageName(reference);
  if (/^sha256:[0-9a-f]{64}$/.test(reference)) return images.some((i) => i.id === reference);
  return images.some((i) => (name.includes("@") ? i.repoDigests.includes(name) : i.repoTags.includes(name)));
}

/** The registry a reference pulls from: its first component when that names a host, else Docker Hub. */
export function registryOf(reference: string): string {
  const ref = reference.trim();
  const slash = ref.indexOf("/");
  if (slash < 0) return "docker.io";
  const first = ref.slice(0, slash);
  return first.includes(".") || first.includes(":") || first === "localhost" ? first : "docker.io";
}
