"use client";

import Link from "next/link";
import { usePathname, useRouter } from "next/navigation";
import { useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import * as Dialog from "@radix-ui/react-dialog";
import { authClient } from "@/lib/auth-client";
import { useTRPC } from "@/lib/trpc";
import { useFleetChanges } from "@/lib/use-fleet-changes";
import { useEnrolmentFirst } from "./enrolment-first";
import { ThemeToggle } from "./theme";
import { Badge, Button, Toaster } from "./ui";

const NAV = [
  { href: "/overview", label: "Overview" },
  { href: "/containers", label: "Containers" },
  { href: "/hosts", label: "Hosts" },
  // Volumes and networks are tabs of the images page: the navigation has no room for more at 1280 px.
  { href: "/images", label: "Images", also: ["/volumes", "/networks"] },
  { href: "/updates", label: "Updates" },
  // Rules and channels are tabs of the alerts page; the entry carries the firing count.
  { href: "/alerts", label: "Alerts", count: "firing" as const },
  { href: "/registries", label: "Registries" },
  { href: "/audit", label: "Audit" },
  { href: "/users", label: "Users", adminOnly: true },
  { href: "/settings", label: "Settings" },
];

// px-2 at xl (1280 px): with the Alerts entry and its count, 2.5 no longer fits one row there.
const NAV_LINK =
  "whitespace-nowrap rounded-md px-2 py-1.5 2xl:px-2.5 text-sm text-slate-600 hover:bg-slate-100 aria-[current=page]:bg-slate-100 aria-[current=page]:font-medium aria-[current=page]:text-slate-900";

export function AppShell({ children }: { children: ReactNode }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const router = useRouter();
  const me = useQuery(trpc.me.get.queryOptions());
  useEnrolmentFirst(pathname);
  const live = useFleetChanges();
  const nav = NAV.filter((n) => !n.adminOnly || me.data?.role === "admin");
  const firing = useFiringCount(!!me.data);
  const signOut = () => void authClient.signOut().then(() => router.replace("/login"));

  const links = (onNavigate?: () => void) =>
    nav.map((n) => (
      <Link key={n.href} href={n.href} onClick={onNavigate} aria-current={[n.href, ...(n.also ?? [])].some((p) => pathname.startsWith(p)) ? "page" : undefined} className={NAV_LINK}>
        {n.label}
        {n.count === "firing" && firing > 0 && (
          <span data-testid="firing-count" className="ml-1 rounded-full bg-red-50 px-1.5 text-xs font-medium text-red-800 ring-1 ring-red-600/20 ring-inset">
            {firing}
            <span className="sr-only"> firing</span>
          </span>
        )}
      </Link>
    ));

  return (
    <div className="min-h-screen">
      <header className="border-b border-slate-200 bg-white">
        {/* Full width: at 1280 px the nav, the theme and the account only just fit in one row (the email truncated). */}
        <div className="flex items-center gap-x-2 px-4 py-2.5 2xl:gap-x-3">
          <PhoneMenu pathname={pathname} email={me.data?.email} role={me.data?.role} onSignOut={signOut} links={links} />
          <Link href="/overview" className="flex items-center gap-2 font-semibold tracking-tight">
            <span aria-hidden className="grid size-6 place-items-center rounded bg-sky-700 text-xs text-white">
              S
            </span>
            Stevedore
          </Link>
          {/* Below xl the main nav and the account controls move into the menu (PhoneMenu). */}
          <nav aria-label="Main" className="hidden gap-0.5 xl:flex">
            {links()}
          </nav>
          <div className="ml-auto flex min-w-0 items-center gap-2 text-sm">
            {/* Below xl the navigation is in the menu: the firing count stays in sight beside it. */}
            {firing > 0 && (
              <Link href="/alerts" className="xl:hidden" data-testid="firing-count-compact">
                <Badge tone="red">{firing} firing</Badge>
              </Link>
            )}
            <span
              className={`inline-flex items-center gap-1.5 text-xs ${live.connected ? "text-emerald-700" : "text-slate-500"}`}
              title={live.connected ? "Receiving live updates" : "Live updates reconnecting"}
            >
              <span className={`size-1.5 rounded-full ${live.connected ? "bg-emerald-500" : "bg-slate-300"}`} aria-hidden />
              {/* Between xl and 2xl (a full header with little room) the dot alone (its title and this text for screen readers) says it. */}
              <span className="xl:max-2xl:sr-only">{live.connected ? "live" : "connecting"}</span>
            </span>
            <div className="hidden items-center gap-2 xl:flex">
              <ThemeToggle />
              {me.data && (
                <>
                  <Link
                    href="/profile"
                    aria-current={pathname.startsWith("/profile") ? "page" : undefined}
                    className="max-w-[7rem] truncate text-slate-600 2xl:max-w-[14rem] hover:underline aria-[current=page]:font-medium aria-[current=page]:text-slate-900"
                    title="Your profile: password and API tokens"
                  >
                    {me.data.email}
                  </Link>
                  <Badge tone="sky">{me.data.role}</Badge>
                </>
              )}
              <Button variant="ghost" className="whitespace-nowrap" onClick={signOut}>
                Sign out
              </Button>
            </div>
          </div>
        </div>
      </header>
      <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
      <Toaster />
    </div>
  );
}

/** Silences end by the clock, with no change to announce: the count is also read again this often. */
const FIRING_POLL_MS = 60_000;

/** Firing alerts on the hosts the caller sees; kept live by the change stream (useFleetChanges). */
function useFiringCount(signedIn: boolean): number {
  const trpc = useTRPC();
  const count = useQuery({ ...trpc.alerts.firingCount.queryOptions(), enabled: signedIn, refetchInterval: FIRING_POLL_MS });
  return count.data ?? 0;
}

/**
 * The navigation below the xl breakpoint (1280 px: narrower, the nav and the account controls do not fit in one row): a menu button opening a drawer (Radix Dialog: focus stays
 * inside, Escape closes, focus returns to the button). Following a link closes it.
 */
function PhoneMenu({
  pathname,
  email,
  role,
  onSignOut,
  links,
}: {
  pathname: string;
  email: string | undefined;
  role: string | undefined;
  onSignOut: () => void;
  links: (onNavigate: () => void) => ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const close = () => setOpen(false);
  return (
    <Dialog.Root open={open} onOpenChange={setOpen}>
      <Dialog.Trigger asChild>
        <button type="button" aria-label="Open menu" className="-ml-1.5 rounded-md p-1.5 text-slate-700 hover:bg-slate-100 xl:hidden">
          <svg aria-hidden viewBox="0 0 20 20" className="size-5" fill="none" stroke="currentColor" strokeWidth="1.75" strokeLinecap="round">
            <path d="M3 5h14M3 10h14M3 15h14" />
          </svg>
        </button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-slate-950/50 xl:hidden" />
        <Dialog.Content
          aria-describedby={undefined}
          className="fixed inset-y-0 left-0 z-50 flex w-72 max-w-[85vw] flex-col gap-4 overflow-y-auto border-r border-slate-200 bg-white p-4 shadow-xl xl:hidden"
        >
          <div className="flex items-center justify-between">
            <Dialog.Title className="font-semibold">Stevedore</Dialog.Title>
            <Dialog.Close asChild>
              <Button variant="ghost" aria-label="Close menu">
                ✕
              </Button>
            </Dialog.Close>
          </div>
          <nav aria-label="Main" className="flex flex-col gap-0.5">
            {links(close)}
          </nav>
          <div className="mt-auto flex flex-col gap-3 border-t border-slate-200 pt-4 text-sm">
            {email && (
              <div className="flex min-w-0 items-center gap-2">
                <Link
                  href="/profile"
                  onClick={close}
                  aria-current={pathname.startsWith("/profile") ? "page" : undefined}
                  className="min-w-0 truncate text-slate-600 hover:underline aria-[current=page]:font-medium aria-[current=page]:text-slate-900"
                >
                  {email}
                </Link>
                {role && <Badge tone="sky">{role}</Badge>}
              </div>
            )}
            <ThemeToggle labelled />
            <Button variant="secondary" className="self-start" onClick={onSignOut}>
              Sign out
            </Button>
          </div>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
