"use client";

import * as RadixTabs from "@radix-ui/react-tabs";
import type { ReactNode } from "react";

export interface TabItem {
  value: string;
  label: ReactNode;
  /** Rendered only while the tab is shown: a hidden tab holds no stream open. */
  content: () => ReactNode;
}

/**
 * Radix's tabs (arrow keys between tabs, Home/End, roles and ids wired), in the house style. On a
 * phone the list wraps onto a second row, so every tab stays in sight, and the chosen one is a filled
 * pill (an underline would sit between the rows); from sm up, one row with an underline.
 */
export function Tabs({ label, value, onChange, items }: { label: string; value: string; onChange: (value: string) => void; items: TabItem[] }) {
  return (
    <RadixTabs.Root value={value} onValueChange={onChange} activationMode="manual">
      <RadixTabs.List aria-label={label} className="flex flex-wrap gap-1 border-b border-slate-200 pb-1 sm:flex-nowrap sm:overflow-x-auto sm:pb-0">
        {items.map((t) => (
          <RadixTabs.Trigger
            key={t.value}
            value={t.value}
            className="shrink-0 rounded-md px-3 py-2 text-sm text-slate-600 hover:text-slate-900 data-[state=active]:bg-slate-100 data-[state=active]:font-medium data-[state=active]:text-slate-900 sm:-mb-px sm:rounded-none sm:border-b-2 sm:border-transparent sm:data-[state=active]:border-sky-700 sm:data-[state=active]:bg-transparent"
          >
            {t.label}
          </RadixTabs.Trigger>
        ))}
      </RadixTabs.List>
      {items.map((t) => (
        <RadixTabs.Content key={t.value} value={t.value} className="pt-4 focus-visible:outline-none">
          {t.value === value && t.content()}
        </RadixTabs.Content>
      ))}
    </RadixTabs.Root>
  );
}
