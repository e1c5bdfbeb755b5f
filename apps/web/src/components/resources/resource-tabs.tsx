"use client";

import Link from "next/link";
import { usePathname } from "next/navigation";

const TABS = [
  { href: "/images", label: "Images" },
  { href: "/volumes", label: "Volumes" },
  { href: "/networks", label: "Networks" },
];

/**
 * Images, volumes and networks as three pages under one main-navigation entry (the navigation has no
 * room for two more at 1280 px): links styled as tabs, each page its own address.
 */
export function ResourceTabs() {
  const pathname = usePathname();
  return (
    <nav aria-label="Images, volumes and networks" className="-mx-4 flex gap-1 overflow-x-auto border-b border-slate-200 px-4 sm:mx-0 sm:px-0">
      {TABS.map((t) => (
        <Link
          key={t.href}
          href={t.href}
          aria-current={pathname.startsWith(t.href) ? "page" : undefined}
          className="-mb-px shrink-0 border-b-2 border-transparent px-3 py-2 text-sm text-slate-600 hover:text-slate-900 aria-[current=page]:border-sky-700 aria-[current=page]:font-medium aria-[current=page]:text-slate-900"
        >
          {t.label}
        </Link>
      ))}
    </nav>
  );
}
