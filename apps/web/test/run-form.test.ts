// Once per run: nothing here depends on which database the control plane uses, or it makes its own PostgreSQL (scripts/test.sh).
import { describe, expect, it } from "vitest";
import { EMPTY_FORM, type HostPolicy, parseRunForm, policySummary, predictedRefusals, splitCommand } from "../src/lib/run-form";

describe("run form", () => {
  it("splits a command line like a shell", () => {
    expect(splitCommand(`sh -c "echo hi; sleep 1" 'a b' c\\ d ""`)).toEqual(["sh", "-c", "echo hi; sleep 1", "a b", "c d", ""]);
    expect(() => splitCommand(`echo "open`)).toThrow(/unclosed quote/);
  });

  it("turns the text fields into a RunSpec", () => {
    const r = parseRunForm({
      ...EMPTY_FORM,
      image: "busybox:1.36",
      command: "sleep 10",
      env: "A=1\n\nB=2",
      ports: "8080:80\n127.0.0.1:53:53/udp\n9000",
      volumes: "/srv/data:/data:ro\ncache:/cache",
      labels: "team=web",
      memory: "64m",
      memorySwap: "-1",
      cpuShares: "512",
      restart: "on-failure",
      maxRetries: "3",
      init: true,
    });
    expect(r).toMatchObject({
      ok: true,
      spec: {
        cmd: ["sleep", "10"],
        env: ["A=1", "B=2"],
        ports: [{ hostPort: 8080, containerPort: 80, protocol: "tcp" }, { hostIp: "127.0.0.1", hostPort: 53, containerPort: 53, protocol: "udp" }, { containerPort: 9000 }],
        mounts: [{ type: "bind", source: "/srv/data", target: "/data", readOnly: true }, { type: "volume", source: "cache", target: "/cache", readOnly: false }],
        labels: { team: "web" },
        memoryBytes: 64 * 1024 * 1024,
        memorySwapBytes: -1,
        cpuShares: 512,
        restartPolicy: { name: "on-failure", maximumRetryCount: 3 },
        init: true,
      },
    });
  });

  it("says what is wrong, by field", () => {
    const r = parseRunForm({ ...EMPTY_FORM, image: "busybox", ports: "eighty", memory: "lots", labels: "novalue" });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors.join("\n")).toMatch(/port "eighty"/);
    expect(r.errors.join("\n")).toMatch(/memory "lots"/);
    expect(r.errors.join("\n")).toMatch(/label "novalue"/);
  });
});

describe("the run policy in the run form", () => {
  const policies: HostPolicy[] = [
    { hostId: "a", hostName: "staging-1", rule: { prefixes: ["/srv/data"] }, admin: false, from: "group staging", dataRoot: "/var/lib/docker" },
    { hostId: "b", hostName: "prod-1", rule: "none", admin: false, from: "group prod", dataRoot: null },
    { hostId: "c", hostName: "prod-2", rule: "none", admin: false, from: "group prod", dataRoot: null },
  ];

  it("sums the policy up per rule, naming the hosts", () => {
    expect(policySummary(policies)).toEqual(["only under /srv/data on staging-1", "off (named volumes only) on prod-1, prod-2"]);
    expect(policySummary([{ ...policies[0]!, rule: "any", admin: true }])).toEqual(["any path (you are an admin) on staging-1"]);
  });

  it("predicts the server's refusals for the binds typed", () => {
    const spec = (volumes: string) => {
      const r = parseRunForm({ ...EMPTY_FORM, image: "busybox:1.36", volumes });
      if (!r.ok) throw new Error(r.errors.join("; "));
      return r.spec;
    };
    expect(predictedRefusals(spec("cache:/cache"), policies)).toEqual([]);
    expect(predictedRefusals(spec("/srv/data/app:/app"), policies).map((r) => r.hostName)).toEqual(["prod-1", "prod-2"]);
    expect(predictedRefusals(spec("/etc:/host-etc:ro"), policies)[0]).toEqual({ hostName: "staging-1", message: "bind mount of /etc refused: it is /etc (the host's configuration), which gives root on the host; only admins may mount it" });
    expect(predictedRefusals(spec("/etc:/host-etc:ro"), [{ ...policies[0]!, rule: "any", admin: true }])).toEqual([]);
  });
});
