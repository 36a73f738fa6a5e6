/**
 * `npm run db:deploy`: applies pending migrations (the console's own equivalent of
 * `prisma migrate deploy`, which cannot run offline here) as MIGRATION_DATABASE_URL, the tables'
 * owner, then grants the application role its rights (prisma/app-role.sql), as `npm start` does;
 * with DATABASE_URL alone, migrates that database and grants nothing. Reads `.env` (or
 * CONSOLE_ENV_FILE) like `npm start`. A problem is one line saying what to do (scripts/lib/startup-checks.ts).
 */
import { grantAppRole } from "./lib/app-role.ts";
import { loadEnvironmentFile } from "./lib/env-file.ts";
import { applyMigrations } from "./lib/migrations.ts";
import {
  databaseUrlProblem,
  describeDatabaseError,
  describeMigrationError,
  refuse,
  StartupError,
  withDatabase,
} from "./lib/startup-checks.ts";

loadEnvironmentFile();

const owner = process.env.MIGRATION_DATABASE_URL || undefined;
const variable = owner ? "MIGRATION_DATABASE_URL" : "DATABASE_URL";
const url = owner ?? (process.env.DATABASE_URL || undefined);
if (!url)
  refuse([
    "Neither MIGRATION_DATABASE_URL nor DATABASE_URL is set: set MIGRATION_DATABASE_URL to the connection of the role that owns the database, postgresql://<owner>:<password>@<host>:<port>/<database>.",
  ]);
const problem = databaseUrlProblem(variable, url);
if (problem) refuse([problem]);

try {
  await withDatabase(variable, url, async () => {});
  let applied: string[];
  try {
    applied = await applyMigrations(url, console.log);
  } catch (error) {
    throw new StartupError(describeMigrationError(error, variable, url), 1);
  }
  console.log(applied.length ? `${applied.length} migration(s) applied` : "database is up to date");
  if (owner) {
    try {
      await grantAppRole(owner);
    } catch (error) {
      throw new StartupError(
        (error as { code?: string }).code
          ? describeDatabaseError(error, variable, url)
          : `${variable}: ${(error as Error).message}`,
      );
    }
    console.log("granted the application role its rights (prisma/app-role.sql)");
  }
} catch (error) {
  if (!(error instanceof StartupError)) throw error;
  refuse([error.message], error.exitCode);
}
