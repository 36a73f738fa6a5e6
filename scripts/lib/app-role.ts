/**
 * Creates (once) and grants the application role on a database the superuser controls: the
 * embedded setup and the tests use it; on an external server, an administrator does the same
 * (README.md, "On an external PostgreSQL").
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { pgClient } from "../../lib/pg-connect.ts";

export const APP_ROLE = "console_app";
const GRANTS = path.resolve(import.meta.dirname, "../../prisma/app-role.sql");

export async function ensureAppRole(adminDatabaseUrl: string, password: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminDatabaseUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [
      APP_ROLE,
    ]);
    if (!rowCount)
      await client.query(
        `CREATE ROLE ${APP_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION`,
      );
    await client.query(
      `ALTER ROLE ${APP_ROLE} WITH LOGIN PASSWORD ${client.escapeLiteral(password)}`,
    );
  } finally {
    await client.end();
  }
  await grantAppRole(adminDatabaseUrl);
}

/** Applies prisma/app-role.sql as the tables' owner (idempotent; the role must exist). */
export async function grantAppRole(ownerDatabaseUrl: string): Promise<void> {
  const client = pgClient(ownerDatabaseUrl);
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [
      APP_ROLE,
    ]);
    if (!rowCount)
      throw new Error(
        `Role ${APP_ROLE} does not exist on this server, so it cannot be granted its rights: create it once as an administrator, CREATE ROLE ${APP_ROLE} LOGIN PASSWORD '…' (README.md, "On an external PostgreSQL"), then run this again.`,
      );
    await client.query(await readFile(GRANTS, "utf8"));
  } finally {
    await client.end();
  }
}

/** The same database, reached as the application role. */
export function asAppRole(databaseUrl: string, password: string): string {
  const url = new URL(databaseUrl);
  url.username = APP_ROLE;
  url.password = password;
  return url.toString();
}
