import type { Metadata } from "next";
import { ContainerDetail } from "@/components/container-detail";

export const metadata: Metadata = { title: "Container" };

export default async function ContainerPage({ params }: { params: Promise<{ hostId: string; id: string }> }) {
  const { hostId, id } = await params;
  return <ContainerDetail hostId={hostId} id={id} />;
}
