import type { Metadata } from "next";
import { LayerTree } from "@/components/layer-tree";

export const metadata: Metadata = { title: "Layer tree" };

export default async function LayerTreePage({ params }: { params: Promise<{ hostId: string }> }) {
  const { hostId } = await params;
  return <LayerTree hostId={hostId} />;
}
