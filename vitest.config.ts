import { defineConfig } from "vitest/config";

// Two projects, run one after the other: `unit` (in-process: test/unit and the local server's own tests; light, so
// three workers) and then `e2e` (the built bin/airconn spawned against the local server; each test runs real
// processes, so two at a time keep their timing honest on a 2-core machine). `npx vitest run --project unit` runs one.
export default defineConfig({
  test: {
    pool: "forks",
    maxWorkers: 3,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["test/unit/**/*.test.ts", "packages/*/test/**/*.test.ts"],
          maxWorkers: 3,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts", "test/smoke/**/*.test.ts"],
          // the secret scan of every end-to-end run (test/support/secrets.ts): "secret scan: N runs, 0 hits"
          globalSetup: ["test/e2e/global-setup.ts"],
          maxWorkers: 2,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
