import type { Metadata } from "next";
import { RunForm } from "@/components/run-form";

export const metadata: Metadata = { title: "Run container" };

export default function RunPage() {
  return <RunForm />;
}
