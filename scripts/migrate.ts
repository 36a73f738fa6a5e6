/**
 * `npm run db:deploy`: applies pending migrations to DATABASE_URL (the console's own
 * equivalent of `prisma migrate deploy`, which cannot run offline here).
 */
import { applyMigrations } from "./lib/migrations.ts";

const url = process.env.MIGRATION_DATABASE_URL ?? process.env.DATABASE_URL;
if (!url) {
  console.error("Set DATABASE_URL (or MIGRATION_DATABASE_URL) to the server to migrate.");
  process.exit(2);
}
const applied = await applyMigrations(url, console.log);
console.log(applied.length ? `${applied.length} migration(s) applied` : "database is up to date");
