"use client";

import { useRouter, useSearchParams } from "next/navigation";
import { Suspense, useEffect, useState, useSyncExternalStore } from "react";
import { SecondFactorCode } from "@/components/second-factor-code";
import { Button, ErrorNote, Input } from "@/components/ui";
import { authClient } from "@/lib/auth-client";
import { safeNextPath } from "@/lib/safe-next";

interface SsoInfo {
  providers: { id: string; name: string }[];
  passwordSignIn: boolean;
}

/** What a single sign-on that came back with ?error=<code> means, in words (codes from better-auth and sso-sign-in.ts). */
const SSO_ERRORS: Record<string, string> = {
  account_not_linked: "An account with this email exists, but your provider did not confirm the email is verified, so it was not linked. Ask an admin.",
  signup_disabled: "There is no Stevedore account for you, and accounts are not created on first sign-in. Ask an admin to add you.",
  domain_not_allowed: "Accounts for your email domain are not created here. Ask an admin.",
  email_not_verified: "Your provider did not confirm your email address is verified.",
  state_mismatch: "That sign-in could not be checked (it was altered, or started in another browser). Try again.",
  state_not_found: "That sign-in could not be checked (it was altered, or started in another browser). Try again.",
  please_restart_the_process: "That sign-in could not be checked. Try again.",
  unable_to_get_user_info: "Your provider's answer did not verify (its ID token signature, issuer or nonce). Try again, or ask an admin.",
  access_denied: "Sign-in was cancelled at your provider.",
  banned: "This account is disabled.",
  BANNED_USER: "This account is disabled.",
};

function ssoErrorText(code: string | null): string | null {
  if (!code) return null;
  return SSO_ERRORS[code] ?? `Single sign-on failed (${code.slice(0, 60)}).`;
}

function LoginForm() {
  const router = useRouter();
  const params = useSearchParams();
  const [error, setError] = useState<string | null>(() => ssoErrorText(params.get("error")));
  const [busy, setBusy] = useState(false);
  /** The password was right and the account has a second factor: its code completes the sign-in. */
  const [secondStep, setSecondStep] = useState(false);
  const [sso, setSso] = useState<SsoInfo | null>(null);
  const [ssoBusy, setSsoBusy] = useState<string | null>(null);
  const [showPassword, setShowPassword] = useState(false);
  useEffect(() => {
    void fetch("/api/sso/providers")
      .then((r) => (r.ok ? (r.json() as Promise<SsoInfo>) : null))
      .then(setSso, () => setSso(null));
  }, []);

  async function signInWith(provider: string) {
    setSsoBusy(provider);
    setError(null);
    // better-auth answers with the provider's authorization URL (state, nonce and PKCE challenge in it).
    const { error: err } = await authClient.signIn.social({ provider, callbackURL: safeNextPath(params.get("next")), errorCallbackURL: "/login" });
    if (err) {
      setSsoBusy(null);
      setError(err.status === 429 ? "Too many sign-in attempts. Wait a few minutes, then try again." : (err.message ?? "Single sign-on failed."));
    }
  }
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
      {sso && sso.providers.length > 0 && (
        <div className="space-y-2">
          {sso.providers.map((p) => (
            <Button key={p.id} type="button" className="w-full justify-center" disabled={ssoBusy !== null || !hydrated} onClick={() => void signInWith(p.id)}>
              {ssoBusy === p.id ? `Redirecting to ${p.name}…` : `Sign in with ${p.name}`}
            </Button>
          ))}
          {sso.passwordSignIn && <div className="text-center text-xs text-slate-500">or with your password</div>}
        </div>
      )}
      {sso && !sso.passwordSignIn && !showPassword ?
        <>
          <ErrorNote error={error ? { message: error } : null} />
          <button type="button" className="text-xs text-slate-500 underline" onClick={() => setShowPassword(true)}>
            Break-glass admin: sign in with a password
          </button>
        </>
      : <>
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
        </>
      }
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
