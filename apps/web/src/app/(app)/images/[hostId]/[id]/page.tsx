import type { Metadata } from "next";
import { ImageDetail } from "@/components/image-detail";

export const metadata: Metadata = { title: "Image" };

export default async function ImagePage({ params }: { params: Promise<{ hostId: string; id: string }> }) {
  const { hostId, id } = await params;
  return <ImageDetail hostId={hostId} id={id} />;
}
