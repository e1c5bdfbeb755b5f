import type { Metadata } from "next";
import { Suspense } from "react";
import { HostList } from "@/components/host-list";

export const metadata: Metadata = { title: "Hosts" };

export default function HostsPage() {
  return (
    <Suspense>
      <HostList />
    </Suspense>
  );
}
