import type { Metadata } from "next";
import { RecordingList } from "@/components/recordings/recording-list";

export const metadata: Metadata = { title: "Terminal recordings" };

export default function RecordingsPage() {
  return <RecordingList />;
}
