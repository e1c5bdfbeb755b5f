import type { Metadata } from "next";
import { HostList } from "@/components/host-list";

export const metadata: Metadata = { title: "Hosts" };

export default function HostsPage() {
  return <HostList />;
}
