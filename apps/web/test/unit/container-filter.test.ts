import { describe, expect, it } from "vitest";
import type { ContainerSummary } from "@stevedore/protocol";
import { parseFilter, termMatches } from "../../server/fleet/container-filter";

const base: ContainerSummary = {
  id: "a".repeat(64),
  name: "web-1",
  image: "nginx:1.27",
  imageId: "sha256:x",
  command: "nginx -g daemon off;",
  createdAt: 0,
  state: "running",
  exitCode: 0,
  startedAt: 0,
  finishedAt: null,
  health: "unhealthy",
  ports: [],
  labels: { team: "ux core", tier: "" },
};

describe("the containers filter language", () => {
  it("reads label, image, host and status terms and free words, lower-casing all but label keys and values", () => {
    expect(parseFilter('label:team=ux label:tier IMAGE:Nginx host:Edge-1 status:Running,unhealthy Web').terms).toEqual([
      { kind: "label", key: "team", value: "ux" },
      { kind: "label", key: "tier", value: null },
      { kind: "image", value: "nginx" },
      { kind: "host", value: "edge-1" },
      { kind: "status", values: ["running", "unhealthy"] },
      { kind: "text", value: "web" },
    ]);
  });

  it("keeps quoted values whole, with their spaces, and removes the quotes", () => {
    expect(parseFilter('label:team="ux core" "two words"  image:"my app"').terms).toEqual([
      { kind: "label", key: "team", value: "ux core" },
      { kind: "text", value: "two words" },
      { kind: "image", value: "my app" },
    ]);
    // An unclosed quote runs to the end rather than being dropped.
    expect(parseFilter('"half open').terms).toEqual([{ kind: "text", value: "half open" }]);
  });

  it("treats other colons as words (an image reference is not a term) and a label value may hold '='", () => {
    expect(parseFilter("nginx:1.27 team=ux").terms).toEqual([
      { kind: "text", value: "nginx:1.27" },
      { kind: "text", value: "team=ux" },
    ]);
    expect(parseFilter("label:cmd=a=b").terms).toEqual([{ kind: "label", key: "cmd", value: "a=b" }]);
  });

  it("says what it could not understand and leaves it out", () => {
    const parsed = parseFilter("status:sleepy label:=x image: web");
    expect(parsed.terms).toEqual([{ kind: "text", value: "web" }]);
    expect(parsed.problems).toHaveLength(3);
    expect(parsed.problems[0]).toMatch(/status:sleepy is not a status/);
    expect(parsed.problems[1]).toMatch(/needs a key/);
    expect(parsed.problems[2]).toMatch(/image: needs a value/);
  });

  it("matches labels exactly by key and value, images by part, and health only on running containers", () => {
    const match = (q: string, c: Partial<ContainerSummary> = {}) => parseFilter(q).terms.every((t) => t.kind === "text" || t.kind === "host" || termMatches(t, { ...base, ...c }));
    expect(match('label:team="ux core"')).toBe(true);
    expect(match("label:team=ux")).toBe(false);
    expect(match("label:tier")).toBe(true);
    expect(match("label:tier=")).toBe(true);
    expect(match("label:owner")).toBe(false);
    // "toString" is on every object's prototype, not a label.
    expect(match("label:toString")).toBe(false);
    expect(match("image:NGINX")).toBe(true);
    expect(match("image:redis")).toBe(false);
    expect(match("status:unhealthy")).toBe(true);
    expect(match("status:healthy")).toBe(false);
    expect(match("status:exited,running")).toBe(true);
    expect(match("status:unhealthy", { state: "exited" })).toBe(false);
  });
});
