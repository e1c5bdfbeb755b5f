import type { Metadata } from "next";
import { ImageList } from "@/components/image-list";

export const metadata: Metadata = { title: "Images" };

export default function ImagesPage() {
  return <ImageList />;
}
