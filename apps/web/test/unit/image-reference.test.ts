import { describe, expect, it } from "vitest";
import { ociPlatform, parseReference } from "../../server/registries/image-reference";

describe("parseReference", () => {
  it("puts one-segment Docker Hub names under library/ and calls registry-1.docker.io", () => {
    expect(parseReference("nginx")).toEqual({ registry: "docker.io", apiHost: "registry-1.docker.io", repository: "library/nginx", tag: "latest", digest: null });
    expect(parseReference("docker.io/nginx:1.25.3")).toMatchObject({ apiHost: "registry-1.docker.io", repository: "library/nginx", tag: "1.25.3" });
    expect(parseReference("index.docker.io/library/nginx:1")).toMatchObject({ registry: "docker.io", repository: "library/nginx", tag: "1" });
  });

  it("keeps multi-segment Hub names as they are", () => {
    expect(parseReference("grafana/grafana:10.2.0")).toMatchObject({ registry: "docker.io", repository: "grafana/grafana", tag: "10.2.0" });
  });

  it("reads a registry with a port without taking the port for a tag", () => {
    expect(parseReference("localhost:5000/team/app")).toEqual({ registry: "localhost:5000", apiHost: "localhost:5000", repository: "team/app", tag: "latest", digest: null });
    expect(parseReference("registry.example.com:5000/app:1.0.0-alpine")).toMatchObject({ repository: "app", tag: "1.0.0-alpine" });
  });

  it("reports a digest pin without inventing a tag", () => {
    const digest = `sha256:${"a".repeat(64)}`;
    expect(parseReference(`ghcr.io/o/app@${digest}`)).toMatchObject({ registry: "ghcr.io", repository: "o/app", tag: null, digest });
    expect(parseReference(`ghcr.io/o/app:1.2@${digest}`)).toMatchObject({ tag: "1.2", digest });
  });
});

describe("ociPlatform", () => {
  it("maps uname -m to OCI architectures", () => {
    expect(ociPlatform("x86_64")).toEqual({ os: "linux", architecture: "amd64" });
    expect(ociPlatform("aarch64")).toEqual({ os: "linux", architecture: "arm64" });
    expect(ociPlatform("armv7l")).toEqual({ os: "linux", architecture: "arm", variant: "v7" });
  });
});
