import type { Metadata } from "next";
import type { ReactNode } from "react";
import { TRPCReactProvider } from "@/lib/trpc";
import "./globals.css";

// Rendered per request, never prerendered: each response's inline scripts carry that response's CSP
// nonce (server/http-security.ts), which a page built ahead of time cannot know.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: { default: "Stevedore", template: "%s · Stevedore" } };

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <TRPCReactProvider>{children}</TRPCReactProvider>
      </body>
    </html>
  );
}
