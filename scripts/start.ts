/**
 * `npm start` (production build) and `npm run dev` (development build): the one way to run the
 * console. It checks the configuration, prepares the database, then runs the console's server
 * (scripts/server.ts: Next.js behind the edge that owns the client address, body limits and
 * malformed requests).
 *
 * - First, before anything starts: the console's variables (lib/env-schema.ts), the key files,
 *   the checkpoint folder, SMTP and the port. Every problem is one line saying what to do
 *   (scripts/lib/startup-checks.ts), and the script exits 2; so are a database it cannot reach or
 *   log in to, and a DATABASE_URL that is the tables' owner.
 * - DATABASE_URL set: use that PostgreSQL server, migrated as MIGRATION_DATABASE_URL (the owner),
 *   which then grants the application role its rights (prisma/app-role.sql). Unset: start an
 *   embedded PostgreSQL server with its data in .data/ (git-ignored), created on first start and
 *   reused afterwards.
 * - Apply pending migrations (scripts/lib/migrations.ts); on the embedded database, load the
 *   demo organisation the first time and turn demo sign-in on unless DEMO_SIGN_IN says otherwise.
 * - `npm start` builds first when the build is missing or older than the sources.
 * - Beside the server, the verification worker (scripts/audit-worker.ts) runs as a process of its
 *   own; AUDIT_WORKER=off leaves it out (run it elsewhere, e.g. on another machine).
 *
 * - CONSOLE_INSTANCE_PORTS=3001,3002 (docs/decisions/042): one server per port, all over the
 *   same database, and Debian's nginx on PORT in front of them (scripts/lib/nginx.ts), round
 *   robin, its pid, logs and temporary files in CONSOLE_NGINX_DIR (default: a new temporary
 *   folder). The browser tests run this way; in production run them as services.
 *
 * Tooling reads its own environment variables; the app's are validated in lib/env.ts.
 */
