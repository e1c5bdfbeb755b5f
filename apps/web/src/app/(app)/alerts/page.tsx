import type { Metadata } from "next";
import { Suspense } from "react";
import { AlertList } from "@/components/alerts/alert-list";

export const metadata: Metadata = { title: "Alerts" };

export default function AlertsPage() {
  return (
    <Suspense>
      <AlertList />
    </Suspense>
  );
}
