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
 * Radix's tabs (arrow keys between tabs, Home/End, roles and ids wired), in the house style. The
 * list scrolls sideways on a phone rather than widening the page.
 */
export function Tabs({ label, value, onChange, items }: { label: string; value: string; onChange: (value: string) => void; items: TabItem[] }) {
  return (
    <RadixTabs.Root value={value} onValueChange={onChange} activationMode="manual">
      <RadixTabs.List aria-label={label} className="-mx-4 flex gap-1 overflow-x-auto border-b border-slate-200 px-4 sm:mx-0 sm:px-0">
        {items.map((t) => (
          <RadixTabs.Trigger
            key={t.value}
            value={t.value}
            className="-mb-px shrink-0 border-b-2 border-transparent px-3 py-2 text-sm text-slate-600 hover:text-slate-900 data-[state=active]:border-sky-700 data-[state=active]:font-medium data-[state=active]:text-slate-900"
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
