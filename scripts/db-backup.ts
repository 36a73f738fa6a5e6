/**
 * `npm run db:backup -- <folder>` (docs/decisions/040-backups-that-restore.md): a backup that
 * `npm run db:restore` can check and restore, into a new folder (0700).
 *
 * - No DATABASE_URL: the console's embedded server (.data/postgres, or EMBEDDED_PG_DIR). Running
 *   (`npm start`): backed up while it runs. Not running: started for the backup, then stopped.
 *   A base backup with PostgreSQL's low-level API (scripts/lib/backup.ts).
 * - DATABASE_URL / MIGRATION_DATABASE_URL set: the operator's `pg_dump -Fc` (PATH or PG_DUMP) of
 *   the server's major version or newer, as MIGRATION_DATABASE_URL's role when set (the owner).
 *
 * Neither the audit keys nor the checkpoint folder are in a backup: keep them elsewhere.
 * A refusal is one line on standard error and exit status 2.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { backupEmbedded, backupExternal, BackupRefusal, freePort } from "./lib/backup.ts";
import { startEmbeddedPostgres, type EmbeddedServer } from "./lib/embedded-postgres.ts";
import { loadEnvironmentFile } from "./lib/env-file.ts";

const root = path.resolve(import.meta.dirname, "..");
loadEnvironmentFile();
const setting = (name: string) => process.env[name] || undefined;
const log = (line: string) => console.log(`[backup] ${line}`);

const folder = process.argv.slice(2).find((arg) => !arg.startsWith("-"));
if (!folder) {
  console.error("Usage: npm run db:backup -- <new folder>");
  process.exit(2);
}

if (existsSync(folder)) {
  console.error(`${path.resolve(folder)} already exists: back up into a new folder.`);
  process.exit(2);
}

let started = null as EmbeddedServer | null;
try {
  const external = setting("MIGRATION_DATABASE_URL") ?? setting("DATABASE_URL");
  const manifest = external
    ? await backupExternal({ databaseUrl: external, folder, log })
    : await backupOfEmbedded(folder);
  log(
    `done: ${path.resolve(folder)} (${Object.keys(manifest.files).length} files, PostgreSQL ${manifest.serverVersion}, audit trail head ${manifest.auditHead ? `at position ${manifest.auditHead.position}` : "empty"})`,
  );
  log(
    "The audit keys and the checkpoint folder are not in it: back them up separately, never beside the database's backup.",
  );
} catch (error) {
  if (!(error instanceof BackupRefusal)) throw error;
  console.error(error.message);
  process.exitCode = 2;
} finally {
  await started?.stop();
}

async function backupOfEmbedded(target: string) {
  const dataDir = path.resolve(root, setting("EMBEDDED_PG_DIR") ?? ".data/postgres");
  const passwordFile = path.join(path.dirname(dataDir), `${path.basename(dataDir)}.password`);
  if (!existsSync(path.join(dataDir, "PG_VERSION")) || !existsSync(passwordFile))
    throw new BackupRefusal(
      `No embedded database in ${dataDir}: start the console once (npm start), or set DATABASE_URL to back up an external server.`,
    );
  const password = readFileSync(passwordFile, "utf8").trim();
  const url = (port: number) =>
    `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/console`;
  const pidFile = path.join(dataDir, "postmaster.pid");
  if (existsSync(pidFile)) {
    // Running: postmaster.pid's fourth line is its port.
    const port = Number(readFileSync(pidFile, "utf8").split("\n")[3]);
    log(`backing up the running embedded server (port ${port})`);
    return backupEmbedded({ dataDir, databaseUrl: url(port), passwordFile, folder: target, log });
  }
  log(`the embedded server is not running: starting it for the backup`);
  const port = await freePort();
  started = await startEmbeddedPostgres({ dataDir, port, persistent: true }).catch(() => {
    throw new BackupRefusal(
      `The embedded PostgreSQL in ${dataDir} did not start: run npm start to see why, then back up again.`,
    );
  });
  return backupEmbedded({ dataDir, databaseUrl: url(port), passwordFile, folder: target, log });
}
