"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useState, useSyncExternalStore } from "react";
import { SecondFactorCode } from "@/components/second-factor-code";
import { Button, ErrorNote, Input } from "@/components/ui";
import { authClient } from "@/lib/auth-client";
import { safeNextPath } from "@/lib/safe-next";

function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  /** The password was right and the account has a second factor: its code completes the sign-in. */
  const [secondStep, setSecondStep] = useState(false);
  // Until React has hydrated the form, a submit would be the browser's own (a GET that puts the
  // password in the URL and signs nobody in): the button waits.
  const hydrated = useSyncExternalStore(noSubscription, () => true, () => false);

  async function submit(form: FormData) {
    setBusy(true);
    setError(null);
    const { data, error: err } = await authClient.signIn.email({ email: String(form.get("email")), password: String(form.get("password")) });
    setBusy(false);
    if (err) {
      setError(
        err.status === 401 ? "Wrong email or password."
        : err.status === 429 ? "Too many sign-in attempts. Wait a few minutes, then try again."
        : (err.message ?? "Sign-in failed."),
      );
      return;
    }
    if (data && "twoFactorRedirect" in data && data.twoFactorRedirect) {
      setSecondStep(true);
      return;
    }
    router.replace(safeNextPath(params.get("next")));
  }

  if (secondStep) {
    return (
      <div className="w-full max-w-sm space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
        <h1 className="text-lg font-semibold">Second factor</h1>
        <SecondFactorCode submitLabel="Sign in" onVerified={() => router.replace(safeNextPath(params.get("next")))} />
      </div>
    );
  }

  return (
    // onSubmit rather than a form action: a React action resets the form, and a failed sign-in should keep the email.
    <form
      method="post"
      onSubmit={(e) => {
        e.preventDefault();
        void submit(new FormData(e.currentTarget));
      }}
      className="w-full max-w-sm space-y-4 rounded-lg border border-slate-200 bg-white p-6 shadow-sm">
      <div className="flex items-center gap-2 text-lg font-semibold">
        <span aria-hidden className="grid size-7 place-items-center rounded bg-sky-700 text-sm text-white">
          S
        </span>
        Sign in to Stevedore
      </div>
      <label className="block space-y-1 text-sm">
        <span className="font-medium">Email</span>
        <Input name="email" type="email" autoComplete="username" required autoFocus className="w-full" />
      </label>
      <label className="block space-y-1 text-sm">
        <span className="font-medium">Password</span>
        <Input name="password" type="password" autoComplete="current-password" required className="w-full" />
      </label>
      <ErrorNote error={error ? { message: error } : null} />
      <Button type="submit" variant="primary" disabled={busy || !hydrated} className="w-full justify-center">
        {busy ? "Signing in…" : "Sign in"}
      </Button>
    </form>
  );
}

const noSubscription = () => () => {};

export default function LoginPage() {
  return (
    <main className="grid min-h-screen place-items-center p-4">
      <Suspense>
        <LoginForm />
      </Suspense>
    </main>
  );
}
