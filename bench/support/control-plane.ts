/** The control plane as its own process (API and sockets; the built UI too with BENCH_UI=1), for benchmarks that measure it apart. */
import { loadConfig } from "../../apps/web/server/config";
import { startControlPlane } from "../../apps/web/server/http-server";
import { applyMigrations } from "../../apps/web/server/migrate";

const config = loadConfig();
await applyMigrations(config.databaseUrl);
const cp = await startControlPlane(config, { ui: process.env.BENCH_UI === "1" });
process.stdout.write(`READY ${cp.url}\n`);
process.on("SIGTERM", () => void cp.close().finally(() => process.exit(0)));
