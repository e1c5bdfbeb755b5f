import type { Metadata } from "next";
import { RuleList } from "@/components/alerts/rule-list";

export const metadata: Metadata = { title: "Alert rules" };

export default function AlertRulesPage() {
  return <RuleList />;
}
