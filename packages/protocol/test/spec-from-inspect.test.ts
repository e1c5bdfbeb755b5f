import { describe, expect, it } from "vitest";
import { type ContainerInspect, type ImageInspect, specFromInspect } from "../src/spec-from-inspect";
import { dockerRunCommand } from "../src/run-spec";
// Captured from engine 20.10: `docker run -d --name spec-probe -e A=1 -p 127.0.0.1:8089:80 -p 9090:90/udp --memory 64m --cpus 0.5
// --restart on-failure:3 --network spec-net --network-alias probe --health-cmd true --health-interval 5s -v /tmp:/host-tmp:ro
// -v specvol:/data --hostname probe-host -w /tmp -u 1000 --stop-timeout 20 --init spec-probe-img sleep 1000`, and the same image plain.
import withSettings from "./fixtures/container-with-settings.json";
import plain from "./fixtures/container-plain.json";
import image from "./fixtures/image.json";

const c = (doc: unknown) => doc as ContainerInspect;
const img = image as unknown as ImageInspect;

describe("a run spec read from docker inspect", () => {
  it("gives back every setting docker run was given, and none of the image's defaults", () => {
    const { spec, unsupported } = specFromInspect(c(withSettings), img);
    expect(unsupported).toEqual([]);
    expect(dockerRunCommand(spec!)).toBe(
      "docker run -d --name spec-probe --init --hostname probe-host --user 1000 --workdir /tmp --cpus 0.5 --memory 64m --memory-swap 128m --restart on-failure:3 -p 127.0.0.1:8089:80/tcp -p 9090:90/udp --network spec-net --network-alias probe --health-cmd true --health-interval 5s --stop-timeout 20 -v /tmp:/host-tmp:ro -v specvol:/data -e A=1 spec-probe-img sleep 1000",
    );
  });

  it("leaves out what the engine and the image supply: id host name, default bridge, image env, labels and workdir", () => {
    const { spec, unsupported } = specFromInspect(c(plain), img);
    expect(unsupported).toEqual([]);
    expect(spec).toMatchObject({ image: "spec-probe-img", name: "spec-probe2", cmd: ["sleep", "1000"], env: [], labels: {}, networks: [], ports: [], mounts: [] });
    expect(spec!.hostname).toBeUndefined();
    expect(spec!.workingDir).toBeUndefined();
    expect(spec!.healthcheck).toBeUndefined();
  });

  it("carries a read-only root, dropped capabilities and a log driver other than plain json-file", () => {
    const doc = structuredClone(plain) as unknown as ContainerInspect;
    Object.assign(doc.HostConfig, { ReadonlyRootfs: true, CapDrop: ["NET_RAW", "MKNOD"], LogConfig: { Type: "json-file", Config: { "max-size": "1m" } } });
    const { spec, unsupported } = specFromInspect(doc, img);
    expect(unsupported).toEqual([]);
    expect(spec).toMatchObject({ readOnlyRootfs: true, capDrop: ["NET_RAW", "MKNOD"], logConfig: { driver: "json-file", options: { "max-size": "1m" } } });
    Object.assign(doc.HostConfig, { LogConfig: { Type: "local", Config: {} } });
    expect(specFromInspect(doc, img).spec?.logConfig).toEqual({ driver: "local", options: {} });
    // The plain container (json-file, no options) names no driver: a recreate takes the host's default.
    expect(specFromInspect(c(plain), img).spec?.logConfig).toBeUndefined();
    // A plugin driver is no driver a spec names: said, not dropped.
    Object.assign(doc.HostConfig, { LogConfig: { Type: "loki", Config: {} } });
    expect(specFromInspect(doc, img)).toMatchObject({ spec: null, unsupported: [expect.stringMatching(/^Log driver must be one of json-file/)] });
  });

  it("names the settings a run spec cannot carry, as docker run's flags", () => {
    const doc = structuredClone(plain) as unknown as ContainerInspect;
    Object.assign(doc.HostConfig, { Privileged: true, CapAdd: ["NET_ADMIN"], NetworkMode: "host", ShmSize: 1 << 30 });
    doc.Mounts = [{ Type: "tmpfs", Source: "", Destination: "/run", RW: true }];
    expect(specFromInspect(doc, img).unsupported).toEqual(["--privileged", "--cap-add", "--shm-size", "a tmpfs mount at /run", "--network host"]);
  });

  it("names an image created from its id by a tag it has, and says so when it has none", () => {
    const byId = structuredClone(plain) as unknown as ContainerInspect;
    byId.Config.Image = img.Id;
    expect(specFromInspect(byId, img).spec?.image).toBe("spec-probe-img:latest");
    expect(specFromInspect(byId, { ...img, RepoTags: [] })).toEqual({ spec: null, unsupported: ["an image without a tag (created from its id)"] });
  });

  it("keeps the command when the entrypoint is the container's own, since the engine then drops the image's", () => {
    const doc = structuredClone(plain) as unknown as ContainerInspect;
    doc.Config.Entrypoint = ["/bin/env"];
    doc.Config.Cmd = ["sh"];
    expect(specFromInspect(doc, img).spec).toMatchObject({ entrypoint: ["/bin/env"], cmd: ["sh"] });
  });
});
