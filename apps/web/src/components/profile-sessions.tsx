"use client";

import { useState } from "react";
import { useRouter } from "next/navigation";
import { useQuery } from "@tanstack/react-query";
import { authClient } from "@/lib/auth-client";
import { Button, Card, ConfirmDialog, ErrorNote, RelativeTime, useNow } from "./ui";

/** The caller's signed-in browsers, and signing out of all of them (this one too). */
export function ProfileSessions() {
  const router = useRouter();
  const now = useNow(30_000);
  const [confirming, setConfirming] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const current = authClient.useSession();
  const sessions = useQuery({
    queryKey: ["auth", "list-sessions"],
    queryFn: async () => {
      const { data, error: err } = await authClient.listSessions();
      if (err) throw new Error(err.message ?? "could not list sessions");
      return [...data].sort((a, b) => new Date(b.updatedAt).getTime() - new Date(a.updatedAt).getTime());
    },
  });

  async function signOutEverywhere() {
    const { error: err } = await authClient.revokeSessions();
    if (err) {
      setError(err.message ?? "could not sign out");
      return;
    }
    router.replace("/login");
  }

  return (
    <Card
      title="Active sessions"
      actions={
        <Button variant="danger" className="py-1 text-xs" onClick={() => setConfirming(true)}>
          Sign out everywhere
        </Button>
      }
    >
      <ul aria-label="Active sessions" className="divide-y divide-slate-100 text-sm">
        {sessions.data?.map((s) => (
          <li key={s.id} className="flex flex-wrap items-center justify-between gap-2 px-4 py-2">
            <span className="min-w-0 break-words">
              {s.userAgent ?? "unknown browser"}
              {s.ipAddress && <span className="text-slate-500"> · {s.ipAddress}</span>}
              {s.id === current.data?.session.id && <span className="ml-1 font-medium"> (this one)</span>}
            </span>
            <span className="text-xs text-slate-500">
              signed in <RelativeTime at={new Date(s.createdAt).getTime()} now={now} />, active <RelativeTime at={new Date(s.updatedAt).getTime()} now={now} />
            </span>
          </li>
        ))}
      </ul>
      <div className="px-4 pb-2">
        <ErrorNote error={error ? { message: error } : (sessions.error ?? null)} />
      </div>
      <ConfirmDialog
        open={confirming}
        onClose={() => setConfirming(false)}
        title="Sign out everywhere?"
        confirmLabel="Sign out everywhere"
        onConfirm={() => void signOutEverywhere()}
      >
        Every browser signed in as you is signed out, this one too ({sessions.data?.length ?? 0} {sessions.data?.length === 1 ? "session" : "sessions"}). API tokens keep working.
      </ConfirmDialog>
    </Card>
  );
}
