import type { Metadata } from "next";
import { RegistryList } from "@/components/registry-list";

export const metadata: Metadata = { title: "Registries" };

export default function RegistriesPage() {
  return <RegistryList />;
}
