/**
 * `npm start` (scripts/start.ts) and `npm run db:deploy` (scripts/migrate.ts) refuse a bad
 * configuration with one line on standard error that names what is wrong and what to do, exit
 * non-zero, and print no stack trace and no password. Each case runs the real script as a child
 * process, as an operator would, against this file's database (tests/setup-db.ts): the owner is
 * the test server's superuser, the application role `console_app`. Every case breaks one thing,
 * so `npm start` never gets as far as building or serving.
 */
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { parseEnv } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import { writeConsoleKeys } from "@/scripts/lib/console-keys";

const root = path.resolve(import.meta.dirname, "../..");
const ownerUrl = process.env.TEST_OWNER_DATABASE_URL!;
const appUrl = process.env.DATABASE_URL!;
const scratch = mkdtempSync(path.join(tmpdir(), "startup-errors-"));
// Others may pass through (one case runs the script as another user); the keys stay 0700 below.
chmodSync(scratch, 0o755);
// The checkout's own .env (a developer's, say) must not leak into these runs.
const emptyEnvFile = path.join(scratch, "empty.env");
writeFileSync(emptyEnvFile, "");

const keys = parseEnv(writeConsoleKeys(path.join(scratch, "keys")).envLines.join("\n"));

/** With a password changed, another database, or another port. */
function changed(url: string, change: { password?: string; database?: string; port?: number }) {
  const next = new URL(url);
  if (change.password) next.password = change.password;
  if (change.database) next.pathname = `/${change.database}`;
  if (change.port) next.port = String(change.port);
  return next.toString();
}

const listening: Server[] = [];
/** A port nothing listens on (or, with keep, one this process holds). */
function freePort(keep = false): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, () => {
      const port = (probe.address() as { port: number }).port;
      if (keep) {
        listening.push(probe);
        resolve(port);
      } else probe.close(() => resolve(port));
    });
  });
}
afterAll(() => {
  for (const server of listening) server.close();
});

type Result = { code: number; stdout: string; stderr: string };
type Run = { uid?: number; gid?: number };

function run(script: string, env: Record<string, string>, as: Run = {}): Promise<Result> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ["--import", "tsx", script],
      {
        cwd: root,
        env: {
          NODE_ENV: "production",
          PATH: process.env.PATH,
          TMPDIR: tmpdir(),
          CONSOLE_ENV_FILE: emptyEnvFile,
          ...env,
        },
        timeout: 90_000,
        ...as,
      },
      (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
    );
  });
}

