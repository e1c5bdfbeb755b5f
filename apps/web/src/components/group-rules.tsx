import type { ReactNode } from "react";

/** The groups a per-group policy form shows: every host group, and any a saved rule still names. */
export function ruleGroupNames(groupNames: string[], saved: { group: string }[]): string[] {
  return [...new Set([...groupNames, ...saved.map((g) => g.group)])].sort();
}

/** A policy form's per-group rules, one editor per host group. */
export function PerGroupRules({ names, children }: { names: string[]; children: (name: string) => ReactNode }) {
  if (names.length === 0) return <p className="text-xs text-slate-500">No host groups yet: put hosts in groups on the Hosts page to give them rules of their own.</p>;
  return (
    <fieldset className="space-y-3">
      <legend className="font-medium">Per host group</legend>
      {names.map((n) => (
        <div key={n} className="rounded-md border border-slate-200 p-3">
          {children(n)}
        </div>
      ))}
    </fieldset>
  );
}
