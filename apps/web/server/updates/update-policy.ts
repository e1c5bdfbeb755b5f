import { z } from "zod";
import { GroupName } from "../access/grants";

/**
 * What Stevedore may do on its own when a container's image has moved on: only say so (the default),
 * update to the same tag's new digest, or also move to a newer patch or minor version of a version
 * tag. Never to a new major version: that is a person's decision. Set per host group by admins, or per
 * container with the `io.stevedore.update` label, which wins (operators set labels when they run).
 */
export const UPDATE_POLICIES = ["notify", "digest", "patch", "minor"] as const;
export const UpdatePolicy = z.enum(UPDATE_POLICIES);
export type UpdatePolicy = z.infer<typeof UpdatePolicy>;
export const UPDATE_POLICY_LABEL = "io.stevedore.update";

const isTimeZone = (tz: string) => {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
};

/** When automatic updates may run: these weekdays (0 = Sunday), from `start` for `durationMinutes`, in a time zone. */
export const MaintenanceWindow = z.strictObject({
  days: z.array(z.number().int().min(0).max(6)).min(1, "choose at least one day").max(7).refine((d) => new Set(d).size === d.length, "a day is listed twice"),
  start: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "a start time looks like 02:00"),
  durationMinutes: z.number().int().min(15, "a window lasts at least 15 minutes").max(24 * 60),
  timeZone: z.string().max(64).refine(isTimeZone, "not a time zone this server knows (e.g. UTC, Europe/Berlin)").default("UTC"),
});
export type MaintenanceWindow = z.infer<typeof MaintenanceWindow>;

const Rule = z.strictObject({ policy: UpdatePolicy, window: MaintenanceWindow.nullable().default(null) });

export const UpdatePolicySettings = z
  .strictObject({
    fleet: Rule.default({ policy: "notify", window: null }),
    groups: z.array(Rule.extend({ group: GroupName })).max(256).default([]),
  })
  .superRefine((s, ctx) => {
    const seen = new Set<string>();
    s.groups.forEach((g, i) => {
      if (seen.has(g.group)) ctx.addIssue({ code: "custom", path: ["groups", i, "group"], message: `group ${g.group} has two rules; keep one` });
      seen.add(g.group);
    });
  });
export type UpdatePolicySettings = z.infer<typeof UpdatePolicySettings>;

export interface EffectiveUpdatePolicy {
  policy: UpdatePolicy;
  window: MaintenanceWindow | null;
  /** Where it comes from, for the UI and the audit entry of an automatic update. */
  from: string;
}

/**
 * The policy for one container: its label, else its host's groups' rules (the most careful of them,
 * with that rule's window), else the fleet default. A label's policy keeps the window of the rule it overrides.
 */
export function effectiveUpdatePolicy(settings: UpdatePolicySettings, hostGroups: readonly string[], labels: Readonly<Record<string, string>>): EffectiveUpdatePolicy {
  const applying = settings.groups.filter((g) => hostGroups.includes(g.group)).sort((a, b) => UPDATE_POLICIES.indexOf(a.policy) - UPDATE_POLICIES.indexOf(b.policy) || a.group.localeCompare(b.group));
  const rule = applying[0] ?? settings.fleet;
  const base = { policy: rule.policy, window: rule.window, from: applying[0] ? `group ${applying[0].group}` : "the fleet default" };
  const label = UpdatePolicy.safeParse(labels[UPDATE_POLICY_LABEL]);
  return label.success ? { ...base, policy: label.data, from: `the container's ${UPDATE_POLICY_LABEL} label` } : base;
}

/** Weekday (0 = Sunday) and minutes since midnight of an instant in a time zone. */
function localTime(at: Date, timeZone: string): { day: number; minutes: number } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-US", { timeZone, weekday: "short", hour: "2-digit", minute: "2-digit", hourCycle: "h23" }).formatToParts(at).map((p) => [p.type, p.value]));
  return { day: ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"].indexOf(parts.weekday!), minutes: Number(parts.hour) * 60 + Number(parts.minute) };
}

/** Whether automatic updates may run now: always without a window; a window past midnight belongs to the day it starts. */
export function windowOpen(window: MaintenanceWindow | null, at: Date): boolean {
  if (!window) return true;
  const { day, minutes } = localTime(at, window.timeZone);
  const [h, m] = window.start.split(":").map(Number);
  const start = h! * 60 + m!;
  // Minutes since a window started today, or since one started yesterday (past midnight).
  const fromToday = window.days.includes(day) ? minutes - start : -1;
  const fromYesterday = window.days.includes((day + 6) % 7) ? minutes + 24 * 60 - start : -1;
  return [fromToday, fromYesterday].some((elapsed) => elapsed >= 0 && elapsed < window.durationMinutes);
}

/** What a check found for one container, as far as a policy cares. */
export interface AvailableUpdate {
  /** The tag the container runs now names a different image. */
  digestChanged: boolean;
  /** Newer version tags of the same line, when the container runs a version tag. */
  newerPatch: string | null;
  newerMinor: string | null;
}

/**
 * The tag to move to on its own under this policy: the same one (its new digest), a newer version's,
 * or null when the policy leaves it to a person. The newest the policy allows wins.
 */
export function automaticTarget(policy: UpdatePolicy, currentTag: string, found: AvailableUpdate): string | null {
  if (policy === "minor" && found.newerMinor) return found.newerMinor;
  if ((policy === "minor" || policy === "patch") && found.newerPatch) return found.newerPatch;
  if (policy !== "notify" && found.digestChanged) return currentTag;
  return null;
}

const DAY_NAMES = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];

/** Where a container's policy lets Stevedore move it by itself, and when ("to newer patch versions, Sun from 02:00…"); null when it only says so. */
export function describeUpdatePolicy({ policy, window, from }: EffectiveUpdatePolicy): string | null {
  if (policy === "notify") return null;
  const what = { digest: "to its tag's new image", patch: "to newer patch versions", minor: "to newer minor and patch versions" }[policy];
  const when = window ? `, ${window.days.map((d) => DAY_NAMES[d]).join(" ")} from ${window.start} for ${window.durationMinutes} min ${window.timeZone}` : "";
  return `${what}${when} (${from})`;
}
