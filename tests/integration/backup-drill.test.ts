/**
 * The backup drill (docs/decisions/040-backups-that-restore.md), on real PostgreSQL servers of
 * its own (not the shared test server): audited events and a signed checkpoint, a base backup
 * with the low-level API, more events and a newer checkpoint (kept outside the database, as in
 * production), a restore into a fresh server. The restored log verifies on its own; against the
 * newest signed checkpoint, the events after the backup are reported missing; the signer refuses
 * to go on. And the external-server path refuses a missing or too old pg_dump in one line.
 */
import { spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import {
  appendFile,
  chmod,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  stat,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type Db } from "@/lib/create-db";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { trustedEventKeys } from "@/lib/server/audit-keys";
import { logVerifier, signRound, type SignerConfig } from "@/lib/server/audit-log-signer";
import { runFullVerification } from "@/lib/server/full-verification";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import {
  backupEmbedded,
  BackupRefusal,
  checkBackup,
  freePort,
  readAuditHead,
  restoreBaseBackup,
  type Manifest,
  type Restored,
} from "@/scripts/lib/backup";
import { startEmbeddedPostgres, type EmbeddedServer } from "@/scripts/lib/embedded-postgres";
import { applyMigrations } from "@/scripts/lib/migrations";

const ORIGIN = "console.test/backup-drill";
const root = path.resolve(import.meta.dirname, "../..");
// Beside the shared server's folder: the postgres user must reach it (tests/global-tmp.ts).
const sourceName = `backup-drill-source-${randomBytes(4).toString("hex")}`;
const sourceDir = path.join(tmpdir(), sourceName);
const restoredDir = path.join(tmpdir(), `backup-drill-restored-${randomBytes(4).toString("hex")}`);

let source: EmbeddedServer;
let sourceDb: Db;
let restored: Restored | null = null;
let restoredDb: Db | null = null;
let work: string;
let checkpointDir: string;
let signer: SignerConfig;

async function decide(client: Db, n: number) {
  await auditedTransaction(client, (tx) =>
    recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      actor: { type: "SYSTEM", name: `drill ${n}` },
      data: { permission: "audit:read", path: `/drill/${n}` },
    }),
  );
}

async function headOf(url: string) {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await readAuditHead(client);
  } finally {
    await client.end();
  }
}

beforeAll(async () => {
  work = await mkdtemp(path.join(tmpdir(), "backup-drill-"));
  // The CLI reads this environment file only (not a .env in the checkout).
  await writeFile(path.join(work, "empty.env"), "");
  checkpointDir = path.join(work, "checkpoints");
  signer = {
    origin: ORIGIN,
    privateKey: generateKeyPairSync("ed25519").privateKey,
    eventKeys: trustedEventKeys(),
    dir: checkpointDir,
    witnesses: [],
  };
  source = await startEmbeddedPostgres({
    dataDir: sourceDir,
    port: await freePort(),
    persistent: false,
  });
  const admin = new pg.Client({ connectionString: source.url("postgres") });
  await admin.connect();
  await admin.query(`CREATE DATABASE console`);
  await admin.end();
  await applyMigrations(source.url("console"));
  sourceDb = createDb(source.url("console"), { poolSize: 2 });
});

afterAll(async () => {
  await restoredDb?.$disconnect();
  await restored?.server.stop();
  await sourceDb?.$disconnect();
  await source?.stop();
});

