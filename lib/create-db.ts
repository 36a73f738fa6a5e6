/**
 * Builds a Prisma client over node-postgres for a connection string. The app uses the
 * singleton in lib/db.ts; tooling (seed, start script, tests) builds its own with this.
 *
 * The pool is sized explicitly (DATABASE_POOL_SIZE for the app): more connections than the
 * database has cores only add lock waits and context switches, so past the pool's size work
 * queues here, in order, and waits up to TRANSACTION_OPTIONS.maxWait (lib/server/audit.ts) for a
 * connection rather than failing. Idle connections are closed after 30 s.
 *
 * DATABASE_URL may list a primary and its standbys (decision 043): every new pool connection
 * finds the primary (lib/pg-connect.ts), so after a failover the pool drops its broken
 * connections and the next ones reach the promoted standby without a restart.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import type pg from "pg";
import { PrismaClient } from "@/generated/prisma/client";
import { pgPool } from "./pg-connect";

export const DEFAULT_POOL_SIZE = 10;

export function createDb(
  connectionString: string,
  options: { logQueries?: boolean; poolSize?: number } = {},
) {
  const pool = pgPool({
    connectionString,
    max: options.poolSize ?? DEFAULT_POOL_SIZE,
    idleTimeoutMillis: 30_000,
  });
  const client = new PrismaClient({
    adapter: new PrismaPg(pool, { disposeExternalPool: true }),
    // Errors surface as exceptions (expected ones, like a unique violation, are handled); only warnings are logged.
    log: options.logQueries ? ["query", "warn"] : ["warn"],
  });
  pools.set(client, pool);
  return client;
}

const pools = new WeakMap<object, pg.Pool>();

/** The node-postgres pool under a client made here (its counts: lent, idle, waiting). */
export function poolOf(db: object): pg.Pool | undefined {
  return pools.get(db);
}

export type Db = ReturnType<typeof createDb>;
