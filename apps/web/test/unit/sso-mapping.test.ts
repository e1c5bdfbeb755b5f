import { describe, expect, it } from "vitest";
import { claimGroups, mappedAccess } from "../../server/sso/group-mapping";
import { MappingRule, SsoPolicy } from "../../server/sso/sso-settings";

const rules = [
  { idpGroup: "platform", hostGroup: "prod", role: "operator" },
  { idpGroup: "oncall", hostGroup: "prod", role: "terminal" },
  { idpGroup: "dev", hostGroup: "staging", role: "logs" },
  { idpGroup: "sre", hostGroup: null, role: "operator" },
  { idpGroup: "admins", hostGroup: null, role: "admin" },
].map((r) => MappingRule.parse(r));

describe("SSO group mapping", () => {
  it("gives the highest fleet role and the highest grant per host group of the groups the user is in", () => {
    expect(mappedAccess(["platform", "oncall", "dev"], rules, "none")).toEqual({
      role: "none",
      grants: [
        { group: "prod", role: "terminal" },
        { group: "staging", role: "logs" },
      ],
    });
    expect(mappedAccess(["sre", "admins"], rules, "viewer")).toEqual({ role: "admin", grants: [] });
  });

  it("gives only the default role to someone in no mapped group", () => {
    expect(mappedAccess(["marketing"], rules, "viewer")).toEqual({ role: "viewer", grants: [] });
  });

  it("reads the claim as a list or a single string, ignoring other values", () => {
    expect(claimGroups({ groups: ["a", 1, "b"] }, "groups")).toEqual(["a", "b"]);
    expect(claimGroups({ roles: "ops" }, "roles")).toEqual(["ops"]);
    expect(claimGroups({}, "groups")).toEqual([]);
  });

  it("refuses rules that give admin on a host group or a grant role fleet-wide", () => {
    expect(MappingRule.safeParse({ idpGroup: "x", hostGroup: "prod", role: "admin" }).error?.issues[0]?.message).toMatch(/admin is fleet-wide only/);
    expect(MappingRule.safeParse({ idpGroup: "x", hostGroup: null, role: "terminal" }).error?.issues[0]?.message).toMatch(/fleet-wide rule gives one of viewer, operator, admin/);
  });

  it("defaults to no creation, no mapping and password sign-in on", () => {
    expect(SsoPolicy.parse({})).toMatchObject({ allowSignUp: false, allowedDomains: [], mapGroups: false, defaultRole: "none", passwordSignIn: true, breakGlassEmail: null });
  });
});
