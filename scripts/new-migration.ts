/**
 * `npm run db:migrate -- <name>`: writes a new migration, the SQL from the datamodel of the
 * latest migration to prisma/schema.prisma, computed by Prisma's CLI without any database.
 * Each migration folder keeps a copy of the datamodel it produces (schema.prisma), which the
 * next migration diffs from. Hand-written SQL (checks, triggers, roles) may be appended to the
 * new file before it is applied. See docs/decisions/004-offline-migrations.md.
 */
import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { MIGRATIONS_DIR, readMigrations } from "./lib/migrations.ts";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: npm run db:migrate -- <name_in_snake_case>");
  process.exit(2);
}

const schema = path.resolve(import.meta.dirname, "../prisma/schema.prisma");
const latest = (await readMigrations()).at(-1);
const from = latest
  ? ["--from-schema-datamodel", path.join(MIGRATIONS_DIR, latest.name, "schema.prisma")]
  : ["--from-empty"];
if (latest && !existsSync(from[1]!))
  throw new Error(`${latest.name} has no schema.prisma copy to diff from`);

const sql = execFileSync(
  "npx",
  ["prisma", "migrate", "diff", ...from, "--to-schema-datamodel", schema, "--script"],
  { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] },
);
if (!/\b(CREATE|ALTER|DROP)\b/.test(sql)) {
  console.log("schema.prisma matches the latest migration: nothing to do.");
  process.exit(0);
}

const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const folder = path.join(MIGRATIONS_DIR, `${stamp}_${name}`);
mkdirSync(folder, { recursive: true });
writeFileSync(path.join(folder, "migration.sql"), sql);
copyFileSync(schema, path.join(folder, "schema.prisma"));
console.log(
  `wrote ${path.relative(process.cwd(), folder)}/migration.sql; review it, then npm run db:deploy`,
);
