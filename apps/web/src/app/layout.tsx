import type { Metadata } from "next";
import { headers } from "next/headers";
import type { ReactNode } from "react";
import { ThemeProvider } from "@/components/theme";
import { TRPCReactProvider } from "@/lib/trpc";
import "./globals.css";

// Rendered per request, never prerendered: each response's inline scripts carry that response's CSP
// nonce (server/http-security.ts), which a page built ahead of time cannot know.
export const dynamic = "force-dynamic";

export const metadata: Metadata = { title: { default: "Stevedore", template: "%s · Stevedore" } };

export default async function RootLayout({ children }: { children: ReactNode }) {
  // The theme script runs before the first paint, so it needs this response's nonce too.
  const nonce = (await headers()).get("content-security-policy")?.match(/'nonce-([^']+)'/)?.[1];
  return (
    // next-themes sets the class on <html> before React hydrates: that difference is expected.
    <html lang="en" suppressHydrationWarning>
      <body>
        <ThemeProvider nonce={nonce}>
          <TRPCReactProvider>{children}</TRPCReactProvider>
        </ThemeProvider>
      </body>
    </html>
  );
}
