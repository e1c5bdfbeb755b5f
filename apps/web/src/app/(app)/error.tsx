"use client";

import Link from "next/link";
import { Button } from "@/components/ui";

/**
 * A page that threw while rendering: said in place, inside the app's frame, with a retry. Next keeps
 * a production error's message on the server; the digest ties what the user sees to the server's log.
 */
export default function PageError({ error, reset }: { error: Error & { digest?: string }; reset: () => void }) {
  return (
    <div role="alert" className="mx-auto flex max-w-md flex-col gap-3 py-12">
      <h1 className="text-lg font-semibold text-slate-900">This page failed to load</h1>
      <p className="text-sm text-slate-600">
        Something went wrong while showing it. Trying again often works; if it does not, the server&apos;s log says why
        {error.digest ? (
          <>
            {" "}
            (look for <code className="font-mono">{error.digest}</code>)
          </>
        ) : null}
        .
      </p>
      <div className="flex gap-3">
        <Button variant="primary" onClick={reset}>
          Try again
        </Button>
        <Link href="/overview" className="self-center text-sm text-blue-700 underline underline-offset-2">
          Go to the overview
        </Link>
      </div>
    </div>
  );
}
