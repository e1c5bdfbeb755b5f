import { describe, expect, it } from "vitest";
import { RunSpec, describeIssues } from "../src";

const problems = (input: unknown) => {
  const r = RunSpec.safeParse(input);
  if (r.success) throw new Error("expected problems");
  return describeIssues(r.error.issues);
};

describe("a run spec's problems in the form's words", () => {
  it("names the field and the limit, not the schema's path and types", () => {
    expect(problems({ image: "busybox:1.36", cpuShares: 1, cpus: Number.NaN, stopTimeoutSeconds: 5000, healthcheck: { test: ["CMD-SHELL", "true"], retries: 1.5 } })).toEqual([
      { path: ["cpuShares"], message: "CPU shares must be at least 2" },
      { path: ["cpus"], message: "CPUs must be a number" },
      { path: ["healthcheck", "retries"], message: "Healthcheck retries must be a whole number" },
      { path: ["stopTimeoutSeconds"], message: "Stop timeout must be at most 3600 seconds" },
    ]);
  });

  it("says which line of a list is wrong, and one thing per field", () => {
    expect(problems({ image: "", env: ["A=1", "oops"], capDrop: ["net raw"], logConfig: { driver: "loki", options: {} } })).toEqual([
      { path: ["image"], message: "Image is required" },
      { path: ["env", 1], message: "Environment, line 2: environment entries look like KEY=value" },
      { path: ["capDrop", 0], message: "Capabilities to drop, line 1: a capability is a name like NET_RAW (or ALL)" },
      { path: ["logConfig", "driver"], message: expect.stringMatching(/^Log driver must be one of json-file, local, journald/) },
    ]);
  });

  it("names a field the spec does not have", () => {
    expect(problems({ image: "busybox:1.36", capAdd: ["SYS_ADMIN"] })).toEqual([{ path: [], message: "capAdd: not a setting a run spec has (nothing is dropped silently)" }]);
  });
});
