import type { Metadata } from "next";
import { UpdateList } from "@/components/update-list";

export const metadata: Metadata = { title: "Updates" };

export default function UpdatesPage() {
  return <UpdateList />;
}
