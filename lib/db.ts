/**
 * The app's Prisma client. Only lib/server imports it (tooling uses lib/create-db.ts).
 */
import { env } from "@/lib/env";
import { createDb, type Db } from "./create-db";

export type { Db };

// NOTE: kept on globalThis in production too (docs/decisions/042): the production server evaluates
// a bundled module more than once per process, and each evaluation would open its own pool of
// DATABASE_POOL_SIZE connections; in development hot reloads reuse it the same way.
const globalForDb = globalThis as unknown as { consoleDb?: Db };
export const db: Db = (globalForDb.consoleDb ??= createDb(env.DATABASE_URL, {
  poolSize: env.DATABASE_POOL_SIZE,
}));
