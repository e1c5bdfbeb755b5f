import { describe, expect, it } from "vitest";
import { DEFAULT_AFTER_SIGN_IN, safeNextPath } from "../../src/lib/safe-next";

describe("safeNextPath (the login page's next)", () => {
  it("keeps a path on this site, with its query and fragment", () => {
    expect(safeNextPath("/containers/host_1/abc")).toBe("/containers/host_1/abc");
    expect(safeNextPath("/audit?q=kill&phase=failed#top")).toBe("/audit?q=kill&phase=failed#top");
    expect(safeNextPath("/logs?containers=h%3Aa%2Ch%3Ab")).toBe("/logs?containers=h%3Aa%2Ch%3Ab");
  });

  it("sends anything that could leave the site to the default", () => {
    for (const next of [
      "/%5Cevil.com",
      "/%5cevil.com",
      "/\\evil.com",
      "//evil.com",
      "/%2Fevil.com",
      "%2F%2Fevil.com",
      "https://evil.com",
      "javascript:alert(1)",
      "JavaScript:alert(1)",
      "/\t/evil.com",
      "/%09/evil.com",
      "/\n/evil.com",
      "evil.com",
      "",
      null,
      undefined,
      "/%E0%A4%A", // not decodable
    ]) {
      expect(safeNextPath(next), String(next)).toBe(DEFAULT_AFTER_SIGN_IN);
    }
  });

  it("is the overview by default", () => {
    expect(DEFAULT_AFTER_SIGN_IN).toBe("/overview");
  });
});
