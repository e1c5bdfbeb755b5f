import type { Metadata } from "next";
import { ChannelList } from "@/components/alerts/channel-list";

export const metadata: Metadata = { title: "Alert channels" };

export default function AlertChannelsPage() {
  return <ChannelList />;
}
