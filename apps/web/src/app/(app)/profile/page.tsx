import type { Metadata } from "next";
import { ProfilePage } from "@/components/profile-page";

export const metadata: Metadata = { title: "Your profile" };

export default function Profile() {
  return <ProfilePage />;
}
