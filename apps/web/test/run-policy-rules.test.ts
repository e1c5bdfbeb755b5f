// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
// Engine-free: changes nothing on the Docker Engine, so it runs beside the files that do (vitest.config.ts).
import { describe, expect, it } from "vitest";
import { RunPolicySettings, agentPolicy, callerRule, effectiveRule, refuseRun, type HostRunPolicy } from "../server/containers/run-policy";

/** The control plane's run policy as pure functions: settings → the rule on a host → a refusal or not. */
describe("run policy settings and their effect on a host", () => {
  const settings = RunPolicySettings.parse({
    fleet: { mode: "prefixes", prefixes: ["/srv"] },
    groups: [
      { group: "staging", bindMounts: { mode: "prefixes", prefixes: ["/srv/data", "/opt/app"] } },
      { group: "eu", bindMounts: { mode: "prefixes", prefixes: ["/srv"] } },
      { group: "prod", bindMounts: { mode: "none" } },
    ],
  });
  const host = (over: Partial<HostRunPolicy> = {}): HostRunPolicy => ({ hostName: "h1", admin: false, effective: effectiveRule(settings, ["staging"]), dataRoot: null, hostRule: "any", ...over });
  const mounts = (...sources: string[]) => ({ mounts: sources.map((source) => ({ type: "bind" as const, source, target: "/x", readOnly: true })) });

  it("uses the fleet default on hosts in no group with a rule, a group's rule otherwise, the stricter of several", () => {
    expect(effectiveRule(settings, [])).toEqual({ rule: { prefixes: ["/srv"] }, from: "the fleet default" });
    expect(effectiveRule(settings, ["other"])).toEqual({ rule: { prefixes: ["/srv"] }, from: "the fleet default" });
    expect(effectiveRule(settings, ["staging"])).toEqual({ rule: { prefixes: ["/srv/data", "/opt/app"] }, from: "group staging" });
    expect(effectiveRule(settings, ["staging", "eu"])).toEqual({ rule: { prefixes: ["/srv/data"] }, from: "groups eu, staging (the stricter of their rules)" });
    expect(effectiveRule(settings, ["eu", "prod"]).rule).toBe("none");
  });

  it("defaults to no bind mounts and refuses a duplicate group or a root-giving prefix", () => {
    expect(RunPolicySettings.parse({})).toEqual({ fleet: { mode: "none" }, groups: [] });
    expect(RunPolicySettings.safeParse({ groups: [{ group: "a", bindMounts: { mode: "none" } }, { group: "a", bindMounts: { mode: "none" } }] }).error?.issues[0]?.message).toBe("group a has two rules; keep one");
    expect(RunPolicySettings.safeParse({ fleet: { mode: "prefixes", prefixes: ["/srv", "/run/docker/x"] } }).error?.issues[0]).toMatchObject({ path: ["fleet", "prefixes", 1], message: expect.stringMatching(/is inside \/run\/docker/) });
    expect(RunPolicySettings.safeParse({ fleet: { mode: "any" } }).success).toBe(false);
  });

  it("refuses per host with a message naming the policy, the host and the path", () => {
    expect(refuseRun(mounts("/srv/data/a"), host())).toBeNull();
    expect(refuseRun(mounts("/srv/data/a", "/srv/other"), host())?.message).toBe("run policy on h1: bind mount of /srv/other refused by the rule for group staging: only under /srv/data, /opt/app");
    expect(refuseRun({ mounts: [{ type: "volume", source: "data", target: "/x", readOnly: false }] }, host({ effective: effectiveRule(settings, ["prod"]) }))).toBeNull();
    expect(refuseRun(mounts("/var/lib/docker2"), host({ effective: { rule: "any", from: "test" } }))).toBeNull();
    expect(refuseRun(mounts("/data/docker/x"), host({ effective: { rule: "any", from: "test" }, dataRoot: "/data/docker" }))?.message).toMatch(/engine's data root/);
  });

  it("lets admins mount anything but the host's own rule, and tells the agent so", () => {
    expect(refuseRun(mounts("/"), host({ admin: true }))).toBeNull();
    expect(refuseRun(mounts("/"), host({ admin: true, hostRule: { prefixes: ["/srv"] } }))?.message).toBe("run policy on h1: bind mount of / refused by the host's own policy (--bind-mounts /srv): only under /srv");
    expect(agentPolicy(host({ admin: true }))).toEqual({ bindMounts: "any", admin: true });
    expect(agentPolicy(host())).toEqual({ bindMounts: { prefixes: ["/srv/data", "/opt/app"] }, admin: false });
    expect(callerRule(host({ hostRule: { prefixes: ["/srv"] } }))).toEqual({ prefixes: ["/srv/data"] });
    expect(callerRule(host({ admin: true, hostRule: "none" }))).toBe("none");
  });
});
