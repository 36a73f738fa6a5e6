/**
 * Builds a Prisma client over node-postgres for a connection string. The app uses the
 * singleton in lib/db.ts; tooling (seed, start script, tests) builds its own with this.
 *
 * The pool is sized explicitly (DATABASE_POOL_SIZE for the app): more connections than the
 * database has cores only add lock waits and context switches, so past the pool's size work
 * queues here, in order, and waits up to TRANSACTION_OPTIONS.maxWait (lib/server/audit.ts) for a
 * connection rather than failing. Idle connections are closed after 30 s.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "@/generated/prisma/client";

export const DEFAULT_POOL_SIZE = 10;

export function createDb(
  connectionString: string,
  options: { logQueries?: boolean; poolSize?: number } = {},
) {
  return new PrismaClient({
    adapter: new PrismaPg({
      connectionString,
      max: options.poolSize ?? DEFAULT_POOL_SIZE,
      idleTimeoutMillis: 30_000,
    }),
    // Errors surface as exceptions (expected ones, like a unique violation, are handled); only warnings are logged.
    log: options.logQueries ? ["query", "warn"] : ["warn"],
  });
}

export type Db = ReturnType<typeof createDb>;
