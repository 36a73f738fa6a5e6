/**
 * Prisma CLI configuration, used only to generate the client and to compute
 * migration SQL from one datamodel to another (see docs/decisions/004-offline-migrations.md).
 *
 * NOTE: Prisma 6's CLI checks for native engine files it cannot download on this
 * network; with the WASM schema engine they are never run, so any existing file
 * satisfies the check. The app itself talks to PostgreSQL through @prisma/adapter-pg.
 */
import path from "node:path";
import type { SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";
import { defineConfig } from "prisma/config";

const placeholder = path.resolve("package.json");
process.env.PRISMA_SCHEMA_ENGINE_BINARY ??= placeholder;
process.env.PRISMA_QUERY_ENGINE_LIBRARY ??= placeholder;

export default defineConfig({
  experimental: { adapter: true },
  engine: "js",
  schema: path.join("prisma", "schema.prisma"),
  // An in-memory PostgreSQL (PGlite) is enough for `migrate diff` between datamodels.
  adapter: async () => {
    const { PGlite } = await import("@electric-sql/pglite");
    const { PrismaPGlite } = await import("pglite-prisma-adapter");
    // NOTE: the adapter is typed against its own copy of driver-adapter-utils (6.10); the
    // interface it implements is the same one Prisma 6.19 calls.
    return new PrismaPGlite(new PGlite()) as unknown as SqlMigrationAwareDriverAdapterFactory;
  },
});
