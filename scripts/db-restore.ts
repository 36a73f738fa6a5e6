/**
 * `npm run db:restore -- <backup folder> [--into <data dir>]` (docs/decisions/040): checks the
 * backup against its manifest, then
 * - a base backup (the embedded server's): copies it into a new or empty data directory
 *   (default .data/postgres-restored), starts PostgreSQL on it so it replays the WAL to the state
 *   as of the backup, checks the audit trail reaches the backup's head, stops it and says how to
 *   run the console on it;
 * - a pg_dump backup (an external server's): prints the pg_restore command to run.
 * A refusal is one line on standard error and exit status 2.
 */
import path from "node:path";
import { BackupRefusal, checkBackup, pgRestoreCommand, restoreBaseBackup } from "./lib/backup.ts";

const root = path.resolve(import.meta.dirname, "..");
const log = (line: string) => console.log(`[restore] ${line}`);
const args = process.argv.slice(2);
let folder: string | undefined;
let into: string | undefined;
for (let i = 0; i < args.length; i++) {
  if (args[i] === "--into") into = args[++i] ?? "";
  else folder ??= args[i];
}
if (!folder || into === "") {
  console.error("Usage: npm run db:restore -- <backup folder> [--into <new data directory>]");
  process.exit(2);
}

try {
  const manifest = await checkBackup(folder);
  log(
    `${path.resolve(folder)}: every file matches the manifest (${manifest.kind}, ${manifest.createdAt})`,
  );
  if (manifest.kind === "pg_dump") {
    log(
      "Restore it into a new, empty database with pg_restore of PostgreSQL " +
        `${Math.floor(manifest.serverVersionNum / 10_000)} or newer, as the owner role:`,
    );
    console.log(pgRestoreCommand(folder));
    log("then point MIGRATION_DATABASE_URL and DATABASE_URL at it and run npm start.");
  } else {
    const target = path.resolve(root, into ?? ".data/postgres-restored");
    const restored = await restoreBaseBackup({ folder, into: target });
    await restored.server.stop();
    log(
      `restored into ${target}: PostgreSQL replayed the WAL to the backup's end (${manifest.stopLsn}); audit trail head ${restored.auditHead ? `at position ${restored.auditHead.position}` : "empty"}.`,
    );
    log(
      `To run the console on it: stop the console, then EMBEDDED_PG_DIR=${target.startsWith(root + path.sep) ? path.relative(root, target) : target} npm start. Then npm run audit:verify: events after the backup show as missing against the signed checkpoints.`,
    );
  }
} catch (error) {
  if (!(error instanceof BackupRefusal)) throw error;
  console.error(error.message);
  process.exitCode = 2;
}
