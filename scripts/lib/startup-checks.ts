/**
 * What the start script (scripts/start.ts) and the database commands check before they start
 * anything, and how they say what is wrong: one line per problem, naming the variable, what is
 * wrong and what to do, never a stack trace and never a password. The console's own variables
 * are checked by lib/env-schema.ts; these are the things a schema cannot see: files, the port,
 * the database server's answers.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { accessSync, constants, mkdirSync, readFileSync, statSync } from "node:fs";
import { createServer } from "node:net";
import { userInfo } from "node:os";
import path from "node:path";
import type pg from "pg";
import {
  databaseUrlShapeProblem,
  describeHosts,
  firstHostUrl,
  isHostListSyntax,
  parseDatabaseUrl,
} from "../../lib/domain/database-url.ts";
import { pgClient } from "../../lib/pg-connect.ts";
import { ssfAlgorithm } from "../../lib/server/ssf/keys.ts";
import { APP_ROLE } from "./app-role.ts";

/** A refusal to start: its message is the one line to print. */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly exitCode = 2,
  ) {
    super(message);
  }
}

/** Prints the lines to standard error, one each, and exits with `code`. */
export function refuse(lines: string[], code = 2): never {
  for (const line of lines) console.error(line);
  process.exit(code);
}

const EXTERNAL_DATABASE = 'README.md, "On an external PostgreSQL"';

// ---------------------------------------------------------------------------
// Database URLs and the server's answers
// ---------------------------------------------------------------------------

/** A PostgreSQL URL's role, host, port and database, without its password. */
export function databaseWhere(url: string): { role: string; place: string } {
  try {
    const parsed = new URL(firstHostUrl(url));
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, "")) || "(no database)";
    const hosts = isHostListSyntax(url)
      ? describeHosts(parseDatabaseUrl(url).hosts)
      : `${parsed.hostname || "localhost"}:${parsed.port || "5432"}`;
    return {
      role: decodeURIComponent(parsed.username) || "(no role)",
      place: `${hosts}/${database}`,
    };
  } catch {
    return { role: "(unknown role)", place: "(not a URL)" };
  }
}

