import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([".next/**", "generated/**", "node_modules/**", ".data/**", "test-results/**", "playwright-report/**", "next-env.d.ts"]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" }],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // Secrets and identifiers in the app come from node:crypto, never Math.random (SECURITY.md B1),
    // and raw SQL is only ever parameterised (SECURITY.md G3).
    files: ["app/**", "lib/**", "components/**", "proxy.ts"],
    rules: {
      "no-restricted-properties": ["error", { object: "Math", property: "random", message: "Use node:crypto for anything unpredictable." }],
      "no-restricted-syntax": [
        "error",
        { selector: "MemberExpression[property.name=/^\\$(queryRawUnsafe|executeRawUnsafe)$/]", message: "Use the tagged-template $queryRaw/$executeRaw." },
      ],
    },
  },
]);
