import { createJoinToken } from "./agents/enrollment";
import { ConfigError, loadConfig } from "./config";
import { createDb } from "./db";

const USAGE = `Usage: stevedore <command>

  join-token    print a one-time join token for a new host (as the first admin), for scripts`;

/** Administrative commands that run beside the server, against the same database. */
async function main(): Promise<void> {
  const [command] = process.argv.slice(2);
  const config = loadConfig();
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
