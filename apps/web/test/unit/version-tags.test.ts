import { describe, expect, it } from "vitest";
import { newerVersions, parseVersionTag } from "../../server/updates/version-tags";

describe("newerVersions", () => {
  const tags = ["1.25.3", "1.25.4", "1.25.10", "1.26.0", "1.26.2", "2.0.0", "1.25.4-alpine", "1.27", "latest", "v1.30.0", "1.26.1-rc1"];

  it("names the newest patch, minor and major of the same shape, numerically (1.25.10 after 1.25.4)", () => {
    expect(newerVersions("1.25.3", tags)).toEqual({ patch: "1.25.10", minor: "1.26.2", major: "2.0.0" });
    expect(newerVersions("1.26.2", tags)).toEqual({ patch: null, minor: null, major: "2.0.0" });
    expect(newerVersions("2.0.0", tags)).toEqual({ patch: null, minor: null, major: null });
  });

  it("keeps a variant to its variant, a v prefix to v tags, and a floating tag to its own shape", () => {
    expect(newerVersions("1.25.3-alpine", tags)).toEqual({ patch: "1.25.4-alpine", minor: null, major: null });
    expect(newerVersions("v1.29.9", tags)).toEqual({ patch: null, minor: "v1.30.0", major: null });
    expect(newerVersions("1.25", tags)).toEqual({ patch: null, minor: "1.27", major: null });
  });

  it("says nothing for tags that are not versions", () => {
    expect(newerVersions("latest", tags)).toBeNull();
    expect(newerVersions("bookworm-slim", tags)).toBeNull();
    expect(parseVersionTag("1.2.3.4")).toBeNull();
    expect(parseVersionTag("1.2.3")).toEqual({ prefix: "", parts: [1, 2, 3], suffix: "" });
  });
});
