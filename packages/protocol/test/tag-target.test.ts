import { describe, expect, it } from "vitest";
import { parseTagTarget } from "../src/images";

describe("a tag target typed in one field", () => {
  it("splits repository and tag at the last colon after the last slash, as docker tag does", () => {
    expect(parseTagTarget("team/app:1.4.2")).toEqual({ ok: true, target: { repository: "team/app", tag: "1.4.2" } });
    expect(parseTagTarget("  registry.example.com:5000/team/app:v2  ")).toEqual({ ok: true, target: { repository: "registry.example.com:5000/team/app", tag: "v2" } });
    // The colon before a slash is the registry's port, not a tag.
    expect(parseTagTarget("localhost:5000/app")).toEqual({ ok: true, target: { repository: "localhost:5000/app", tag: "latest" } });
    expect(parseTagTarget("app")).toEqual({ ok: true, target: { repository: "app", tag: "latest" } });
  });

  it("refuses a digest, an empty tag and bad names in words naming the part at fault", () => {
    const error = (text: string) => {
      const r = parseTagTarget(text);
      return r.ok ? "accepted" : r.error;
    };
    expect(error("team/app@sha256:" + "a".repeat(64))).toMatch(/digest .* cannot be given as a tag/);
    expect(error("team/app:")).toMatch(/nothing after the colon/);
    expect(error("")).toMatch(/repository:tag/);
    expect(error("Team/App:1")).toMatch(/^the repository "Team\/App": .*lowercase/);
    expect(error("team/app:-bad")).toMatch(/^the tag "-bad": /);
    expect(error("team app:1")).toMatch(/no spaces/);
  });
});
