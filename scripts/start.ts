/**
 * `npm start` (production build) and `npm run dev` (development build): the one way to run the
 * console. It prepares the database, then runs the console's server (scripts/server.ts: Next.js
 * behind the edge that owns the client address, body limits and malformed requests).
 *
 * - DATABASE_URL set: use that PostgreSQL server. Unset: start an embedded PostgreSQL server
 *   with its data in .data/ (git-ignored), created on first start and reused afterwards.
 * - Apply pending migrations (scripts/lib/migrations.ts); on the embedded database, load the
 *   demo organisation the first time and turn demo sign-in on unless DEMO_SIGN_IN says otherwise.
 * - `npm start` builds first when the build is missing or older than the sources.
 * - Beside the server, the verification worker (scripts/audit-worker.ts) runs as a process of its
 *   own; AUDIT_WORKER=off leaves it out (run it elsewhere, e.g. on another machine).
 *
 * Tooling reads its own environment variables; the app's are validated in lib/env.ts.
 */
import { spawn, spawnSync } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { seedDemo } from "../prisma/seed.ts";
import { sealV1Log } from "../lib/server/seal-v1-log.ts";
import { createDb } from "../lib/create-db.ts";
import { startEmbeddedPostgres, type EmbeddedServer } from "./lib/embedded-postgres.ts";
import { applyMigrations } from "./lib/migrations.ts";
import { asAppRole, ensureAppRole, grantAppRole } from "./lib/app-role.ts";
import { buildIsStale } from "./lib/build.ts";

const root = path.resolve(import.meta.dirname, "..");
process.chdir(root);
if (existsSync(".env")) process.loadEnvFile(".env");

const dev = process.argv.includes("--dev");
const log = (line: string) => console.log(`[console] ${line}`);
const port = process.env.PORT ?? "3000";

let embedded: EmbeddedServer | null = null;
let databaseDir: string | null = null;
let databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) {
  const dataDir = path.resolve(process.env.EMBEDDED_PG_DIR ?? ".data/postgres");
  databaseDir = dataDir;
  const ephemeral = process.env.EMBEDDED_PG_EPHEMERAL === "1";
  if (ephemeral) rmSync(dataDir, { recursive: true, force: true });
  log(`starting embedded PostgreSQL in ${path.relative(root, dataDir)}`);
  const pgPort = Number(process.env.EMBEDDED_PG_PORT ?? 54329);
  embedded = await startEmbeddedPostgres({
    dataDir,
    port: pgPort,
    persistent: !ephemeral,
    log: process.env.EMBEDDED_PG_LOG === "1" ? console.log : undefined,
  }).catch((error: unknown) => {
    console.error(
      `Embedded PostgreSQL did not start on port ${pgPort}. Is the console already running? ` +
        `Set EMBEDDED_PG_PORT to use another port, or EMBEDDED_PG_LOG=1 to see the server's log.`,
      error ?? "",
    );
    process.exit(1);
  });
  await ensureDatabase(embedded.url("postgres"), "console");
  databaseUrl = embedded.url("console");
}

const applied = await applyMigrations(
  embedded ? databaseUrl : process.env.MIGRATION_DATABASE_URL || databaseUrl,
  log,
);
log(applied.length ? `applied ${applied.length} migration(s)` : "database schema is up to date");

if (!embedded && process.env.MIGRATION_DATABASE_URL)
  await grantAppRole(process.env.MIGRATION_DATABASE_URL);

if (embedded) {
  // The console itself connects as a non-owner role that can only append to the audit trail.
  const password = localSecret(".data/console_app.password");
  await ensureAppRole(databaseUrl, password);
  databaseUrl = asAppRole(databaseUrl, password);
}

