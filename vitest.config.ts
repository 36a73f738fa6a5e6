import path from "node:path";
import { defineConfig } from "vitest/config";

const alias = {
  "@": path.resolve(import.meta.dirname),
  // `server-only` throws outside React Server Components; in tests the modules run on the server anyway.
  "server-only": path.resolve(import.meta.dirname, "tests/server-only.ts"),
};

export default defineConfig({
  resolve: { alias },
  esbuild: { jsx: "automatic" },
  test: {
    setupFiles: ["tests/setup.ts"],
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: [
            "lib/domain/**/*.test.ts",
            "lib/auth/**/*.test.ts",
            "lib/witness/**/*.test.ts",
            "tests/unit/**/*.test.ts",
            "app/**/*.test.{ts,tsx}",
            "components/**/*.test.tsx",
          ],
          environment: "node",
          globalSetup: ["tests/global-tmp.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["lib/server/**/*.test.ts", "tests/integration/**/*.test.ts"],
          environment: "node",
          globalSetup: ["tests/global-tmp.ts", "tests/global-setup.ts"],
          setupFiles: ["tests/setup-db.ts"],
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      },
    ],
  },
});
