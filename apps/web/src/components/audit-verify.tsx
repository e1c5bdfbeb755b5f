"use client";

import { useMutation } from "@tanstack/react-query";
import { useTRPC } from "@/lib/trpc";
import { witnessSummary } from "@/lib/audit-verify-summary";
import { Button, ErrorNote, Spinner } from "./ui";

/**
 * Admins only: walks the whole keyed chain on the server and says whether any entry was tampered
 * with, and whether it still reaches every signed checkpoint; "Checkpoint now" witnesses the head.
 */
export function AuditVerify() {
  const trpc = useTRPC();
  const verify = useMutation(trpc.audit.verify.mutationOptions());
  const checkpoint = useMutation(trpc.audit.checkpoint.mutationOptions());
  const result = verify.data;
  const witnesses = result && !verify.isPending ? witnessSummary(result.checkpoints, result.ok) : null;
  const written = checkpoint.data;
  const failed = written?.witnesses.filter((w) => !w.ok) ?? [];

  return (
    <div className="flex flex-col items-end gap-1">
      <div className="flex flex-wrap items-center gap-2">
        <Button onClick={() => checkpoint.mutate()} disabled={checkpoint.isPending} title="Write a signed checkpoint of the newest entry to the witnesses now">
          Checkpoint now
        </Button>
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
      </div>
      {witnesses && (
        <span data-testid="audit-verify-checkpoints" className="text-xs text-slate-600">
          {witnesses.text}
        </span>
      )}
      {witnesses?.warning && (
        <span role="alert" data-testid="audit-verify-witness-warning" className="text-sm font-medium text-amber-700">
          ⚠ {witnesses.warning}
        </span>
      )}
      {written && !checkpoint.isPending && (
        <span role="status" data-testid="audit-checkpoint-result" className={`text-xs ${failed.length ? "text-amber-700" : "text-slate-600"}`}>
          Checkpoint at entry #{written.seq} {failed.length ? `kept by ${written.witnesses.filter((w) => w.ok).map((w) => w.name).join(", ") || "no witness"}; not by ${failed.map((w) => `${w.name} (${w.error})`).join(", ")}` : `kept by ${written.witnesses.map((w) => w.name).join(", ")}`}
        </span>
      )}
      {!verify.isPending && <ErrorNote error={verify.error} />}
      {!checkpoint.isPending && <ErrorNote error={checkpoint.error} />}
    </div>
  );
}