/** The problem with a connection string before it is used, or null. */
export function databaseUrlProblem(variable: string, url: string | undefined): string | null {
  if (!url) return null;
  if (isHostListSyntax(url)) {
    const problem = databaseUrlShapeProblem(url);
    if (problem)
      return `${variable}: ${problem} (a primary and its standbys: postgresql://<role>:<password>@<primary>:<port>,<standby>:<port>/<database>?target_session_attrs=read-write).`;
  }
  let parsed: URL;
  try {
    parsed = new URL(firstHostUrl(url));
  } catch {
    return `${variable} is not a URL: set it to postgresql://<role>:<password>@<host>:<port>/<database> (percent-encode any of : / @ ? # % in the password).`;
  }
  if (!/^postgres(ql)?:$/.test(parsed.protocol))
    return `${variable} is not a postgresql:// URL: set it to postgresql://<role>:<password>@<host>:<port>/<database>.`;
  if (!parsed.pathname.replace(/^\//, ""))
    return `${variable} names no database: end it with /<database>, e.g. postgresql://<role>:<password>@<host>:5432/console.`;
  return null;
}

type PgFailure = Error & { code?: string; errors?: { code?: string }[] };

/** What went wrong talking to PostgreSQL at `url` (from `variable`), and what to do, in one line. */
export function describeDatabaseError(error: unknown, variable: string, url: string): string {
  const { role, place } = databaseWhere(url);
  const failure = (error ?? {}) as PgFailure;
  const code = failure.code ?? failure.errors?.find((e) => e.code)?.code;
  const message = oneLine(failure.message || String(error));
  const host = place.split("/")[0];
  switch (code) {
    case "28P01":
      return `${variable}: PostgreSQL at ${host} refused the password of role "${role}": put the role's password in ${variable} (percent-encode any of : / @ ? # % in it), or have an administrator set a new one (ALTER ROLE "${role}" PASSWORD '…').`;
    case "28000":
      return /does not exist/.test(message)
        ? `${variable}: role "${role}" does not exist on ${host}: create it (${EXTERNAL_DATABASE}), or fix the role in ${variable}.`
        : `${variable}: PostgreSQL at ${host} does not let role "${role}" in (${message}): allow this machine for that role and database in the server's pg_hba.conf.`;
    case "3D000":
      return `${variable}: database "${place.split("/")[1]}" does not exist on ${host}: create it (${EXTERNAL_DATABASE}), or fix the database name in ${variable}.`;
    case "42501":
      return `${variable}: role "${role}" may not do this on ${place} (${message}): ${variable === "DATABASE_URL" ? `DATABASE_URL must connect as ${APP_ROLE}, and the grants (prisma/app-role.sql) must have been applied by the owner` : "use the role that owns the database"} (${EXTERNAL_DATABASE}).`;
    case "53300":
      return `${variable}: PostgreSQL at ${host} has no free connections (${message}): raise max_connections or lower DATABASE_POOL_SIZE on the consoles that share it.`;
    case "57P03":
      return `${variable}: PostgreSQL at ${host} is starting up or shutting down: start the console again when it is ready.`;
    case "ECONNREFUSED":
      return `${variable}: nothing accepts connections at ${host}: start PostgreSQL there, or fix the host and port in ${variable}.`;
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return `${variable}: the host name in ${host} is not known here: fix the host in ${variable}.`;
    case "ETIMEDOUT":
    case "EHOSTUNREACH":
    case "ENETUNREACH":
      return `${variable}: cannot reach ${host} (${code}): check the host and port in ${variable} and that a firewall lets this machine through.`;
  }
  if (/timeout/i.test(message))
    return `${variable}: no answer from ${host} within ${CONNECT_TIMEOUT_MS / 1000} s: check the host and port in ${variable} and that a firewall lets this machine through.`;
  if (/SSL|TLS|certificate/i.test(message))
    return `${variable}: cannot connect to ${host} over TLS (${message}): check sslmode in ${variable} and the server's certificate.`;
  return `${variable}: cannot use the database ${place} as "${role}" (${message}): check ${variable}.`;
}

const CONNECT_TIMEOUT_MS = 10_000;

/** Connects to `url` and runs `work`; any failure becomes a StartupError naming `variable`. */
export async function withDatabase<T>(
  variable: string,
  url: string,
  work: (client: pg.Client) => Promise<T>,
): Promise<T> {
  const client = pgClient(url, { connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  // An error after connecting (the server going away) must not crash the process unhandled.
  client.on("error", () => {});
  try {
    await client.connect();
    return await work(client);
  } catch (error) {
    if (error instanceof StartupError) throw error;
    throw new StartupError(describeDatabaseError(error, variable, url));
  } finally {
    await client.end().catch(() => {});
  }
}

/** A failed migration run (scripts/lib/migrations.ts), in one line. */
export function describeMigrationError(error: unknown, variable: string, url: string): string {
  const cause = (error as { cause?: unknown }).cause;
  const pgError = (cause ?? error) as PgFailure;
  const { role, place } = databaseWhere(url);
  if (pgError.code === "42501")
    return `${variable}: role "${role}" may not change the schema of ${place} (${oneLine(pgError.message)}): set ${variable} to the role that owns the database (${EXTERNAL_DATABASE}).`;
  if (pgError.code && !cause) return describeDatabaseError(error, variable, url);
  return `Cannot migrate ${place}: ${oneLine((error as Error).message)}`;
}

/**
 * The console's own connection (DATABASE_URL) must reach the migrated tables as the application
 * role, never as their owner or a superuser (docs/security-requirements.md H3): an owner could
 * rewrite the audit trail the console is meant only to append to.
 */
export async function checkAppConnection(url: string): Promise<void> {
  const problem = await withDatabase("DATABASE_URL", url, async (client) => {
    const { rows } = await client.query<{
      role: string;
      superuser: boolean;
      owner: boolean | null;
      reads: boolean | null;
    }>(
      `SELECT current_user AS role, r.rolsuper AS superuser,
              pg_has_role(current_user, c.relowner, 'MEMBER') AS owner,
              has_table_privilege(c.oid, 'SELECT') AS reads
         FROM pg_roles r LEFT JOIN pg_class c ON c.oid = to_regclass('public."AuditEvent"')
        WHERE r.rolname = current_user`,
    );
    const row = rows[0]!;
    const { place } = databaseWhere(url);
    if (row.owner === null)
      return `DATABASE_URL: ${place} has no console tables: DATABASE_URL and MIGRATION_DATABASE_URL must name the same database.`;
    if (row.superuser || row.owner)
      return `DATABASE_URL connects as "${row.role}", which ${row.superuser ? "is a superuser" : "owns the tables"}: the console must connect as ${APP_ROLE}, which may only append to the audit trail; set DATABASE_URL=postgresql://${APP_ROLE}:<password>@… (${EXTERNAL_DATABASE}).`;
    if (!row.reads)
      return `DATABASE_URL connects as "${row.role}", which has no rights on the console's tables: connect as ${APP_ROLE} (prisma/app-role.sql grants its rights; npm start applies it when MIGRATION_DATABASE_URL is set).`;
    return null;
  });
  if (problem) throw new StartupError(problem);
}

// ---------------------------------------------------------------------------
// Key files and the checkpoint folder
// ---------------------------------------------------------------------------

type Env = Record<string, string | undefined>;

const KEY_REMEDY = "npm run keys:generate -- <folder> makes a set";

/** The audit keys are Ed25519: what is wrong with a key that is not, or null. */
function notEd25519(key: KeyObject): string | null {
  return key.asymmetricKeyType === "ed25519"
    ? null
    : `holds a ${key.asymmetricKeyType ?? "non-Ed25519"} key; the console signs with Ed25519`;
}

/** The Shared Signals key is RSA (RS256) or P-256 (ES256), decision 034. */
function notSsfKey(key: KeyObject): string | null {
  const alg = ssfAlgorithm(key);
  return typeof alg === "string" ? null : `cannot sign Shared Signals events: ${alg.refused}`;
}

/** Reads a key file; a problem line instead of an exception. */
function readKey(
  variable: string,
  file: string,
  kind: "private" | "public",
  check: (key: KeyObject) => string | null = notEd25519,
): { key: KeyObject } | { problem: string } {
  const named = `${variable} names ${file}`;
  let pem: string;
  try {
    if (statSync(file).isDirectory())
      return { problem: `${named}, which is a folder: point it at the key's PEM file.` };
    pem = readFileSync(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT")
      return {
        problem: `${named}, which does not exist: fix the path, or make the keys (${KEY_REMEDY}).`,
      };
    if (code === "EACCES")
      return {
        problem: `${named}, which user ${userInfo().username} cannot read: make it readable by the user that runs the console (chown that user, chmod 600).`,
      };
    return { problem: `${named}, which cannot be read (${code ?? (error as Error).message}).` };
  }
  let key: KeyObject;
  try {
    key = kind === "private" ? createPrivateKey(pem) : createPublicKey(pem);
  } catch {
    return {
      problem: `${named}, which is not ${kind === "private" ? "a private key (PKCS#8 PEM)" : "a public key (SPKI PEM)"}: point it at the right file (${KEY_REMEDY}).`,
    };
  }
  const wrong = check(key);
  if (wrong) return { problem: `${named}, which ${wrong} (${KEY_REMEDY}).` };
  return { key };
}

/**
 * Every configured key file must be there and readable; the audit keys Ed25519 with matching
 * halves, the Shared Signals key RSA or P-256.
 */
export function auditKeyProblems(env: Env): string[] {
  const problems: string[] = [];
  const load = (
    variable: string,
    kind: "private" | "public",
    file = env[variable],
    check = notEd25519,
  ) => {
    if (!file) return null;
    const result = readKey(variable, path.resolve(file), kind, check);
    if ("problem" in result) {
      problems.push(result.problem);
      return null;
    }
    return result.key;
  };
  load("AUDIT_EVENT_KEY_FILE", "private");
  const signing = load("AUDIT_SIGNING_KEY_FILE", "private");
  const published = load("AUDIT_PUBLIC_KEY_FILE", "public");
  for (const file of (env.AUDIT_EVENT_PUBLIC_KEY_FILES ?? "").split(",")) {
    if (file.trim()) load("AUDIT_EVENT_PUBLIC_KEY_FILES", "public", file.trim());
  }
  load("SSF_SIGNING_KEY_FILE", "private", env.SSF_SIGNING_KEY_FILE, notSsfKey);
  if (signing && published) {
    const der = (key: KeyObject) => key.export({ type: "spki", format: "der" });
    if (!der(createPublicKey(signing)).equals(der(published)))
      problems.push(
        `AUDIT_PUBLIC_KEY_FILE (${env.AUDIT_PUBLIC_KEY_FILE}) is not the public half of AUDIT_SIGNING_KEY_FILE (${env.AUDIT_SIGNING_KEY_FILE}), so no checkpoint would verify: point it at the .pub.pem written with the checkpoint key.`,
      );
  }
  return problems;
}

/** A local AUDIT_CHECKPOINT_DIR must be a folder this user can write (created if missing). */
export function checkpointDirProblem(env: Env): string | null {
  const dir = env.AUDIT_CHECKPOINT_DIR;
  if (!dir || /^https?:\/\//.test(dir)) return null;
  const full = path.resolve(dir);
  try {
    mkdirSync(full, { recursive: true, mode: 0o700 });
    if (!statSync(full).isDirectory())
      return `AUDIT_CHECKPOINT_DIR names ${full}, which is a file: point it at a folder (or an http(s) location).`;
    accessSync(full, constants.W_OK);
    return null;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === "EEXIST" || code === "ENOTDIR"
      ? `AUDIT_CHECKPOINT_DIR names ${full}, which is a file: point it at a folder (or an http(s) location).`
      : `AUDIT_CHECKPOINT_DIR names ${full}, which user ${userInfo().username} cannot create or write (${code}): make it writable by the user that runs the console.`;
  }
}

// ---------------------------------------------------------------------------
// The port
// ---------------------------------------------------------------------------

/** Whether the console could listen on PORT (checked before the build, which takes minutes). */
export async function portProblem(value: string): Promise<string | null> {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535)
    return `PORT is not a port number (1 to 65535): set it to the port the console listens on, e.g. 3000.`;
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once("error", (error: NodeJS.ErrnoException) =>
      resolve(
        error.code === "EADDRINUSE"
          ? `PORT ${port} is already in use (another console, or another program): stop it, or set PORT to a free port.`
          : error.code === "EACCES"
            ? `PORT ${port} needs privileges this user lacks: use a port above 1023 (a reverse proxy can serve 443).`
            : `Cannot listen on PORT ${port} (${error.code ?? error.message}): set PORT to another port.`,
      ),
    );
    probe.listen(port, () => probe.close(() => resolve(null)));
  });
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim();
}
