import fs from "node:fs";
import { createJoinToken } from "./agents/enrollment";
import type { VerifyResult } from "./audit/audit-log";
import { createAuditTrail } from "./audit/audit-trail";
import { FileWitness } from "./audit/audit-witness";
import { ConfigError, loadConfig } from "./config";
import { createDb } from "./db";
import { createLogger } from "./logger";
import { applyMigrations } from "./migrate";

const USAGE = `Usage: stevedore <command>

  join-token    print a one-time join token for a new host (as the first admin), for scripts
  audit-verify [--checkpoints FILE]…
                walk the audit trail's keyed chain and hold it to every signed checkpoint (the data
                directory's audit-checkpoints.jsonl, and each FILE of lines a webhook receiver kept);
                exit 1 at the first entry that was tampered with, or when a checkpoint line is forged`;

/** Administrative commands that run beside the server, against the same database. */
async function main(): Promise<void> {
  const [command, ...args] = process.argv.slice(2);
  const config = loadConfig();
  await applyMigrations(config.databaseUrl);
  const db = createDb(config.databaseUrl);
  try {
    switch (command) {
      case "join-token": {
        const admin = await db.user.findFirst({ where: { role: "admin" }, orderBy: { createdAt: "asc" } });
        if (!admin) throw new ConfigError("no admin exists yet: start the server once first");
        const { token } = await createJoinToken(db, admin.id, config.joinTokenTtlMs);
        process.stdout.write(`${token}\n`);
        break;
      }
      case "audit-verify": {
        const extra = checkpointFiles(args).map((file) => new FileWitness(file));
        const { audit } = createAuditTrail(config, db, createLogger("silent"));
        const result = await audit.verify({ extra });
        process.stdout.write(verifyReport(result));
        if (!result.ok || result.checkpoints.rejectedCount > 0) process.exitCode = 1;
        break;
      }
      default:
        console.error(USAGE);
        process.exitCode = 2;
    }
  } finally {
    await db.$disconnect();
  }
}

/** `--checkpoints FILE`, any number of times. */
function checkpointFiles(args: string[]): string[] {
  const files: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const file = args[i + 1];
    if (args[i] !== "--checkpoints" || !file) throw new ConfigError(`unexpected argument "${args[i]}"\n\n${USAGE}`);
    if (!fs.existsSync(file)) throw new ConfigError(`--checkpoints ${file}: no such file`);
    files.push(file);
    i++;
  }
  return files;
}

function verifyReport(result: VerifyResult): string {
  const { checked: claims, newest, rejected, rejectedCount } = result.checkpoints;
  const witnessed = newest ? `, ${claims} checkpoint(s) up to #${newest.seq} (${newest.at})` : ", no checkpoint yet";
  const lines = result.ok
    ? [`audit trail intact: ${result.checked} entries${witnessed}, head ${result.head}${result.keyedFrom ? `, keyed from #${result.keyedFrom}` : ", none keyed yet"}`]
    : [`audit trail BROKEN at entry #${result.brokenAt} (after ${result.checked} good entries): ${result.reason}`];
  if (rejectedCount > 0) {
    lines.push(`${rejectedCount} checkpoint line(s) not signed with the audit key (someone wrote to a witness):`);
    for (const r of rejected) lines.push(`  ${r.where}: ${r.reason}`);
    if (rejectedCount > rejected.length) lines.push(`  … and ${rejectedCount - rejected.length} more`);
  }
  return lines.map((l) => `${l}\n`).join("");
}

main().catch((err: unknown) => {
  console.error(`stevedore: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