describe("the backup drill", () => {
  let manifest: Manifest;
  let backupSize: number;
  let newestSize: number;
  let firstSize: number;
  const folder = () => path.join(work, "backup");

  it("backs up the running server with PostgreSQL's low-level API, with a manifest restore can check", async () => {
    for (let n = 1; n <= 3; n++) await decide(sourceDb, n);
    const first = await signRound(sourceDb, signer, { force: true });
    expect(first.kind).toBe("signed");
    firstSize = first.kind === "signed" ? first.size : 0;
    const head = await headOf(source.url("console"));
    expect(head).not.toBeNull();

    manifest = await backupEmbedded({
      dataDir: sourceDir,
      databaseUrl: source.url("console"),
      passwordFile: path.join(tmpdir(), `${sourceName}.password`),
      folder: folder(),
    });
    backupSize = Number(manifest.auditHead!.position) + 1;

    expect(manifest.kind).toBe("base-backup");
    expect(manifest.serverVersionNum).toBeGreaterThanOrEqual(180_000);
    expect(manifest.database).toBe("console");
    expect(manifest.auditHead).toEqual(head);
    expect(manifest.startLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    expect(manifest.stopLsn).toMatch(/^[0-9A-F]+\/[0-9A-F]+$/);
    // The label pg_backup_stop returned, the WAL from start to stop, and the data files.
    expect(manifest.files).toHaveProperty(path.join("data", "backup_label"));
    expect(manifest.files).toHaveProperty(path.join("data", "PG_VERSION"));
    expect(Object.keys(manifest.files).some((f) => f.startsWith("data/pg_wal/"))).toBe(true);
    expect(Object.keys(manifest.files)).not.toContain(path.join("data", "postmaster.pid"));
    expect((await stat(folder())).mode & 0o777).toBe(0o700);
    await expect(checkBackup(folder())).resolves.toEqual(manifest);
    // Never over an existing folder.
    await expect(
      backupEmbedded({
        dataDir: sourceDir,
        databaseUrl: source.url("console"),
        passwordFile: path.join(tmpdir(), `${sourceName}.password`),
        folder: folder(),
      }),
    ).rejects.toThrow(/already exists/);
  });

  it("restores into a fresh server: the log as of the backup verifies, the events after it show as missing", async () => {
    for (let n = 4; n <= 6; n++) await decide(sourceDb, n);
    const second = await signRound(sourceDb, signer, { force: true });
    expect(second.kind).toBe("signed");
    newestSize = second.kind === "signed" ? second.size : 0;
    expect(newestSize).toBeGreaterThan(backupSize);

    restored = await restoreBaseBackup({ folder: folder(), into: restoredDir });
    expect(restored.auditHead).toEqual(manifest.auditHead);
    const url = restored.server.url("console");
    restoredDb = createDb(url, { poolSize: 2 });

    // The restored chain verifies on its own: every row, signed and in place, as of the backup.
    const own = await verifyAuditLog(restoredDb, { keys: trustedEventKeys(), databaseUrl: url });
    expect(own.ok).toBe(true);
    expect(own.problems).toEqual([]);
    expect(own.size).toBe(backupSize);

    // Against the newest signed checkpoint (outside the database), the later events are missing.
    const full = await runFullVerification(restoredDb, {
      eventKeys: trustedEventKeys(),
      log: logVerifier(signer),
      dir: checkpointDir,
      databaseUrl: url,
    });
    expect(full.ok).toBe(false);
    expect(full.size).toBe(backupSize);
    expect(full.checkpoint).toEqual({ size: newestSize, source: "directory" });
    expect(full.checkpointProblem).toBe(
      `the checkpoint signed ${newestSize} events but the log has ${backupSize}: events were removed`,
    );
    expect(full.problems.map((p) => p.problem)).toEqual([full.checkpointProblem]);

    // And the console's signer refuses to sign over the loss.
    const round = await signRound(restoredDb, signer, { force: true });
    expect(round).toEqual({
      kind: "refused",
      problem: `the checkpoint copy outside the database has size ${newestSize} but the database only ${firstSize}: checkpoints were removed from the database`,
    });
  });

  it("refuses a backup that changed and a data directory that is not empty", async () => {
    await expect(restoreBaseBackup({ folder: folder(), into: restoredDir })).rejects.toThrow(
      /is not empty/,
    );
    await appendFile(path.join(folder(), "data", "PG_VERSION"), "x");
    await expect(checkBackup(folder())).rejects.toThrow(BackupRefusal);
    await expect(checkBackup(folder())).rejects.toThrow(
      /data\/PG_VERSION .* does not match the manifest's SHA-256/,
    );
  });
});

describe("db:backup on an external server", () => {
  const backup = (env: Record<string, string>, target: string) =>
    spawnSync(path.join(root, "node_modules/.bin/tsx"), ["scripts/db-backup.ts", target], {
      cwd: root,
      encoding: "utf8",
      env: {
        NODE_ENV: "test",
        PATH: process.env.PATH,
        TMPDIR: process.env.TMPDIR,
        CONSOLE_ENV_FILE: path.join(work, "empty.env"),
        DATABASE_URL: process.env.TEST_OWNER_DATABASE_URL,
        ...env,
      },
    });
  const password = () => decodeURIComponent(new URL(process.env.TEST_OWNER_DATABASE_URL!).password);

  it("refuses a pg_dump older than the server, in one line, and writes nothing", async () => {
    const fake = path.join(work, "pg_dump");
    await writeFile(fake, '#!/bin/sh\necho "pg_dump (PostgreSQL) 15.8"\n');
    await chmod(fake, 0o755);
    const target = path.join(work, "external-old");
    const result = backup({ PG_DUMP: fake }, target);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(
        /is pg_dump 15\.8, older than the PostgreSQL 18 server \(a pg_dump cannot dump a newer server\)/,
      ),
    ]);
    expect(result.stderr).not.toContain(password());
    expect(existsSync(target)).toBe(false);
  });

  it("refuses when there is no pg_dump, in one line", async () => {
    const target = path.join(work, "external-missing");
    const result = backup({ PG_DUMP: path.join(work, "no-such-pg_dump") }, target);
    expect(result.status).toBe(2);
    expect(result.stderr.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^No pg_dump at .* to back up the PostgreSQL 18 server: install/),
    ]);
    expect(existsSync(target)).toBe(false);
    expect(await readdir(work)).not.toContain("external-missing");
  });

  // No pg_dump 18 is installable here (Debian has 15): a stand-in that answers its --version as
  // an 18 would and records how it was called, to show what the command hands the operator's tool.
  it("runs a new enough pg_dump with the password in its environment only, and restore names the pg_restore command", async () => {
    const record = path.join(work, "record");
    await mkdir(record);
    const fake = path.join(work, "pg_dump-18");
    await writeFile(
      fake,
      [
        "#!/bin/sh",
        'if [ "$1" = "--version" ]; then echo "pg_dump (PostgreSQL) 18.1"; exit 0; fi',
        'printf "%s\\n" "$@" > "$RECORD/args"',
        'printf "%s" "$PGPASSWORD" > "$RECORD/pgpassword"',
        'while [ $# -gt 0 ]; do if [ "$1" = "-f" ]; then printf "PGDMP" > "$2"; fi; shift; done',
        "",
      ].join("\n"),
    );
    await chmod(fake, 0o755);
    const target = path.join(work, "external-dump");
    const result = backup({ PG_DUMP: fake, RECORD: record }, target);
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    const args = await readFile(path.join(record, "args"), "utf8");
    expect(args.split("\n").slice(0, 3)).toEqual(["-Fc", "-f", path.join(target, "database.dump")]);
    expect(args).not.toContain(password());
    expect(result.stdout).not.toContain(password());
    expect(await readFile(path.join(record, "pgpassword"), "utf8")).toBe(password());
    expect((await stat(target)).mode & 0o777).toBe(0o700);
    const manifest = await checkBackup(target);
    expect(manifest).toMatchObject({ kind: "pg_dump", pgDumpVersion: "18.1" });
    expect(Object.keys(manifest.files)).toEqual(["database.dump"]);

    const restore = spawnSync(
      path.join(root, "node_modules/.bin/tsx"),
      ["scripts/db-restore.ts", target],
      { cwd: root, encoding: "utf8" },
    );
    expect(restore.status).toBe(0);
    expect(restore.stdout).toContain(`pg_restore --exit-on-error --no-owner -d`);
    expect(restore.stdout).toContain(path.join(target, "database.dump"));
  });
});
