"use client";

import { useState } from "react";
import QRCode from "qrcode";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { authClient } from "@/lib/auth-client";
import { useTRPC } from "@/lib/trpc";
import { SecondFactorCode } from "./second-factor-code";
import { Badge, Button, Card, CopyButton, ErrorNote, Input, toast } from "./ui";

interface Started {
  qr: string;
  secret: string;
  recoveryCodes: string[];
}

/** The secret as an authenticator app shows it for typing in, from the otpauth:// URI. */
const secretOf = (uri: string) => new URL(uri).searchParams.get("secret") ?? "";

/**
 * The caller's authenticator app (TOTP) and recovery codes: set up with a QR code, confirmed with a
 * first code; recovery codes are shown once; turning it off or new codes ask for the password. An
 * account without one (SSO) confirms instead, within minutes of signing in again at its provider.
 */
export function ProfileFactors() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const status = useQuery(trpc.twoFactor.status.queryOptions());
  const [started, setStarted] = useState<Started | null>(null);
  const [newCodes, setNewCodes] = useState<string[] | null>(null);
  const [asking, setAsking] = useState<"enable" | "disable" | "codes" | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const refresh = () => queryClient.invalidateQueries(trpc.twoFactor.status.queryFilter());

  async function withPassword(password: string | undefined) {
    setBusy(true);
    setError(null);
    try {
      if (asking === "enable") {
        const { data, error: err } = await authClient.twoFactor.enable({ password });
        if (err || !data || !("totpURI" in data) || !data.totpURI) throw new Error(err?.message ?? "could not start the set-up");
        setStarted({ qr: await QRCode.toDataURL(data.totpURI, { margin: 1, width: 200 }), secret: secretOf(data.totpURI), recoveryCodes: data.backupCodes ?? [] });
      } else if (asking === "disable") {
        const { error: err } = await authClient.twoFactor.disable({ password });
        if (err) throw new Error(err.message ?? "could not turn it off");
        toast({ tone: "ok", title: "Authenticator app removed." });
        await refresh();
      } else if (asking === "codes") {
        const { data, error: err } = await authClient.twoFactor.generateBackupCodes({ password });
        if (err || !data) throw new Error(err?.message ?? "could not make new codes");
        setNewCodes(data.backupCodes);
      }
      setAsking(null);
    } catch (err) {
      setError(err instanceof Error ? (err.message === "Invalid password" ? "Wrong password." : err.message) : String(err));
      void refresh();
    } finally {
      setBusy(false);
    }
  }

  const s = status.data;
  // As of the status's last read (refetched after each change): a stale answer costs only a refusal in words.
  const staleSignIn = s?.sso != null && !s.sso.fresh;
  return (
    <Card title="Second factor" actions={s && <Badge tone={s.totp ? "green" : s.required ? "amber" : "slate"}>{s.totp ? "on" : s.required ? "required" : "off"}</Badge>}>
      <div className="space-y-3 px-4 py-3 text-sm">
        {s?.mustEnrol && (
          <p role="alert" className="rounded-md border border-amber-200 bg-amber-50 px-3 py-2 text-amber-900">
            Your role requires a second factor. Set up an authenticator app to go on.
          </p>
        )}
        {started ? (
          <div className="space-y-3">
            <p>Scan this with your authenticator app (or type the key), then enter the code it shows.</p>
            <div className="flex flex-wrap items-start gap-4">
              {/* eslint-disable-next-line @next/next/no-img-element -- a data: URL made here */}
              <img src={started.qr} alt="QR code for your authenticator app" width={200} height={200} className="rounded border border-slate-200 bg-white" />
              <div className="space-y-1">
                <span className="block text-xs text-slate-500">Key</span>
                <code className="block break-all font-mono" data-testid="totp-secret">
                  {started.secret}
                </code>
                <CopyButton text={started.secret} label="Copy key" />
              </div>
            </div>
            <RecoveryCodes codes={started.recoveryCodes} />
            <SecondFactorCode
              submitLabel="Turn on"
              autoFocus={false}
              onVerified={() => {
                setStarted(null);
                toast({ tone: "ok", title: "Second factor on: sign-in now asks for a code." });
                void refresh();
              }}
            />
          </div>
        ) : (
          <>
            <p className="text-slate-600">{s?.totp ? "Sign-in asks for a code from your authenticator app." : s?.password === false ? "Add a code from an authenticator app: terminals on protected hosts ask for it." : "Add a code from an authenticator app to your password."}</p>
            {newCodes && <RecoveryCodes codes={newCodes} />}
            {staleSignIn && s?.sso ? (
              <div className="space-y-2">
                <p className="text-slate-600">You sign in through single sign-on, so there is no password to confirm changes with: sign in again with your provider, then change your second factor within 10 minutes.</p>
                <Button onClick={() => void authClient.signIn.social({ provider: s.sso?.provider ?? "", callbackURL: "/profile", errorCallbackURL: "/login" })}>Sign in again</Button>
              </div>
            ) : asking ? (
              <form
                aria-label={s?.password === false ? "Confirm" : "Confirm with your password"}
                className="flex flex-wrap items-end gap-2"
                onSubmit={(e) => {
                  e.preventDefault();
                  const password = new FormData(e.currentTarget).get("password");
                  void withPassword(password === null ? undefined : String(password));
                }}
              >
                {s?.password === false ? (
                  <span className="self-center">{asking === "enable" ? "Set up an authenticator app?" : asking === "disable" ? "Turn off your authenticator app?" : "Replace your recovery codes?"}</span>
                ) : (
                  <label className="space-y-1">
                    <span className="block font-medium">Your password</span>
                    <Input name="password" type="password" autoComplete="current-password" required maxLength={128} autoFocus />
                  </label>
                )}
                <Button type="submit" variant={asking === "disable" ? "danger" : "primary"} disabled={busy}>
                  {busy ? "Working…" : asking === "enable" ? "Continue" : asking === "disable" ? "Turn off" : "Make new codes"}
                </Button>
                <Button type="button" onClick={() => setAsking(null)}>
                  Cancel
                </Button>
              </form>
            ) : (
              <div className="flex flex-wrap gap-2">
                {s && !s.totp && (
                  <Button variant="primary" onClick={() => setAsking("enable")}>
                    Set up authenticator app
                  </Button>
                )}
                {s?.totp && <Button onClick={() => setAsking("codes")}>New recovery codes</Button>}
                {s?.totp && !s.required && (
                  <Button variant="danger" onClick={() => setAsking("disable")}>
                    Turn off
                  </Button>
                )}
              </div>
            )}
          </>
        )}
        <ErrorNote error={error ? { message: error } : null} />
      </div>
    </Card>
  );
}

/** Shown once: they are stored encrypted and cannot be shown again. */
function RecoveryCodes({ codes }: { codes: string[] }) {
  return (
    <div className="space-y-2 rounded-md border border-slate-200 p-3">
      <p className="font-medium">Recovery codes (shown once)</p>
      <p className="text-xs text-slate-500">Each signs you in once without the app. Keep them somewhere safe.</p>
      <ul aria-label="Recovery codes" className="grid grid-cols-2 gap-1 font-mono">
        {codes.map((c) => (
          <li key={c}>{c}</li>
        ))}
      </ul>
      <CopyButton text={codes.join("\n")} label="Copy codes" />
    </div>
  );
}
