"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { authClient } from "@/lib/auth-client";
import { useTRPC } from "@/lib/trpc";
import { useFleetChanges } from "@/lib/use-fleet-changes";
import { Badge, Button, Toaster } from "./ui";

const NAV = [
  { href: "/overview", label: "Overview" },
  { href: "/containers", label: "Containers" },
  { href: "/hosts", label: "Hosts" },
  { href: "/images", label: "Images" },
  { href: "/updates", label: "Updates" },
  { href: "/registries", label: "Registries" },
  { href: "/audit", label: "Audit" },
  { href: "/recordings", label: "Recordings", terminals: true },
  { href: "/users", label: "Users", adminOnly: true },
  { href: "/settings", label: "Settings" },
];

/** Recordings are of the sessions one opened (admins: all), so they are for those who may open terminals. */
const mayHaveRecordings = (me: { role: string; grants?: readonly { role: string }[] } | undefined) => me?.role === "admin" || !!me?.grants?.some((g) => g.role === "terminal");

export function AppShell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const router = useRouter();
  const me = useQuery(trpc.me.get.queryOptions());
  const live = useFleetChanges();

  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        {/* On a narrow screen the main nav moves to a row of its own and scrolls sideways. */}
        <div className="mx-auto flex max-w-7xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-2.5">
          <Link href="/overview" className="flex items-center gap-2 font-semibold tracking-tight">
            <span aria-hidden className="grid size-6 place-items-center rounded bg-sky-700 text-xs text-white">
              S
            </span>
            Stevedore
          </Link>
          <nav aria-label="Main" className="order-last -mx-4 flex w-full gap-1 overflow-x-auto px-4 md:order-none md:mx-0 md:w-auto md:px-0">
            {NAV.filter((n) => (!n.adminOnly || me.data?.role === "admin") && (!n.terminals || mayHaveRecordings(me.data))).map((n) => (
              <Link
                key={n.href}
                href={n.href}
                aria-current={pathname.startsWith(n.href) ? "page" : undefined}
                className="rounded-md px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-slate-100 aria-[current=page]:font-medium aria-[current=page]:text-slate-900"
              >
                {n.label}
              </Link>
            ))}
          </nav>
          <div className="ml-auto flex min-w-0 items-center gap-3 text-sm">
            <span
              className={`inline-flex items-center gap-1.5 text-xs ${live.connected ? "text-emerald-700" : "text-slate-400"}`}
              title={live.connected ? "Receiving live updates" : "Live updates reconnecting"}
            >
              <span className={`size-1.5 rounded-full ${live.connected ? "bg-emerald-500" : "bg-slate-300"}`} aria-hidden />
              {live.connected ? "live" : "connecting"}
            </span>
            {me.data && (
              <>
                <Link
                  href="/profile"
                  aria-current={pathname.startsWith("/profile") ? "page" : undefined}
                  className="max-w-[10rem] truncate text-slate-600 hover:underline sm:max-w-none aria-[current=page]:font-medium aria-[current=page]:text-slate-900"
                  title="Your profile: password and API tokens"
                >
                  {me.data.email}
                </Link>
                <Badge tone="sky">{me.data.role}</Badge>
              </>
            )}
            <Button
              variant="ghost"
              onClick={() => void authClient.signOut().then(() => router.replace("/login"))}
            >
              Sign out
            </Button>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
      <Toaster />
    </div>
  );
}
