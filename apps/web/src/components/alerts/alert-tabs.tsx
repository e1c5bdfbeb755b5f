"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { LinkTabs } from "../tabs";

/** Alerts, and for admins (who alone manage them) Rules and Channels: one navigation entry, three pages. */
export function AlertTabs() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  const admin = me.data?.role === "admin";
  const tabs = [{ href: "/alerts", label: "Alerts", exact: true }, ...(admin ? [{ href: "/alerts/rules", label: "Rules" }, { href: "/alerts/channels", label: "Channels" }] : [])];
  return <LinkTabs label="Alerts, rules and channels" tabs={tabs} />;
}
