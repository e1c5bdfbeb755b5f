"use client";

import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { Button, ErrorNote, Spinner } from "./ui";

/** Admins only: walks the whole hash chain on the server and says whether any entry was tampered with. */
export function AuditVerify() {
  const trpc = useTRPC();
  const verify = useMutation(trpc.audit.verify.mutationOptions());
  const result = verify.data;

  return (
    <div className="flex flex-wrap items-center gap-2">
      <Button onClick={() => verify.mutate()} disabled={verify.isPending}>
        Verify chain
      </Button>
      {verify.isPending && <Spinner label="Checking every entry…" />}
      {!verify.isPending && result?.ok && (
        <span role="status" data-testid="audit-verify-result" className="text-sm font-medium text-emerald-700" title={`Head hash ${result.head}`}>
          ✓ Intact: {result.checked.toLocaleString()} {result.checked === 1 ? "entry" : "entries"}
        </span>
      )}
      {!verify.isPending && result && !result.ok && (
        <span role="alert" data-testid="audit-verify-result" className="text-sm font-medium text-red-700">
          Broken at entry #{result.brokenAt}: {result.reason}
        </span>
      )}
      {!verify.isPending && <ErrorNote error={verify.error} />}
    </div>
  );
}
