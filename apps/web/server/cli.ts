import { createJoinToken } from "./agents/enrollment";
import { AuditLog } from "./audit/audit-log";
import { ConfigError, loadConfig } from "./config";
import { createDb } from "./db";
import { applyMigrations } from "./migrate";

const USAGE = `Usage: stevedore <command>

  join-token    print a one-time join token for a new host (as the first admin), for scripts
  audit-verify  walk the audit trail's hash chain; exit 1 at the first entry that was tampered with`;

/** Administrative commands that run beside the server, against the same database. */
async function main(): Promise<void> {
  const [command] = process.argv.slice(2);
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
        const result = await new AuditLog(db).verify();
        if (result.ok) {
          process.stdout.write(`audit trail intact: ${result.checked} entries, head ${result.head}\n`);
        } else {
          process.stdout.write(`audit trail BROKEN at entry #${result.brokenAt} (after ${result.checked} good entries): ${result.reason}\n`);
          process.exitCode = 1;
        }
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

main().catch((err: unknown) => {
  console.error(`stevedore: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
