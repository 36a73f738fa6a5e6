/**
 * Builds a Prisma client over node-postgres for a connection string. The app uses the
 * singleton in lib/db.ts; tooling (seed, start script, tests) builds its own with this.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";

export function createDb(connectionString: string, options: { logQueries?: boolean } = {}) {
  return new PrismaClient({
    adapter: new PrismaPg({ connectionString, max: 10 }),
    // Errors surface as exceptions (expected ones, like a unique violation, are handled); only warnings are logged.
    log: options.logQueries ? ["query", "warn"] : ["warn"],
  });
}

export type Db = ReturnType<typeof createDb>;
