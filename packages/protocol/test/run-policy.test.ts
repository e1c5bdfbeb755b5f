import { describe, expect, it } from "vitest";
import {
  AgentMethods,
  BindMountRule,
  checkLogConfig,
  RunSpec,
  checkBindMount,
  describeRule,
  formatIssues,
  intersectRules,
  isUnderPath,
  normalizeHostPath,
  parseBindMountsFlag,
  rootGivingPath,
  ruleAllows,
  unsafePrefix,
} from "../src";

const norm = (p: string) => {
  const n = normalizeHostPath(p);
  return n.ok ? n.path : `refused: ${n.reason}`;
};

describe("host path normalization", () => {
  it.each([
    ["/", "/"],
    ["/etc/", "/etc"],
    ["//etc", "/etc"],
    ["/srv//data///x", "/srv/data/x"],
    ["/srv/./data/.", "/srv/data"],
    ["/./", "/"],
    ["/var/run/docker.sock", "/var/run/docker.sock"],
  ])("%s is %s", (raw, out) => expect(norm(raw)).toBe(out));

  it.each(["/srv/data/../../etc", "/..", "/srv/..", "/a/../b"])("refuses the .. segment in %s", (raw) => {
    expect(norm(raw)).toMatch(/refused: .*"\.\." segment/);
  });

  it.each(["etc", "./etc", "", "~/x", "data:/x"])("refuses the relative path %j", (raw) => expect(norm(raw)).toMatch(/not an absolute path/));

  it("refuses control characters", () => expect(norm("/srv/a\0b")).toMatch(/control character/));

  it("keeps names that only look like dots", () => expect(norm("/srv/...x/..y/.z")).toBe("/srv/...x/..y/.z"));

  it("compares by whole segments", () => {
    expect(isUnderPath("/data", "/data")).toBe(true);
    expect(isUnderPath("/data/x", "/data")).toBe(true);
    expect(isUnderPath("/database", "/data")).toBe(false);
    expect(isUnderPath("/dat", "/data")).toBe(false);
    expect(isUnderPath("/anything", "/")).toBe(true);
  });
});