import { spawn, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { seedDemo } from "../prisma/seed.ts";
import { sealV1Log } from "../lib/server/seal-v1-log.ts";
import { createDb } from "../lib/create-db.ts";
import { configurationProblems } from "../lib/env-schema.ts";
import { startEmbeddedPostgres, type EmbeddedServer } from "./lib/embedded-postgres.ts";
import { applyMigrations } from "./lib/migrations.ts";
import { APP_ROLE, asAppRole, ensureAppRole, grantAppRole } from "./lib/app-role.ts";
import { buildIsStale } from "./lib/build.ts";
import { listening, startNginx, type RunningNginx } from "./lib/nginx.ts";
import { ed25519KeyPair, ssfSigningKey } from "./lib/console-keys.ts";
import { loadEnvironmentFile } from "./lib/env-file.ts";
import {
  auditKeyProblems,
  checkAppConnection,
  checkpointDirProblem,
  databaseUrlProblem,
  describeDatabaseError,
  describeMigrationError,
  portProblem,
  refuse,
  StartupError,
  withDatabase,
} from "./lib/startup-checks.ts";
import { firstHostUrl } from "../lib/domain/database-url.ts";

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
loadEnvironmentFile();

const dev = process.argv.includes("--dev");
const log = (line: string) => console.log(`[console] ${line}`);
/** A variable's value; empty counts as unset, as lib/env.ts counts it. */
const setting = (name: string) => process.env[name] || undefined;
const port = setting("PORT") ?? "3000";
const EXTERNAL_DATABASE = 'README.md, "On an external PostgreSQL"';

let embedded: EmbeddedServer | null = null;
const externalUrl = setting("DATABASE_URL");
const migrationUrl = setting("MIGRATION_DATABASE_URL");
const databaseDir = externalUrl
  ? null
  : path.resolve(setting("EMBEDDED_PG_DIR") ?? ".data/postgres");
const pgPort = Number(setting("EMBEDDED_PG_PORT") ?? 54329);
const ephemeral = process.env.EMBEDDED_PG_EPHEMERAL === "1";
/** Several instances behind nginx on PORT, one per port listed (empty: one server on PORT). */
const instancePorts = (setting("CONSOLE_INSTANCE_PORTS") ?? "")
  .split(",")
  .map((value) => value.trim())
  .filter(Boolean);

// 1. The configuration, all of it checked before anything starts.
if (databaseDir) prepareDemoFiles(databaseDir);
const env: NodeJS.ProcessEnv = {
  ...process.env,
  // The embedded server's URL (with its password) is set once it runs; this is where it will be.
  DATABASE_URL: externalUrl ?? `postgresql://127.0.0.1:${pgPort}/console`,
  PORT: port,
  NEXTAUTH_URL: setting("NEXTAUTH_URL") ?? `http://localhost:${port}`,
  NEXTAUTH_SECRET:
    setting("NEXTAUTH_SECRET") ?? (databaseDir ? localSecret(".data/nextauth-secret") : undefined),
  DEMO_SIGN_IN: setting("DEMO_SIGN_IN") ?? (databaseDir ? "on" : "off"),
  NEXT_TELEMETRY_DISABLED: setting("NEXT_TELEMETRY_DISABLED") ?? "1",
};
{
  const problems = [
    ...(externalUrl ? externalDatabaseProblems() : []),
    ...configurationProblems(env),
    ...auditKeyProblems(env),
    checkpointDirProblem(env),
    env.DEMO_SIGN_IN !== "on" && !env.SMTP_URL
      ? "SMTP_URL is not set and demo sign-in is off: without it no pass, link or notice would reach anyone. Set SMTP_URL (e.g. smtps://user:password@mail.example.com:465), or DEMO_SIGN_IN=on to try the console with its demo mailbox (never in production)."
      : null,
    await portProblem(port),
    ...(await Promise.all(
      instancePorts.map(async (value) =>
        (await portProblem(value))?.replace(/^PORT/, "CONSOLE_INSTANCE_PORTS: port"),
      ),
    )),
  ].filter((problem): problem is string => Boolean(problem));
  if (problems.length > 0) refuse(problems);
}

try {
  await run();
} catch (error) {
  if (!(error instanceof StartupError)) {
    await stopEmbedded();
    throw error;
  }
  console.error(error.message);
  await shutdown(error.exitCode);
}

async function run() {
  // 2. The database: started (embedded), reached, migrated as the owner, then the app's role.
  let databaseUrl: string;
  if (databaseDir) {
    if (ephemeral) rmSync(databaseDir, { recursive: true, force: true });
    log(`starting embedded PostgreSQL in ${path.relative(root, databaseDir)}`);
    embedded = await startEmbeddedPostgres({
      dataDir: databaseDir,
      port: pgPort,
      persistent: !ephemeral,
      log: process.env.EMBEDDED_PG_LOG === "1" ? console.log : undefined,
    }).catch((error: unknown) => {
      const reason = (error instanceof Error ? error.message : String(error ?? ""))
        .replace(/\s+/g, " ")
        .trim();
      throw new StartupError(
        `Embedded PostgreSQL did not start on port ${pgPort}${reason ? ` (${reason})` : ""}: is the console already running? Set EMBEDDED_PG_PORT to use another port, or EMBEDDED_PG_LOG=1 to see the server's log.`,
      );
    });
    await ensureDatabase(embedded.url("postgres"), "console");
    databaseUrl = embedded.url("console");
  } else {
    databaseUrl = externalUrl!;
  }

  const owner = databaseDir
    ? { variable: "the embedded database", url: databaseUrl }
    : { variable: "MIGRATION_DATABASE_URL", url: migrationUrl! };
  // Reached and logged in to first, with a timeout: a wrong password or host is one line.
  await withDatabase(owner.variable, owner.url, async () => {});
  let applied: string[];
  try {
    applied = await applyMigrations(owner.url, log);
  } catch (error) {
    throw new StartupError(describeMigrationError(error, owner.variable, owner.url));
  }
  log(applied.length ? `applied ${applied.length} migration(s)` : "database schema is up to date");

  if (embedded) {
    // The console itself connects as a non-owner role that can only append to the audit trail.
    const password = localSecret(".data/console_app.password");
    await ensureAppRole(databaseUrl, password);
    databaseUrl = asAppRole(databaseUrl, password);
  } else {
    try {
      await grantAppRole(owner.url);
    } catch (error) {
      throw new StartupError(
        (error as { code?: string }).code
          ? describeDatabaseError(error, owner.variable, owner.url)
          : `${owner.variable}: ${(error as Error).message}`,
      );
    }
  }
  await checkAppConnection(databaseUrl);
  env.DATABASE_URL = databaseUrl;
  warnAboutKeyPlacement(databaseDir, databaseUrl);
  if (!databaseDir && !env.AUDIT_SIGNING_KEY_FILE)
    log(
      "WARNING: AUDIT_SIGNING_KEY_FILE is not set: the audit log gets no signed checkpoints and the verification worker cannot run (npm run keys:generate -- <folder> makes the checkpoint key).",
    );

  // A log written in format v1 (a hash chain) is sealed into the v2 log once, before serving.
  {
    const client = createDb(databaseUrl);
    const sealed = await sealV1Log(client);
    if (sealed === "sealed") log("sealed the v1 audit chain into the v2 log");
    await client.$disconnect();
  }

  if (embedded) {
    const client = createDb(databaseUrl);
    const result = await seedDemo(client);
    if (result.seeded)
      log(`loaded the demo organisation: ${result.users} workforce users, ${result.staff} staff`);
    await client.$disconnect();
  }

  const publicUrl = new URL(env.NEXTAUTH_URL!);
  if (
    /^(localhost|127\.0\.0\.1|\[::1\])$/.test(publicUrl.hostname) &&
    (publicUrl.port || (publicUrl.protocol === "https:" ? "443" : "80")) !== port
  )
    log(
      `WARNING: NEXTAUTH_URL is ${publicUrl.origin} but the console listens on PORT ${port}: forms sent from any other address than NEXTAUTH_URL are refused, so set the two to match.`,
    );
  if (env.DEMO_SIGN_IN === "on" && !embedded) {
    log(
      "WARNING: demo sign-in is ON with an external database: anyone can sign in as any staff member.",
    );
  }

  // 3. The build, then the server and the verification worker.
  if (!dev && buildIsStale(root)) {
    log("building the console (next build)…");
    const build = spawnSync("npm", ["run", "build"], { stdio: "inherit", env });
    if (build.status !== 0) await shutdown(build.status ?? 1);
  }
  await serve();
}

async function serve() {
  log(`console on ${env.NEXTAUTH_URL}${env.DEMO_SIGN_IN === "on" ? " (demo sign-in on)" : ""}`);
  // The console's own server (Next behind the edge, scripts/server.ts) as a direct child, with tsx's
  // loader in the same process (not through npx or tsx's CLI), so signals reach it and it exits with us.
  // With CONSOLE_INSTANCE_PORTS, one per port, and nginx on PORT once every one listens.
  const servers = (instancePorts.length > 0 ? instancePorts : [port]).map((serverPort) =>
    spawn(
      process.execPath,
      ["--import", "tsx/esm", path.join(root, "scripts", "server.ts"), ...(dev ? ["--dev"] : [])],
      {
        stdio: "inherit",
        env: { ...env, PORT: serverPort, NODE_ENV: dev ? "development" : "production" },
      },
    ),
  );
  let balancer: RunningNginx | null = null;
  // The verification worker (docs/decisions/020) beside it, a process of its own: verifying a large
  // log must never stall the web server. Restarted if it stops; it exits with the console.
  let worker: ReturnType<typeof spawn> | null = null;
  let stopping = false;
  const startWorker = () => {
    worker = spawn(
      process.execPath,
      ["--import", "tsx/esm", path.join(root, "scripts", "audit-worker.ts")],
      {
        stdio: "inherit",
        env: { ...env, NODE_ENV: "production" },
      },
    );
    worker.on("exit", (code) => {
      if (stopping) return;
      if (code === 2) {
        log("the audit worker cannot run (see above): full verifications asked for will wait");
        return;
      }
      log(`the audit worker stopped (exit ${code}); starting it again in 10 s`);
      setTimeout(startWorker, 10_000).unref();
    });
  };
  if (process.env.AUDIT_WORKER !== "off") startWorker();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.on(signal, () => {
      stopping = true;
      worker?.kill(signal);
      for (const server of servers) server.kill(signal);
    });
  }
  // One server stopping stops the console (the others, nginx and the worker with it).
  for (const server of servers)
    server.on("exit", (code) => {
      if (stopping && servers.some((other) => other.exitCode === null)) return;
      stopping = true;
      worker?.kill("SIGTERM");
      for (const other of servers) if (other !== server) other.kill("SIGTERM");
      void (balancer?.stop() ?? Promise.resolve()).finally(() => void shutdown(code ?? 0));
    });
  if (instancePorts.length > 0) {
    for (const instancePort of instancePorts)
      while (!stopping && !(await listening(Number(instancePort))))
        await new Promise((resolve) => setTimeout(resolve, 250));
    if (stopping) return;
    balancer = await startNginx({
      port: Number(port),
      dir: setting("CONSOLE_NGINX_DIR") && path.resolve(setting("CONSOLE_NGINX_DIR")!),
      instances: instancePorts.map((instancePort) => ({
        host: "127.0.0.1",
        port: Number(instancePort),
      })),
    });
    log(
      `nginx on port ${port} in front of ${instancePorts.length} instances (ports ${instancePorts.join(", ")}); access log ${balancer.accessLog}`,
    );
  }
}

