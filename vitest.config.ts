import { defineConfig } from "vitest/config";

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
          include: ["apps/web/test/**/*.test.ts"],
          exclude: ["apps/web/test/unit/**", "**/node_modules/**"],
          globalSetup: ["apps/web/test/support/global-setup.ts"],
          // One real engine is shared by every file: run them one after another.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 90_000,
        },
      },
    ],
  },
});
