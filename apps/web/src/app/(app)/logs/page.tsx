import type { Metadata } from "next";
import { Suspense } from "react";
import { MergedLogs } from "@/components/merged-logs";

export const metadata: Metadata = { title: "Logs" };

export default function LogsPage() {
  return (
    <Suspense>
      <MergedLogs />
    </Suspense>
  );
}
