/**
 * The app's Prisma client. Only lib/server imports it (tooling uses lib/create-db.ts).
 */
import { env } from "@/lib/env";
import { createDb, type Db } from "./create-db";

export type { Db };

// NOTE: kept on globalThis in development only, so hot reloads reuse one pool.
// https://www.prisma.io/docs/orm/more/help-and-troubleshooting/nextjs-help
const globalForDb = globalThis as unknown as { consoleDb?: Db };
export const db: Db =
  globalForDb.consoleDb ?? createDb(env.DATABASE_URL, { poolSize: env.DATABASE_POOL_SIZE });
if (env.NODE_ENV === "development") globalForDb.consoleDb = db;
