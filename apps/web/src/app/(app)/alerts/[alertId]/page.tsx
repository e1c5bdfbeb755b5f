import type { Metadata } from "next";
import { AlertDetail } from "@/components/alerts/alert-detail";

export const metadata: Metadata = { title: "Alert" };

export default async function AlertPage({ params }: { params: Promise<{ alertId: string }> }) {
  const { alertId } = await params;
  return <AlertDetail alertId={alertId} />;
}
