import type { Metadata } from "next";
import { RecordingPlayer } from "@/components/recording-player";

export const metadata: Metadata = { title: "Terminal recording" };

export default async function RecordingPage({ params }: { params: Promise<{ sessionId: string }> }) {
  const { sessionId } = await params;
  return <RecordingPlayer sessionId={sessionId} />;
}
