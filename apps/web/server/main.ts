import { ConfigError, loadConfig } from "./config";
import { startControlPlane } from "./http-server";
import { applyMigrations } from "./migrate";

async function main(): Promise<void> {
  const config = loadConfig();
  await applyMigrations(config.databaseUrl);
  const cp = await startControlPlane(config, { ui: true });
  process.stdout.write(`\n  Stevedore is running at ${config.publicUrl}\n\n`);
  let closing = false;
  const shutdown = () => {
    if (closing) return;
    closing = true;
    void cp.close().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 5_000).unref();
  };
  process.on("SIGINT", shutdown);
  process.on("SIGTERM", shutdown);
}

main().catch((err: unknown) => {
  if (err instanceof ConfigError) {
    console.error(`stevedore: ${err.message}`);
    process.exit(78);
  }
  console.error(err);
  process.exit(1);
});