/** What an external database needs besides the console's own variables. */
function externalDatabaseProblems(): string[] {
  if (!migrationUrl)
    return [
      `MIGRATION_DATABASE_URL is not set: with an external DATABASE_URL the console migrates the database as the role that owns it, then connects as ${APP_ROLE}. Set MIGRATION_DATABASE_URL=postgresql://<owner>:<password>@<host>:<port>/<database> (${EXTERNAL_DATABASE}).`,
    ];
  const problem = databaseUrlProblem("MIGRATION_DATABASE_URL", migrationUrl);
  return problem ? [problem] : [];
}

/**
 * The demo's audit keys are generated once into .data/ (the database never sees them): the event
 * key signs every audit event, the checkpoint key signs the log's checkpoints (docs/decisions/017).
 */
function prepareDemoFiles(databaseDir: string) {
  mkdirSync(".data", { recursive: true });
  for (const [name, publicName] of [
    ["audit-event-key.pem", null],
    ["audit-signing-key.pem", "audit-public-key.pem"],
  ] as const) {
    if (existsSync(`.data/${name}`)) continue;
    const { privatePem, publicPem } = ed25519KeyPair();
    writeFileSync(`.data/${name}`, privatePem, { mode: 0o600 });
    if (publicName) writeFileSync(`.data/${publicName}`, publicPem);
  }
  process.env.AUDIT_EVENT_KEY_FILE ||= path.resolve(".data/audit-event-key.pem");
  process.env.AUDIT_SIGNING_KEY_FILE ||= path.resolve(".data/audit-signing-key.pem");
  process.env.AUDIT_PUBLIC_KEY_FILE ||= path.resolve(".data/audit-public-key.pem");
  // The Shared Signals signing key (RSA for RS256, decision 034), its own file.
  if (!existsSync(".data/ssf-signing-key.pem"))
    writeFileSync(".data/ssf-signing-key.pem", ssfSigningKey(), { mode: 0o600 });
  process.env.SSF_SIGNING_KEY_FILE ||= path.resolve(".data/ssf-signing-key.pem");
  // An ephemeral database (the browser tests) gets checkpoints that go with it.
  const ephemeralCheckpoints = `${databaseDir}-checkpoints`;
  if (ephemeral && !setting("AUDIT_CHECKPOINT_DIR")) {
    rmSync(ephemeralCheckpoints, { recursive: true, force: true });
    process.env.AUDIT_CHECKPOINT_DIR = ephemeralCheckpoints;
  }
  process.env.AUDIT_CHECKPOINT_DIR ||= path.resolve(".data/audit-checkpoints");
}

