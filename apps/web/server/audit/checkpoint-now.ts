import { DomainError } from "../domain-error";
import type { AuditCheckpoints } from "./audit-checkpoints";
import type { Actor, AuditLog } from "./audit-log";
import { audited } from "./audited";

export interface CheckpointNowResult {
  seq: number;
  head: string;
  count: number;
  at: string;
  witnesses: { name: string; ok: boolean; error?: string }[];
}

/**
 * An admin's "checkpoint now": audited as requested → succeeded (or failed, naming the witnesses that
 * did not keep it), so the checkpoint covers the request that made it.
 */
export async function checkpointNow(deps: { audit: AuditLog; checkpoints: AuditCheckpoints }, actor: Actor): Promise<CheckpointNowResult> {
  const outcome = await audited(
    deps.audit,
    { actor, action: "audit.checkpoint", targetType: "audit", targetName: "checkpoint" },
    async () => {
      const written = await deps.checkpoints.checkpoint();
      // The "requested" entry is in the chain, so there is always a head to witness.
      if (!written) throw new DomainError("internal", "the audit trail is empty: nothing to checkpoint");
      const { seq, head, count, at } = written.checkpoint;
      return { seq, head, count, at, witnesses: written.witnesses };
    },
    (r) => {
      const failed = r.witnesses.filter((w) => !w.ok);
      return {
        params: { seq: r.seq, head: r.head, count: r.count, witnesses: r.witnesses.map((w) => w.name) },
        error: failed.length ? failed.map((w) => `${w.name}: ${w.error}`).join("; ") : null,
      };
    },
  );
  if (!outcome.ok) throw new DomainError("internal", `the checkpoint could not be written: ${outcome.error.message}`);
  return outcome.result;
}
