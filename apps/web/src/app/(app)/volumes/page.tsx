import type { Metadata } from "next";
import { VolumeList } from "@/components/volumes/volume-list";

export const metadata: Metadata = { title: "Volumes" };

export default function VolumesPage() {
  return <VolumeList />;
}
