import type { Metadata } from "next";
import { Suspense } from "react";
import { RunForm } from "@/components/run-form";

export const metadata: Metadata = { title: "Run container" };

export default function RunPage() {
  // The form reads ?image= (set by "Run it…" after a pull).
  return (
    <Suspense>
      <RunForm />
    </Suspense>
  );
}
