import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RunSpec } from "@stevedore/protocol";
import { ConfigError, loadConfig } from "../src/config";
import { RequestRefused, enforceRunPolicy, resolveOnHost } from "../src/run-policy";

/** Real files and symlinks in a temporary directory: the agent resolves them as it would on a host. */
let dir: string;
beforeAll(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "stevedore-policy-")));
  fs.mkdirSync(path.join(dir, "allowed/app"), { recursive: true });
  fs.mkdirSync(path.join(dir, "elsewhere"));
  fs.symlinkSync("/", path.join(dir, "allowed/to-root"));
  fs.symlinkSync("/etc", path.join(dir, "allowed/to-etc"));
  fs.symlinkSync(path.join(dir, "elsewhere"), path.join(dir, "allowed/to-elsewhere"));
  fs.symlinkSync(path.join(dir, "allowed"), path.join(dir, "linked-prefix"));
  fs.symlinkSync("/nonexistent/etc", path.join(dir, "allowed/dangling"));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const spec = (...sources: string[]) => RunSpec.parse({ image: "x:1", mounts: sources.map((source, i) => ({ type: source.startsWith("/") ? "bind" : "volume", source, target: `/m${i}` })) });
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => null,
    (err: unknown) => {
      if (!(err instanceof RequestRefused)) throw err;
      return { code: err.code, message: err.message };
    },
  );

describe("resolving host paths", () => {
  it("follows symlinks through the longest existing ancestor", async () => {
    expect(await resolveOnHost(path.join(dir, "allowed/to-root"))).toBe("/");
    expect(await resolveOnHost(path.join(dir, "allowed/to-etc/passwd"))).toBe("/etc/passwd");
    expect(await resolveOnHost(path.join(dir, "allowed/not-yet/deeper"))).toBe(path.join(dir, "allowed/not-yet/deeper"));
    expect(await resolveOnHost(path.join(dir, "linked-prefix/app"))).toBe(path.join(dir, "allowed/app"));
  });

  it("refuses a symlink that leads nowhere", async () => {
    expect(await refusal(resolveOnHost(path.join(dir, "allowed/dangling/x")))).toMatchObject({ code: "bad_request", message: expect.stringMatching(/is a symlink to a path that does not exist/) });
  });
});

describe("the agent's enforcement", () => {
  const operator = (prefixes: string[]) => ({ bindMounts: { prefixes }, admin: false });
  const host = { local: "any" as const, dataRoot: "/var/lib/docker" };

  it("lets an allowed bind through, with its resolved source, and leaves volumes alone", async () => {
    const out = await enforceRunPolicy(spec(path.join(dir, "allowed//app/"), "data"), operator([path.join(dir, "allowed")]), host);
    expect(out.mounts.map((m) => m.source)).toEqual([path.join(dir, "allowed/app"), "data"]);
  });

  it("refuses a symlink under an allowed prefix that leads to / or /etc", async () => {
    const rule = operator([path.join(dir, "allowed")]);
    expect(await refusal(enforceRunPolicy(spec(path.join(dir, "allowed/to-root")), rule, host))).toEqual({
      code: "forbidden",
      message: `bind mount of ${path.join(dir, "allowed/to-root")} (which leads to / on the host) refused: it is / (the host's whole filesystem), which gives root on the host; only admins may mount it`,
    });
    expect((await refusal(enforceRunPolicy(spec(path.join(dir, "allowed/to-etc")), rule, host)))?.message).toMatch(/leads to \/etc on the host\) refused: it is \/etc/);
  });

  it("refuses a symlink that leaves the allowed prefix", async () => {
    const r = await refusal(enforceRunPolicy(spec(path.join(dir, "allowed/to-elsewhere")), operator([path.join(dir, "allowed")]), host));
    expect(r?.message).toMatch(/leads to .*elsewhere on the host\) refused by the control plane's run policy \(only under .*allowed\)/);
  });

  it("matches a prefix that is itself a symlink by where it leads", async () => {
    const out = await enforceRunPolicy(spec(path.join(dir, "linked-prefix/app")), operator([path.join(dir, "linked-prefix")]), host);
    expect(out.mounts[0]!.source).toBe(path.join(dir, "allowed/app"));
  });

  it("refuses a path it cannot see when a rule limits the run, and not for an admin on a host without its own rule", async () => {
    const missing = path.join(dir, "allowed/not-there");
    expect(await refusal(enforceRunPolicy(spec(missing), operator([path.join(dir, "allowed")]), host))).toMatchObject({ code: "bad_request", message: expect.stringMatching(/the agent cannot see it on this host/) });
    expect(await refusal(enforceRunPolicy(spec(missing), { bindMounts: "any", admin: true }, { ...host, local: { prefixes: [dir] } }))).toMatchObject({ code: "bad_request" });
    expect((await enforceRunPolicy(spec(missing), { bindMounts: "any", admin: true }, host)).mounts[0]!.source).toBe(missing);
  });

  it("protects the engine's data root as the host reports it", async () => {
    const r = await refusal(enforceRunPolicy(spec(path.join(dir, "elsewhere")), { bindMounts: "any", admin: false }, { local: "any", dataRoot: path.join(dir, "elsewhere") }));
    expect(r?.message).toMatch(/engine's data root/);
  });

  it("lets an admin mount /, unless the host's own flag says otherwise", async () => {
    const admin = { bindMounts: "any" as const, admin: true };
    expect((await enforceRunPolicy(spec("/"), admin, host)).mounts[0]!.source).toBe("/");
    expect(await refusal(enforceRunPolicy(spec("/"), admin, { ...host, local: "none" }))).toEqual({
      code: "forbidden",
      message: "bind mount of / refused by this host's own policy (--bind-mounts none): no bind mounts (named volumes are allowed)",
    });
    expect((await refusal(enforceRunPolicy(spec("/srv/x"), admin, { ...host, local: { prefixes: ["/data"] } })))?.message).toMatch(/--bind-mounts \/data\): only under \/data/);
  });

  it("takes the stricter of the control plane's rule and the host's", async () => {
    const r = await refusal(enforceRunPolicy(spec(path.join(dir, "allowed/app")), operator([path.join(dir, "allowed")]), { ...host, local: { prefixes: [path.join(dir, "elsewhere")] } }));
    expect(r?.message).toMatch(/this host's own policy/);
  });
});

describe("--bind-mounts", () => {
  it("defaults to any, takes the flag over the environment, and names a bad value", () => {
    expect(loadConfig([], {}).bindMounts).toBe("any");
    expect(loadConfig([], { STEVEDORE_BIND_MOUNTS: "none" }).bindMounts).toBe("none");
    expect(loadConfig(["--bind-mounts", "/srv/data/,/opt"], { STEVEDORE_BIND_MOUNTS: "none" }).bindMounts).toEqual({ prefixes: ["/srv/data", "/opt"] });
    expect(() => loadConfig(["--bind-mounts", "srv"], {})).toThrow(ConfigError);
    expect(() => loadConfig(["--bind-mounts", "srv"], {})).toThrow(/bindMounts: --bind-mounts \(STEVEDORE_BIND_MOUNTS\): "srv" is not an absolute path/);
  });
});
