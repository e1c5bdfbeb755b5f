"use client";

import { useState } from "react";
import { authClient } from "@/lib/auth-client";
import { Button, ErrorNote, Input } from "./ui";

/** Six digits are an authenticator code; anything else is taken as a recovery code (xxxxx-xxxxx). */
const TOTP = /^\d{6}$/;

/**
 * One field for a second factor: a code from the authenticator app or a recovery code. At sign-in it
 * completes the sign-in (the password step left a challenge cookie); from a session it is a step-up.
 */
export function SecondFactorCode({ onVerified, submitLabel = "Verify", autoFocus = true }: { onVerified: () => void; submitLabel?: string; autoFocus?: boolean }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(form: HTMLFormElement) {
    const code = String(new FormData(form).get("code") ?? "").trim().replace(/\s+/g, "");
    setBusy(true);
    setError(null);
    const { error: err } = TOTP.test(code) ? await authClient.twoFactor.verifyTotp({ code }) : await authClient.twoFactor.verifyBackupCode({ code });
    setBusy(false);
    if (err) {
      setError(err.status === 429 ? "Too many attempts. Wait a little, then try again." : (err.message ?? "That code did not work."));
      return;
    }
    form.reset();
    onVerified();
  }

  return (
    <form
      aria-label="Second factor"
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        void submit(e.currentTarget);
      }}
    >
      <label className="block space-y-1 text-sm">
        <span className="block font-medium">Code from your authenticator app</span>
        <Input name="code" inputMode="text" autoComplete="one-time-code" required maxLength={32} autoFocus={autoFocus} aria-describedby="second-factor-hint" className="w-full font-mono sm:w-56" />
        <span id="second-factor-hint" className="block text-xs text-slate-500">
          6 digits, or one of your recovery codes (each works once).
        </span>
      </label>
      <ErrorNote error={error ? { message: error } : null} />
      <Button type="submit" variant="primary" disabled={busy}>
        {busy ? "Checking…" : submitLabel}
      </Button>
    </form>
  );
}
