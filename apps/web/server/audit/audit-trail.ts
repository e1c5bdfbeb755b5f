import path from "node:path";
import type { ServerConfig } from "../config";
import type { Db } from "../db";
import type { Logger } from "../logger";
import { AuditCheckpoints } from "./audit-checkpoints";
import { deriveAuditKeys } from "./audit-key";
import { AuditLog } from "./audit-log";
import { FileWitness, type Witness, WebhookWitness } from "./audit-witness";

/** The default witness, in the data directory (which database backups do not hold). */
export const CHECKPOINT_FILE = "audit-checkpoints.jsonl";

type AuditConfig = Pick<ServerConfig, "dataDir" | "auditKey" | "auditWitnessUrl" | "auditCheckpointIntervalMs">;

/** The audit trail as the server and the CLI use it: keyed by AUDIT_KEY, checkpointed to its witnesses. */
export function createAuditTrail(config: AuditConfig, db: Db, log: Logger): { audit: AuditLog; checkpoints: AuditCheckpoints } {
  const keys = deriveAuditKeys(config.auditKey);
  const file = new FileWitness(path.join(config.dataDir, CHECKPOINT_FILE));
  const audit = new AuditLog(db, keys, { checkpoints: [file] });
  const witnesses: Witness[] = [file];
  if (config.auditWitnessUrl) witnesses.push(new WebhookWitness(config.auditWitnessUrl));
  const checkpoints = new AuditCheckpoints({ audit, keys, file, witnesses, intervalMs: config.auditCheckpointIntervalMs, log });
  return { audit, checkpoints };
}
