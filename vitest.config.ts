import fs from "node:fs";
import path from "node:path";
import { defineConfig } from "vitest/config";

const INTEGRATION = "apps/web/test";
/** Files that say so at their top (the marker is looked for in their first 1,000 characters) change nothing on the shared Docker Engine. */
const engineFree = fs
  .readdirSync(INTEGRATION)
  .filter((f) => f.endsWith(".test.ts") && /^\/\/ Engine-free:/m.test(fs.readFileSync(path.join(INTEGRATION, f), "utf8").slice(0, 1000)))
  .map((f) => `${INTEGRATION}/${f}`);

// Two integration lanes, each one file at a time: the files that use the one real engine must not
// overlap (they create, count and clean up its containers), while the engine-free ones can run beside
// them. scripts/test.sh starts the two lanes side by side.
const integration = { fileParallelism: false, testTimeout: 60_000, hookTimeout: 90_000 };

export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/test/**/*.test.ts", "agent/test/**/*.test.ts", "apps/web/test/unit/**/*.test.ts"],
        },
      },
      {
        test: {
          name: "integration",
          include: [`${INTEGRATION}/**/*.test.ts`],
          exclude: [`${INTEGRATION}/unit/**`, "**/node_modules/**", ...engineFree],
          globalSetup: ["apps/web/test/support/global-setup.ts"],
          ...integration,
        },
      },
      {
        test: { name: "engine-free", include: engineFree, ...integration },
      },
    ],
  },
});
