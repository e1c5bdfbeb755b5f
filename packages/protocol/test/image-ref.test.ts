import { describe, expect, it } from "vitest";
import { canonicalImageName, hasImage } from "../src/image-ref";

describe("image references as the engine lists them", () => {
  it("adds :latest and drops Docker Hub's default registry and library/", () => {
    expect(canonicalImageName("busybox")).toBe("busybox:latest");
    expect(canonicalImageName("docker.io/library/nginx:1.27")).toBe("nginx:1.27");
    expect(canonicalImageName("docker.io/grafana/grafana")).toBe("grafana/grafana:latest");
    expect(canonicalImageName("127.0.0.1:5000/team/app")).toBe("127.0.0.1:5000/team/app:latest");
    expect(canonicalImageName("127.0.0.1:5000/team/app:2")).toBe("127.0.0.1:5000/team/app:2");
    expect(canonicalImageName(`alpine@sha256:${"a".repeat(64)}`)).toBe(`alpine@sha256:${"a".repeat(64)}`);
  });

  it("finds an image by tag, by digest and by id, and not by a different tag", () => {
    const digest = `sha256:${"b".repeat(64)}`;
    const images = [{ id: `sha256:${"c".repeat(64)}`, repoTags: ["busybox:latest", "127.0.0.1:5000/app:1"], repoDigests: [`busybox@${digest}`] }];
    expect(hasImage(images, "busybox")).toBe(true);
    expect(hasImage(images, "docker.io/library/busybox:latest")).toBe(true);
    expect(hasImage(images, "busybox:1.36")).toBe(false);
    expect(hasImage(images, `busybox@${digest}`)).toBe(true);
    expect(hasImage(images, `busybox@sha256:${"d".repeat(64)}`)).toBe(false);
    expect(hasImage(images, "127.0.0.1:5000/app:1")).toBe(true);
    expect(hasImage(images, "127.0.0.1:5000/app")).toBe(false);
    expect(hasImage(images, `sha256:${"c".repeat(64)}`)).toBe(true);
  });
});
