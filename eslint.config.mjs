import nextVitals from "eslint-config-next/core-web-vitals";
import nextTs from "eslint-config-next/typescript";
import { defineConfig, globalIgnores } from "eslint/config";

export default defineConfig([
  ...nextVitals,
  ...nextTs,
  globalIgnores([
    ".next/**",
    "generated/**",
    "node_modules/**",
    ".data/**",
    "test-results/**",
    "playwright-report/**",
    "next-env.d.ts",
  ]),
  {
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_" },
      ],
      "@typescript-eslint/consistent-type-imports": ["error", { fixStyle: "inline-type-imports" }],
    },
  },
  {
    // Secrets and identifiers in the app come from node:crypto, never Math.random (docs/security-requirements.md B1),
    // and raw SQL is only ever parameterised (docs/security-requirements.md G3).
    files: ["app/**", "lib/**", "components/**", "proxy.ts"],
    rules: {
      "no-restricted-properties": [
        "error",
        {
          object: "Math",
          property: "random",
          message: "Use node:crypto for anything unpredictable.",
        },
      ],
      "no-restricted-syntax": [
        "error",
        {
          selector: "MemberExpression[property.name=/^\\$(queryRawUnsafe|executeRawUnsafe)$/]",
          message: "Use the tagged-template $queryRaw/$executeRaw.",
        },
      ],
    },
  },
  {
    // Layering (decision 001): pages, actions and components never reach the database or the
    // generated Prisma client, not even for a type; they use lib/domain types and lib/server's
    // return types.
    files: ["app/**", "components/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(@/|(\\.\\./)+)lib/(db|create-db)$",
              message: "Only lib/server talks to the database: call a use case or query there.",
            },
            {
              regex: "^(@/|(\\.\\./)+)generated(/|$)",
              message:
                "Use lib/domain types (or a lib/server query's return type), not the generated Prisma client.",
            },
            {
              regex: "^@prisma/",
              message: "Use lib/domain types (or a lib/server query's return type), not Prisma's.",
            },
          ],
        },
      ],
    },
  },
  {
    // lib/domain is pure (decision 001): no framework, no database, no environment, no session.
    files: ["lib/domain/**"],
    rules: {
      "no-restricted-imports": [
        "error",
        {
          patterns: [
            {
              regex: "^(next|react|react-dom)(/|$)",
              message: "lib/domain is pure: no Next.js or React.",
            },
            {
              regex: "^@prisma/",
              message: "lib/domain is pure: no Prisma. Define the domain's own type.",
            },
            {
              regex: "^(@/|(\\.\\./)+)generated(/|$)",
              message:
                "lib/domain is pure: define the domain's own type, not the generated client's.",
            },
            {
              regex: "^(@/lib/|\\.\\./)(server|auth)(/|$)",
              message:
                "lib/domain is pure: lib/server and lib/auth depend on it, not the other way round.",
            },
            {
              regex: "^(@/lib/|\\.\\./)(db|create-db|env)$",
              message:
                "lib/domain is pure: no database, no environment (pass values in as arguments).",
            },
          ],
        },
      ],
    },
  },
]);