async function shutdown(code: number): Promise<never> {
  await stopEmbedded();
  process.exit(code);
}

async function stopEmbedded() {
  await embedded?.stop().catch(() => {});
}

async function ensureDatabase(adminUrl: string, name: string) {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (!rowCount) await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
}

/** A random secret kept in .data/ for the embedded demo, so sessions survive restarts. */
function localSecret(file: string): string {
  if (existsSync(file)) return readFileSync(file, "utf8").trim();
  const secret = randomBytes(32).toString("base64url");
  writeFileSync(file, secret + "\n", { mode: 0o600 });
  return secret;
}

/**
 * The event and checkpoint keys and the checkpoint directory are what an attacker who owns the
 * database must not also own: warn when they sit on the database's volume (the embedded demo) or
 * on the database's host (an external database on localhost). Decision 017.
 */
function warnAboutKeyPlacement(databaseDir: string | null, databaseUrl: string) {
  const places = [
    ["AUDIT_EVENT_KEY_FILE", process.env.AUDIT_EVENT_KEY_FILE],
    ["AUDIT_SIGNING_KEY_FILE", process.env.AUDIT_SIGNING_KEY_FILE],
    ["AUDIT_CHECKPOINT_DIR", process.env.AUDIT_CHECKPOINT_DIR],
  ] as const;
  const device = (p: string) => (existsSync(p) ? statSync(p).dev : null);
  const localDatabase =
    !databaseDir && /^(localhost|127\.|\[::1\])/.test(new URL(firstHostUrl(databaseUrl)).hostname);
  const beside = places
    .filter(([, place]) => place && !/^https?:/.test(place))
    .filter(([, place]) =>
      databaseDir
        ? device(path.dirname(path.resolve(place!))) === device(path.dirname(databaseDir))
        : localDatabase,
    )
    .map(([name]) => name);
  if (beside.length > 0)
    log(
      `WARNING: ${beside.join(", ")} ${databaseDir ? "on the database's volume" : "on the database's host"}: whoever takes the database host takes the audit keys and checkpoints too. Keep them on another volume or machine in production.`,
    );
}
