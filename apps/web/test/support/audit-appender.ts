// Another control plane, as far as the audit trail can tell: its own process and its own database
// client, appending entries to the shared database once told to start (a line on stdin), so that two
// of these write at the same moment, with the audit key the test gives them all (AUDIT_KEY, as replicas share it).
// Usage: AUDIT_KEY=… audit-appender.ts <database url> <label> <count>
import { deriveAuditKeys } from "../../server/audit/audit-key";
import { AuditLog } from "../../server/audit/audit-log";
import { createDb } from "../../server/db";
import type { AuditAction } from "../../server/audit/audit-actions";

const [url, label, count] = process.argv.slice(2);
const key = process.env.AUDIT_KEY;
if (!url || !label || !count || !key) throw new Error("usage: AUDIT_KEY=… audit-appender.ts <database url> <label> <count>");
const db = createDb(url);
const audit = new AuditLog(db, deriveAuditKeys(key));
await db.$queryRaw`SELECT 1`; // connected before the start, so both processes start appending together
process.stdout.write("ready\n");
await new Promise((resolve) => process.stdin.once("data", resolve));
await Promise.all(
  Array.from({ length: Number(count) }, (_, i) =>
    audit.append({ requestId: `${label}_${i}`, phase: "succeeded", action: "test.append" as AuditAction, actor: { type: "user", id: label, name: label }, targetName: `${label}-${i}` }),
  ),
);
await db.$disconnect();
process.stdout.write("done\n");
