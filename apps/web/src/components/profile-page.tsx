"use client";

import Link from "next/link";
import { useState } from "react";
import { useMutation, useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { ProfileFactors } from "./profile-factors";
import { ProfileSessions } from "./profile-sessions";
import { Badge, Button, Card, ErrorNote, Input } from "./ui";

/** The same rule as the server's (users/passwords.ts): 12–128 characters. */
const MIN_PASSWORD = 12;
const MAX_PASSWORD = 128;

/** The signed-in user's own page: who they are, their password, second factor, sessions, and a way to their API tokens. */
export function ProfilePage() {
  const trpc = useTRPC();
  const me = useQuery(trpc.me.get.queryOptions());
  // An account that signs in through SSO has no password here: its provider keeps it.
  const factors = useQuery(trpc.twoFactor.status.queryOptions());

  return (
    <div className="mx-auto max-w-xl space-y-4">
      <div>
        <h1 className="text-xl font-semibold">Your profile</h1>
        {me.data && (
          <p className="mt-1 flex flex-wrap items-center gap-2 text-sm text-slate-600">
            <span className="break-all">{me.data.email}</span>
            <Badge tone="sky">{me.data.role}</Badge>
          </p>
        )}
      </div>
      <ProfileFactors />
      {factors.data?.password !== false && <ChangePasswordForm />}
      <ProfileSessions />
      <Card title="API tokens">
        <p className="px-4 py-3 text-sm text-slate-600">
          Scripts and CI sign in with tokens that act as you.{" "}
          <Link href="/tokens" className="font-medium text-sky-700 underline-offset-2 hover:underline focus-visible:underline">
            Manage your API tokens
          </Link>
        </p>
      </Card>
    </div>
  );
}

function ChangePasswordForm() {
  const trpc = useTRPC();
  const change = useMutation(trpc.me.changePassword.mutationOptions());
  const [mismatch, setMismatch] = useState<string | null>(null);
  const [formKey, setFormKey] = useState(0);

  function submit(form: HTMLFormElement) {
    const data = new FormData(form);
    const currentPassword = String(data.get("currentPassword"));
    const newPassword = String(data.get("newPassword"));
    change.reset();
    if (newPassword !== String(data.get("confirmPassword"))) {
      setMismatch("The new password and its confirmation differ.");
      return;
    }
    setMismatch(null);
    change.mutate(
      { currentPassword, newPassword },
      // The fields empty once it worked: no password is left in the page.
      { onSuccess: () => setFormKey((k) => k + 1) },
    );
  }

  const error = mismatch ? { message: mismatch } : change.error;
  return (
    <Card title="Change password">
      <form
        key={formKey}
        aria-label="Change password"
        className="space-y-3 px-4 py-3"
        onSubmit={(e) => {
          e.preventDefault();
          submit(e.currentTarget);
        }}
      >
        <label className="block space-y-1 text-sm">
          <span className="font-medium">Current password</span>
          <Input name="currentPassword" type="password" autoComplete="current-password" required maxLength={MAX_PASSWORD} className="w-full" />
        </label>
        <label className="block space-y-1 text-sm">
          <span className="font-medium">New password</span>
          <Input name="newPassword" type="password" autoComplete="new-password" required minLength={MIN_PASSWORD} maxLength={MAX_PASSWORD} aria-describedby="new-password-rule" className="w-full" />
          <span id="new-password-rule" className="block text-xs text-slate-500">
            {MIN_PASSWORD} to {MAX_PASSWORD} characters.
          </span>
        </label>
        <label className="block space-y-1 text-sm">
          <span className="font-medium">Confirm new password</span>
          <Input name="confirmPassword" type="password" autoComplete="new-password" required minLength={MIN_PASSWORD} maxLength={MAX_PASSWORD} className="w-full" />
        </label>
        <ErrorNote error={error} />
        {change.isSuccess && (
          <p role="status" className="rounded-md border border-emerald-200 bg-emerald-50 px-3 py-2 text-sm text-emerald-800">
            Password changed.{" "}
            {change.data.sessionsRevoked === 0
              ? "You had no other sessions."
              : `${change.data.sessionsRevoked} other ${change.data.sessionsRevoked === 1 ? "session was" : "sessions were"} signed out.`}{" "}
            This one stays signed in.
          </p>
        )}
        <Button type="submit" variant="primary" disabled={change.isPending} className="w-full justify-center sm:w-auto">
          {change.isPending ? "Changing…" : "Change password"}
        </Button>
      </form>
    </Card>
  );
}
