import { describe, expect, it } from "vitest";
import { UpdatePolicySettings, automaticTarget, describeUpdatePolicy, effectiveUpdatePolicy, windowOpen } from "../../server/updates/update-policy";

const settings = UpdatePolicySettings.parse({
  fleet: { policy: "digest" },
  groups: [
    { group: "prod", policy: "notify" },
    { group: "edge", policy: "minor", window: { days: [0], start: "23:00", durationMinutes: 120, timeZone: "Europe/Berlin" } },
  ],
});

describe("update policy", () => {
  it("takes the container's label, else the most careful group rule, else the fleet default", () => {
    expect(effectiveUpdatePolicy(settings, [], {})).toMatchObject({ policy: "digest", from: "the fleet default" });
    expect(effectiveUpdatePolicy(settings, ["edge", "prod"], {})).toMatchObject({ policy: "notify", from: "group prod" });
    expect(effectiveUpdatePolicy(settings, ["edge"], { "io.stevedore.update": "patch" })).toMatchObject({ policy: "patch", window: { start: "23:00" } });
    expect(effectiveUpdatePolicy(settings, ["edge"], { "io.stevedore.update": "always" })).toMatchObject({ policy: "minor", from: "group edge" });
  });

  it("opens a window in its own time zone, past midnight on the day it started", () => {
    const w = settings.groups[1]!.window;
    // Sunday 23:30 in Berlin (winter: UTC+1) is 22:30 UTC; Monday 00:59 is Sunday's window; 01:00 is closed.
    expect(windowOpen(w, new Date("2026-12-06T22:30:00Z"))).toBe(true);
    expect(windowOpen(w, new Date("2026-12-06T23:59:00Z"))).toBe(true);
    expect(windowOpen(w, new Date("2026-12-07T00:00:00Z"))).toBe(false);
    expect(windowOpen(w, new Date("2026-12-06T21:59:00Z"))).toBe(false);
    expect(windowOpen(w, new Date("2026-12-13T22:00:00Z"))).toBe(true);
    expect(windowOpen(null, new Date())).toBe(true);
  });

  it("moves on its own only as far as the policy allows, never to a new major", () => {
    const found = { digestChanged: true, newerPatch: "1.0.1", newerMinor: "1.1.0" };
    expect(automaticTarget("notify", "1.0.0", found)).toBeNull();
    expect(automaticTarget("digest", "1.0.0", found)).toBe("1.0.0");
    expect(automaticTarget("patch", "1.0.0", found)).toBe("1.0.1");
    expect(automaticTarget("minor", "1.0.0", found)).toBe("1.1.0");
    expect(automaticTarget("digest", "1.0.0", { digestChanged: false, newerPatch: "1.0.1", newerMinor: null })).toBeNull();
  });

  it("says in a line what a policy does by itself, and when", () => {
    expect(describeUpdatePolicy({ policy: "notify", window: null, from: "the fleet default" })).toBeNull();
    expect(describeUpdatePolicy({ policy: "patch", window: { days: [0, 6], start: "02:00", durationMinutes: 90, timeZone: "Europe/Berlin" }, from: "group prod" })).toBe(
      "to newer patch versions, Sun Sat from 02:00 for 90 min Europe/Berlin (group prod)",
    );
  });

  it("refuses a bad window and a group named twice", () => {
    expect(UpdatePolicySettings.safeParse({ groups: [{ group: "a", policy: "digest", window: { days: [1], start: "25:00", durationMinutes: 60 } }] }).success).toBe(false);
    expect(UpdatePolicySettings.safeParse({ groups: [{ group: "a", policy: "digest", window: { days: [1], start: "02:00", durationMinutes: 60, timeZone: "Mars/Olympus" } }] }).success).toBe(false);
    expect(UpdatePolicySettings.safeParse({ groups: [{ group: "a", policy: "digest" }, { group: "a", policy: "minor" }] }).error?.issues[0]?.message).toBe("group a has two rules; keep one");
  });
});
