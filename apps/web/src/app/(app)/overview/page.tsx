import type { Metadata } from "next";
import { FleetOverview } from "@/components/overview/fleet-overview";

export const metadata: Metadata = { title: "Overview" };

export default function OverviewPage() {
  return <FleetOverview />;
}
