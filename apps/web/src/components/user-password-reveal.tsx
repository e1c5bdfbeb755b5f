"use client";

import { CopyButton } from "./ui";

/** A generated password, on screen exactly once: the server keeps only its hash. */
export function UserPasswordReveal({ email, password }: { email: string; password: string }) {
  return (
    <div className="space-y-2 rounded-md border border-amber-300 bg-amber-50 p-3">
      <p className="font-medium text-slate-800">Password for {email}</p>
      <div className="flex items-center gap-2">
        <code data-testid="generated-password" className="select-all rounded bg-white px-2 py-1 font-mono text-base tracking-wide ring-1 ring-amber-300">
          {password}
        </code>
        <CopyButton text={password} />
      </div>
      <p className="text-amber-900">
        Shown only this once: Stevedore stores just a hash and cannot show it again. Copy it now and hand it over privately. If it gets lost, use
        “Reset password”.
      </p>
    </div>
  );
}