/** An external-database configuration with nothing wrong but what a case changes. */
async function external(change: Record<string, string | undefined> = {}) {
  const env: Record<string, string | undefined> = {
    DATABASE_URL: appUrl,
    MIGRATION_DATABASE_URL: ownerUrl,
    NEXTAUTH_URL: "http://localhost:3000",
    NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
    SMTP_URL: "smtp://127.0.0.1:2525",
    PORT: String(await freePort()),
    AUDIT_CHECKPOINT_DIR: path.join(scratch, "checkpoints"),
    AUDIT_WORKER: "off",
    ...keys,
    ...change,
  };
  return Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/** Exactly one line on standard error, with each fragment; no stack trace; no secret. */
function expectOneLine(result: Result, code: number, fragments: string[], secrets: string[] = []) {
  const lines = result.stderr.trim().split("\n");
  expect(lines, result.stderr).toHaveLength(1);
  for (const fragment of fragments) expect(lines[0]).toContain(fragment);
  expect(result.code).toBe(code);
  const output = result.stdout + result.stderr;
  expect(output).not.toMatch(/^\s+at /m);
  expect(output).not.toMatch(/Error:|\bthrow\b/);
  for (const secret of secrets) expect(output).not.toContain(secret);
}

const start = (env: Record<string, string>, as?: Run) => run("scripts/start.ts", env, as);
const deploy = (env: Record<string, string>) => run("scripts/migrate.ts", env);

describe("npm start with an external database refuses, in one line", () => {
  it("no owner's connection (MIGRATION_DATABASE_URL unset)", async () => {
    const result = await start(await external({ MIGRATION_DATABASE_URL: undefined }));
    expectOneLine(result, 2, [
      "MIGRATION_DATABASE_URL is not set",
      "Set MIGRATION_DATABASE_URL=postgresql://<owner>:<password>@<host>:<port>/<database>",
      'README.md, "On an external PostgreSQL"',
    ]);
  }, 60_000);

  it("a wrong password for the owner", async () => {
    const wrong = "not-the-owners-password";
    const result = await start(
      await external({ MIGRATION_DATABASE_URL: changed(ownerUrl, { password: wrong }) }),
    );
    expectOneLine(
      result,
      2,
      [
        "MIGRATION_DATABASE_URL: PostgreSQL at 127.0.0.1:",
        'refused the password of role "postgres"',
      ],
      [wrong],
    );
  }, 60_000);

  it("a wrong password for the application role", async () => {
    const wrong = "not-the-apps-password";
    const result = await start(
      await external({ DATABASE_URL: changed(appUrl, { password: wrong }) }),
    );
    expectOneLine(
      result,
      2,
      ["DATABASE_URL: PostgreSQL at 127.0.0.1:", 'refused the password of role "console_app"'],
      [wrong],
    );
  }, 60_000);

  it("a database server that is not there", async () => {
    const port = await freePort();
    const result = await start(
      await external({ MIGRATION_DATABASE_URL: changed(ownerUrl, { port }) }),
    );
    expectOneLine(result, 2, [
      `MIGRATION_DATABASE_URL: nothing accepts connections at 127.0.0.1:${port}`,
      "start PostgreSQL there, or fix the host and port",
    ]);
  }, 60_000);

  it("a database that does not exist", async () => {
    const result = await start(
      await external({
        MIGRATION_DATABASE_URL: changed(ownerUrl, { database: "no_such_console" }),
      }),
    );
    expectOneLine(result, 2, [
      'MIGRATION_DATABASE_URL: database "no_such_console" does not exist',
      "create it",
    ]);
  }, 60_000);

  it("an owner's connection that cannot change the schema", async () => {
    const result = await start(await external({ MIGRATION_DATABASE_URL: appUrl }));
    expectOneLine(result, 2, [
      'MIGRATION_DATABASE_URL: role "console_app" may not change the schema',
      "set MIGRATION_DATABASE_URL to the role that owns the database",
    ]);
  }, 60_000);

  it("a console that would connect as a superuser or the tables' owner", async () => {
    const result = await start(await external({ DATABASE_URL: ownerUrl }));
    expectOneLine(result, 2, [
      'DATABASE_URL connects as "postgres", which is a superuser',
      "the console must connect as console_app",
    ]);
  }, 60_000);
});

describe("npm start refuses a misconfiguration before it touches the database, in one line", () => {
  it("no event key (AUDIT_EVENT_KEY_FILE unset)", async () => {
    const result = await start(await external({ AUDIT_EVENT_KEY_FILE: undefined }));
    expectOneLine(result, 2, [
      "AUDIT_EVENT_KEY_FILE is not set",
      "npm run keys:generate -- <folder> makes one",
    ]);
  }, 60_000);

  it("an event key file that is not there", async () => {
    const missing = path.join(scratch, "nowhere", "event-key.pem");
    const result = await start(await external({ AUDIT_EVENT_KEY_FILE: missing }));
    expectOneLine(result, 2, [
      `AUDIT_EVENT_KEY_FILE names ${missing}, which does not exist`,
      "npm run keys:generate",
    ]);
  }, 60_000);

  it("an event key file the console's user cannot read", async () => {
    // Readable keys for everyone else, the event key for its owner only. As root (who reads
    // anything) the script runs as nobody; as anyone else, the file is unreadable to its owner too.
    const folder = path.join(scratch, "unreadable");
    mkdirSync(folder, { mode: 0o755 });
    const readable = parseEnv(writeConsoleKeys(folder).envLines.join("\n"));
    chmodSync(readable.AUDIT_SIGNING_KEY_FILE!, 0o644);
    chmodSync(readable.SSF_SIGNING_KEY_FILE!, 0o644);
    const asRoot = process.getuid?.() === 0;
    chmodSync(readable.AUDIT_EVENT_KEY_FILE!, asRoot ? 0o600 : 0o000);
    const result = await start(
      // No checkpoint folder: the other cases' is their user's alone.
      await external({ ...readable, AUDIT_CHECKPOINT_DIR: undefined }),
      asRoot ? { uid: 65534, gid: 65534 } : {},
    );
    expectOneLine(result, 2, [
      `AUDIT_EVENT_KEY_FILE names ${readable.AUDIT_EVENT_KEY_FILE}, which user`,
      "cannot read: make it readable by the user that runs the console",
    ]);
  }, 60_000);

  it("a key file that holds no key, or not an Ed25519 one", async () => {
    const garbage = path.join(scratch, "not-a-key.pem");
    writeFileSync(garbage, "-----BEGIN NOTHING-----\nhello\n-----END NOTHING-----\n");
    const notAKey = await start(await external({ AUDIT_SIGNING_KEY_FILE: garbage }));
    expectOneLine(notAKey, 2, [
      `AUDIT_SIGNING_KEY_FILE names ${garbage}, which is not a private key (PKCS#8 PEM)`,
    ]);

    const x25519 = path.join(scratch, "x25519.pem");
    const { privateKey } = generateKeyPairSync("x25519");
    writeFileSync(x25519, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    const wrongKind = await start(await external({ AUDIT_EVENT_KEY_FILE: x25519 }));
    expectOneLine(wrongKind, 2, [
      `AUDIT_EVENT_KEY_FILE names ${x25519}, which holds a x25519 key`,
      "the console signs with Ed25519",
    ]);

    // The Shared Signals key signs RS256 (or ES256): an Ed25519 key there is refused too.
    const ssf = await start(await external({ SSF_SIGNING_KEY_FILE: x25519 }));
    expectOneLine(ssf, 2, [
      `SSF_SIGNING_KEY_FILE names ${x25519}, which cannot sign Shared Signals events`,
      "an RSA private key (RS256, 2048 bits or more)",
    ]);
  }, 90_000);

  it("a public key that is not the checkpoint key's", async () => {
    const other = parseEnv(writeConsoleKeys(path.join(scratch, "other")).envLines.join("\n"));
    const result = await start(
      await external({ AUDIT_PUBLIC_KEY_FILE: other.AUDIT_PUBLIC_KEY_FILE }),
    );
    expectOneLine(result, 2, [
      "AUDIT_PUBLIC_KEY_FILE",
      "is not the public half of AUDIT_SIGNING_KEY_FILE",
      "so no checkpoint would verify",
    ]);
  }, 60_000);

  it("no SMTP with demo sign-in off", async () => {
    const result = await start(await external({ SMTP_URL: undefined, DEMO_SIGN_IN: "off" }));
    expectOneLine(result, 2, [
      "SMTP_URL is not set and demo sign-in is off",
      "Set SMTP_URL",
      "or DEMO_SIGN_IN=on",
    ]);
  }, 60_000);

  it("a short NEXTAUTH_SECRET, without repeating it", async () => {
    const result = await start(await external({ NEXTAUTH_SECRET: "short-secret" }));
    expectOneLine(
      result,
      2,
      ["NEXTAUTH_SECRET is not valid (it has fewer than 32 characters)", "openssl rand"],
      ["short-secret"],
    );
  }, 60_000);

  it("single sign-on half configured", async () => {
    const result = await start(await external({ OIDC_ISSUER: "https://login.example.com" }));
    expectOneLine(result, 2, ["OIDC_ISSUER, OIDC_CLIENT_ID and OIDC_CLIENT_SECRET go together"]);
  }, 60_000);

  it("a port another program holds", async () => {
    const port = await freePort(true);
    const result = await start(await external({ PORT: String(port) }));
    expectOneLine(result, 2, [`PORT ${port} is already in use`, "set PORT to a free port"]);
  }, 60_000);

  it("an environment file that is not there", async () => {
    const missing = path.join(scratch, "console.env");
    const result = await start({ ...(await external()), CONSOLE_ENV_FILE: missing });
    expectOneLine(result, 2, [`CONSOLE_ENV_FILE names ${missing}, which does not exist`]);
  }, 60_000);
});

describe("npm run db:deploy", () => {
  it("with no database named, says which variable to set", async () => {
    const result = await deploy({});
    expectOneLine(result, 2, ["Neither MIGRATION_DATABASE_URL nor DATABASE_URL is set"]);
  }, 60_000);

  it("with a wrong password or no server, one line each", async () => {
    const wrong = "not-the-owners-password";
    const badPassword = await deploy({
      MIGRATION_DATABASE_URL: changed(ownerUrl, { password: wrong }),
    });
    expectOneLine(
      badPassword,
      2,
      [
        "MIGRATION_DATABASE_URL: PostgreSQL at 127.0.0.1:",
        'refused the password of role "postgres"',
      ],
      [wrong],
    );
    const port = await freePort();
    const noServer = await deploy({ DATABASE_URL: changed(ownerUrl, { port }) });
    expectOneLine(noServer, 2, [`DATABASE_URL: nothing accepts connections at 127.0.0.1:${port}`]);
  }, 60_000);

  it("as the owner, migrates and grants the application role its rights", async () => {
    const result = await deploy({ MIGRATION_DATABASE_URL: ownerUrl, DATABASE_URL: appUrl });
    expect(result.stderr).toBe("");
    expect(result.stdout).toContain("database is up to date");
    expect(result.stdout).toContain("granted the application role its rights");
    expect(result.code).toBe(0);
  }, 60_000);
});
