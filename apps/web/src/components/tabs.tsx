"use client";

import * as RadixTabs from "@radix-ui/react-tabs";
import Link from "next/link";
import { usePathname } from "next/navigation";
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

/**
 * Pages under one main-navigation entry shown as tabs: links (each page its own address), the current
 * one underlined. `exact` tabs match only their own path (a section's first page, under which the others live).
 */
export function LinkTabs({ label, tabs }: { label: string; tabs: readonly { href: string; label: ReactNode; exact?: boolean }[] }) {
  const pathname = usePathname();
  return (
    <nav aria-label={label} className="-mx-4 flex gap-1 overflow-x-auto border-b border-slate-200 px-4 sm:mx-0 sm:px-0">
      {tabs.map((t) => (
        <Link
          key={t.href}
          href={t.href}
          aria-current={(t.exact ? pathname === t.href : pathname.startsWith(t.href)) ? "page" : undefined}
          className="-mb-px shrink-0 border-b-2 border-transparent px-3 py-2 text-sm text-slate-600 hover:text-slate-900 aria-[current=page]:border-sky-700 aria-[current=page]:font-medium aria-[current=page]:text-slate-900"
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