describe("root-giving paths", () => {
  it.each([
    ["/", "/"],
    ["/etc", "/etc"],
    ["/etc/shadow", "/etc"],
    ["/var/run/docker.sock", "/var/run/docker.sock"],
    ["/run/docker.sock", "/run/docker.sock"],
    ["/run/docker/containerd/x", "/run/docker"],
    ["/var/run/docker/netns", "/var/run/docker"],
    ["/run", "/run/docker.sock"],
    ["/var/run", "/var/run/docker.sock"],
    ["/var", "/var/run/docker.sock"],
    ["/var/lib", "/var/lib/docker"],
    ["/var/lib/docker/volumes", "/var/lib/docker"],
    ["/proc/1/root", "/proc"],
    ["/sys/kernel", "/sys"],
    ["/dev/sda", "/dev"],
    ["/boot", "/boot"],
    ["/root/.ssh", "/root"],
  ])("%s touches %s", (p, hit) => expect(rootGivingPath(p)?.path).toBe(hit));

  it.each(["/srv", "/srv/data", "/home/app", "/tmp/x", "/etcetera", "/rooted", "/var/lib/app", "/opt/docker"])("%s gives no root", (p) => {
    expect(rootGivingPath(p)).toBeNull();
  });

  it("protects the host's own engine data root too", () => {
    expect(rootGivingPath("/data/docker/overlay2", ["/data/docker"])?.why).toBe("the engine's data root");
    expect(rootGivingPath("/data", ["/data/docker"])?.path).toBe("/data/docker");
    expect(rootGivingPath("/data/app", ["/data/docker"])).toBeNull();
    expect(rootGivingPath("/srv/x", ["", "relative"])).toBeNull();
  });

  it("a prefix that is, is inside or holds one cannot be saved", () => {
    expect(unsafePrefix("/")).toMatch(/^\/ is \/ \(the host's whole filesystem\)/);
    expect(unsafePrefix("/var")).toMatch(/^\/var holds \/var\/run\/docker.sock \(the engine socket\)/);
    expect(unsafePrefix("/etc/app")).toMatch(/^\/etc\/app is inside \/etc/);
    expect(unsafePrefix("/srv/data")).toBeNull();
  });
});

describe("rules", () => {
  const P = (...prefixes: string[]) => BindMountRule.parse({ prefixes });

  it("normalizes prefixes when parsed and refuses bad ones", () => {
    expect(P("/srv/data/", "//opt//app")).toEqual({ prefixes: ["/srv/data", "/opt/app"] });
    expect(BindMountRule.safeParse({ prefixes: ["/srv/../etc"] }).success).toBe(false);
    expect(BindMountRule.safeParse({ prefixes: [] }).success).toBe(false);
    expect(BindMountRule.safeParse({ prefixes: ["/srv"], extra: 1 }).success).toBe(false);
  });

  it("allows by prefix", () => {
    expect(ruleAllows("any", "/x")).toBe(true);
    expect(ruleAllows("none", "/x")).toBe(false);
    expect(ruleAllows(P("/data"), "/data/a")).toBe(true);
    expect(ruleAllows(P("/data"), "/database")).toBe(false);
  });

  it("intersects: the stricter wins", () => {
    expect(intersectRules("any", "none")).toBe("none");
    expect(intersectRules("none", P("/srv"))).toBe("none");
    expect(intersectRules("any", P("/srv"))).toEqual(P("/srv"));
    expect(intersectRules(P("/srv"), P("/srv/data", "/opt"))).toEqual(P("/srv/data"));
    expect(intersectRules(P("/srv", "/opt/app"), P("/opt", "/srv/a", "/srv/a/b"))).toEqual(P("/opt/app", "/srv/a"));
    expect(intersectRules(P("/a"), P("/b"))).toBe("none");
    expect(intersectRules(P("/data"), P("/database"))).toBe("none");
  });

  it("describes itself", () => {
    expect(describeRule("none")).toBe("no bind mounts");
    expect(describeRule(P("/srv/data", "/opt"))).toBe("only under /srv/data, /opt");
  });

  it("parses the agent's --bind-mounts flag", () => {
    expect(parseBindMountsFlag("any")).toEqual({ ok: true, rule: "any" });
    expect(parseBindMountsFlag(" none ")).toEqual({ ok: true, rule: "none" });
    expect(parseBindMountsFlag("/srv/data/,/opt/app")).toEqual({ ok: true, rule: P("/srv/data", "/opt/app") });
    expect(parseBindMountsFlag("srv")).toMatchObject({ ok: false, reason: expect.stringMatching(/not an absolute path/) });
    expect(parseBindMountsFlag("/a/../b")).toMatchObject({ ok: false, reason: expect.stringMatching(/\.\./) });
    expect(parseBindMountsFlag(",")).toMatchObject({ ok: false });
  });
});

describe("checking one bind", () => {
  const base = { rule: BindMountRule.parse({ prefixes: ["/srv/data"] }), admin: false, ruleName: "the run policy (group staging)" };

  it("lets a non-admin mount under an allowed prefix", () => {
    expect(checkBindMount({ ...base, source: "/srv/data/app" })).toBeNull();
    expect(checkBindMount({ ...base, source: "/srv//data/./app/" })).toBeNull();
  });

  it("refuses outside the prefixes, naming the rule", () => {
    expect(checkBindMount({ ...base, source: "/srv/database" })).toEqual({
      code: "forbidden",
      source: "/srv/database",
      message: "bind mount of /srv/database refused by the run policy (group staging): only under /srv/data",
    });
    expect(checkBindMount({ ...base, rule: "none", source: "/srv/x" })?.message).toBe("bind mount of /srv/x refused by the run policy (group staging): no bind mounts (named volumes are allowed)");
  });

  it("refuses root-giving paths to non-admins whatever the rule", () => {
    expect(checkBindMount({ ...base, rule: "any", source: "/" })?.message).toBe("bind mount of / refused: it is / (the host's whole filesystem), which gives root on the host; only admins may mount it");
    expect(checkBindMount({ ...base, rule: "any", source: "/var/run/docker.sock" })?.code).toBe("forbidden");
    expect(checkBindMount({ ...base, rule: "any", source: "/etc/" })?.message).toMatch(/^bind mount of \/etc refused: it is \/etc/);
    expect(checkBindMount({ ...base, rule: "any", source: "/data/docker", dataRoots: ["/data/docker"] })?.message).toMatch(/engine's data root/);
  });

  it("refuses .. as a bad request, even to admins", () => {
    expect(checkBindMount({ ...base, source: "/srv/data/../../etc" })).toMatchObject({ code: "bad_request", message: expect.stringMatching(/"\.\." segment/) });
    expect(checkBindMount({ ...base, admin: true, rule: "any", source: "/srv/.." })?.code).toBe("bad_request");
  });

  it("checks where a symlink leads, not only its name", () => {
    expect(checkBindMount({ ...base, source: "/srv/data/link", resolved: "/" })?.message).toBe(
      "bind mount of /srv/data/link (which leads to / on the host) refused: it is / (the host's whole filesystem), which gives root on the host; only admins may mount it",
    );
    expect(checkBindMount({ ...base, source: "/srv/data/link", resolved: "/opt/other" })?.message).toMatch(/leads to \/opt\/other.*only under \/srv\/data/);
  });

  it("lets admins mount root-giving paths, but not past their rule", () => {
    expect(checkBindMount({ ...base, admin: true, rule: "any", source: "/" })).toBeNull();
    expect(checkBindMount({ ...base, admin: true, rule: "none", source: "/", ruleName: "this host's --bind-mounts flag" })?.message).toMatch(/refused by this host's --bind-mounts flag: no bind mounts/);
  });
});

describe("strict run spec", () => {
  it("names an unknown field instead of dropping it", () => {
    const r = RunSpec.safeParse({ image: "x:1", privileged: true });
    expect(r.success).toBe(false);
    expect(formatIssues(r.error!.issues)).toBe("privileged: unknown field");
  });

  it("is strict in nested objects and in the agent's request", () => {
    const r = AgentMethods["container.run"].params.safeParse({
      spec: { image: "x:1", mounts: [{ type: "bind", source: "/srv", target: "/x", propagation: "shared" }], restartPolicy: { name: "no", extra: 1 }, ports: [{ containerPort: 80, hostNetwork: true }] },
      policy: { bindMounts: "any", admin: false },
      capAdd: ["SYS_ADMIN"],
    });
    expect(r.success).toBe(false);
    expect(formatIssues(r.error!.issues).split("; ").sort()).toEqual(["capAdd: unknown field", "spec.mounts.0.propagation: unknown field", "spec.ports.0.hostNetwork: unknown field", "spec.restartPolicy.extra: unknown field"]);
  });

  it("defaults a missing policy to no bind mounts, not an admin", () => {
    const r = AgentMethods["container.run"].params.parse({ spec: { image: "x:1" } });
    expect(r.policy).toEqual({ bindMounts: "none", admin: false });
  });

  it("checks a mount's source for its type", () => {
    const mount = (m: object) => RunSpec.safeParse({ image: "x:1", mounts: [{ target: "/x", ...m }] });
    expect(mount({ type: "bind", source: "/srv" }).success).toBe(true);
    expect(formatIssues(mount({ type: "bind", source: "srv" }).error!.issues)).toBe("mounts.0.source: a bind mount's source is an absolute host path");
    expect(mount({ type: "volume", source: "data_1.x" }).success).toBe(true);
    expect(formatIssues(mount({ type: "volume", source: "/etc" }).error!.issues)).toMatch(/^mounts.0.source: a volume's name/);
  });
});

describe("log options that reach the host", () => {
  const log = (options: Record<string, string>) => ({ driver: "syslog", options });
  it("refuses non-admins an option naming a host socket or file, and lets network addresses and sizes through", () => {
    expect(checkLogConfig(log({ "syslog-address": "unix:///var/run/docker.sock" }), false)).toEqual({
      code: "forbidden",
      option: "syslog-address",
      message: "log option syslog-address=unix:///var/run/docker.sock refused: it names a socket or file on the host, which the engine would open as root; only admins may",
    });
    expect(checkLogConfig(log({ "syslog-address": "unixgram:///dev/log" }), false)?.option).toBe("syslog-address");
    expect(checkLogConfig({ driver: "fluentd", options: { "fluentd-address": "  UNIX:///run/fluent.sock" } }, false)?.code).toBe("forbidden");
    expect(checkLogConfig({ driver: "json-file", options: { "max-size": "10m", path: "/etc/shadow" } }, false)?.option).toBe("path");
    expect(checkLogConfig(log({ "syslog-address": "udp://10.0.0.5:514", tag: "web" }), false)).toBeNull();
    expect(checkLogConfig(log({ "syslog-address": "unix:///dev/log" }), true)).toBeNull();
    expect(checkLogConfig(undefined, false)).toBeNull();
  });
});
