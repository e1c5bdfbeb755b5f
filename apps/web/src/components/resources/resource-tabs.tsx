"use client";

import { LinkTabs } from "../tabs";

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
  return <LinkTabs label="Images, volumes and networks" tabs={TABS} />;
}
