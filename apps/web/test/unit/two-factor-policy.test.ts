import { describe, expect, it } from "vitest";
import { TwoFactorPolicy, roleNeedsFactor, stepUpGroupsOf } from "../../server/two-factor/policy";

describe("second-factor policy", () => {
  it("defaults to nothing required and a 10-minute step-up window", () => {
    expect(TwoFactorPolicy.parse({})).toEqual({ requiredRoles: [], stepUpGroups: [], stepUpMinutes: 10 });
  });

  it("matches a host's groups, and '*' matches every host", () => {
    const policy = TwoFactorPolicy.parse({ stepUpGroups: ["Prod", "prod", "edge"] });
    expect(policy.stepUpGroups).toEqual(["edge", "prod"]);
    expect(stepUpGroupsOf(policy, ["prod", "eu"])).toEqual(["prod"]);
    expect(stepUpGroupsOf(policy, ["staging"])).toEqual([]);
    expect(stepUpGroupsOf(TwoFactorPolicy.parse({ stepUpGroups: ["*"] }), [])).toEqual(["*"]);
  });

  it("requires a factor only of the roles listed", () => {
    const policy = TwoFactorPolicy.parse({ requiredRoles: ["admin"] });
    expect(roleNeedsFactor(policy, "admin")).toBe(true);
    expect(roleNeedsFactor(policy, "operator")).toBe(false);
  });

  it("refuses a window out of range and a group name that is not one, in words", () => {
    expect(TwoFactorPolicy.safeParse({ stepUpMinutes: 0 }).error?.issues[0]?.message).toBe("at least 1 minute");
    expect(TwoFactorPolicy.safeParse({ stepUpMinutes: 2000 }).error?.issues[0]?.message).toBe("at most 1440 minutes (a day)");
    expect(TwoFactorPolicy.safeParse({ stepUpGroups: ["no spaces"] }).success).toBe(false);
  });
});