// The demo's audit keys are generated once into .data/ (the database never sees them): the event
// key signs every audit event, the checkpoint key signs the log's checkpoints (docs/decisions/017).
if (embedded) {
  for (const [name, publicName] of [
    ["audit-event-key.pem", null],
    ["audit-signing-key.pem", "audit-public-key.pem"],
  ] as const) {
    if (existsSync(`.data/${name}`)) continue;
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    writeFileSync(`.data/${name}`, privateKey.export({ type: "pkcs8", format: "pem" }), {
      mode: 0o600,
    });
    if (publicName)
      writeFileSync(`.data/${publicName}`, publicKey.export({ type: "spki", format: "pem" }));
  }
  process.env.AUDIT_EVENT_KEY_FILE ??= path.resolve(".data/audit-event-key.pem");
  process.env.AUDIT_SIGNING_KEY_FILE ??= path.resolve(".data/audit-signing-key.pem");
  process.env.AUDIT_PUBLIC_KEY_FILE ??= path.resolve(".data/audit-public-key.pem");
  // An ephemeral database (the browser tests) gets checkpoints that go with it.
  const ephemeralCheckpoints = `${databaseDir}-checkpoints`;
  if (process.env.EMBEDDED_PG_EPHEMERAL === "1" && !process.env.AUDIT_CHECKPOINT_DIR) {
    rmSync(ephemeralCheckpoints, { recursive: true, force: true });
    process.env.AUDIT_CHECKPOINT_DIR = ephemeralCheckpoints;
  }
  process.env.AUDIT_CHECKPOINT_DIR ??= path.resolve(".data/audit-checkpoints");
}
if (!process.env.AUDIT_EVENT_KEY_FILE) {
  console.error(
    "AUDIT_EVENT_KEY_FILE is required with an external DATABASE_URL: the Ed25519 key that signs every audit event (see README.md).",
  );
  await shutdown(2);
}
warnAboutKeyPlacement(databaseDir);

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

const env: NodeJS.ProcessEnv = {
  ...process.env,
  DATABASE_URL: databaseUrl,
  PORT: port,
  NEXTAUTH_URL: process.env.NEXTAUTH_URL ?? `http://localhost:${port}`,
  NEXTAUTH_SECRET:
    process.env.NEXTAUTH_SECRET ?? (embedded ? localSecret(".data/nextauth-secret") : undefined),
  DEMO_SIGN_IN: process.env.DEMO_SIGN_IN ?? (embedded ? "on" : "off"),
  NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? "1",
};
if (!env.NEXTAUTH_SECRET) {
  console.error("NEXTAUTH_SECRET is required with an external DATABASE_URL (see README.md).");
  await shutdown(2);
}
if (env.DEMO_SIGN_IN !== "on" && !env.SMTP_URL) {
  console.error(
    "SMTP_URL is required when demo sign-in is off: without it no pass, link or notice would reach anyone (the demo mailbox exists only in the demo).",
  );
  await shutdown(2);
}
if (env.DEMO_SIGN_IN === "on" && !embedded) {
  log(
    "WARNING: demo sign-in is ON with an external database: anyone can sign in as any staff member.",
  );
}

if (!dev && buildIsStale(root)) {
  log("building the console (next build)…");
  const build = spawnSync("npm", ["run", "build"], { stdio: "inherit", env });
  if (build.status !== 0) await shutdown(build.status ?? 1);
}

log(`console on ${env.NEXTAUTH_URL}${env.DEMO_SIGN_IN === "on" ? " (demo sign-in on)" : ""}`);
// The console's own server (Next behind the edge, scripts/server.ts) as a direct child, with tsx's
// loader in the same process (not through npx or tsx's CLI), so signals reach it and it exits with us.
const server = spawn(
  process.execPath,
  ["--import", "tsx/esm", path.join(root, "scripts", "server.ts"), ...(dev ? ["--dev"] : [])],
  { stdio: "inherit", env: { ...env, NODE_ENV: dev ? "development" : "production" } },
);
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
    server.kill(signal);
  });
}
server.on("exit", (code) => {
  stopping = true;
  worker?.kill("SIGTERM");
  void shutdown(code ?? 0);
});

async function shutdown(code: number): Promise<never> {
  await embedded?.stop().catch(() => {});
  process.exit(code);
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
function warnAboutKeyPlacement(databaseDir: string | null) {
  const places = [
    ["AUDIT_EVENT_KEY_FILE", process.env.AUDIT_EVENT_KEY_FILE],
    ["AUDIT_SIGNING_KEY_FILE", process.env.AUDIT_SIGNING_KEY_FILE],
    ["AUDIT_CHECKPOINT_DIR", process.env.AUDIT_CHECKPOINT_DIR],
  ] as const;
  const device = (p: string) => (existsSync(p) ? statSync(p).dev : null);
  const localDatabase =
    !databaseDir && /^(localhost|127\.|\[::1\])/.test(new URL(databaseUrl!).hostname);
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
