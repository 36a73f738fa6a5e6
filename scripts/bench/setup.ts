/**
 * What `npm run benchmark` needs before it measures, made if missing: a database with the scale
 * data (100,000 workforce users and 1,000,000 audit events by default, BENCH_USERS and
 * BENCH_EVENTS), and, for the sections over HTTP, the production build served by the console's
 * own server over that database, with a security reviewer's session.
 *
 * With DATABASE_URL set (the owner's connection: the benchmark creates scratch databases), that
 * server is used; otherwise an embedded PostgreSQL keeps the benchmark's data in
 * .data/bench-postgres (kept between runs: loading the scale data takes minutes) with its own
 * audit keys in .data/bench/.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { createHash, generateKeyPairSync, randomBytes } from "node:crypto";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import pg from "pg";
import { createDb } from "../../lib/create-db.ts";
import { seedDemo } from "../../prisma/seed.ts";
import { asAppRole, ensureAppRole } from "../lib/app-role.ts";
import { buildIsStale } from "../lib/build.ts";
import { startEmbeddedPostgres, type EmbeddedServer } from "../lib/embedded-postgres.ts";
import { SCALE_SWITCHBOARD, scalePhoneSql } from "../lib/scale-phones.ts";
import { applyMigrations } from "../lib/migrations.ts";
import type { BenchContext } from "./common.ts";

const root = path.resolve(import.meta.dirname, "../..");
const say = (line: string) => console.log(`[benchmark] ${line}`);

export type PrepareOptions = {
  http: boolean;
  /**
   * The ports of the consoles to serve (each its own scripts/server.ts over the same database);
   * default one, on BENCH_PORT or 3391. ctx.baseUrl is the first.
   */
  ports?: number[];
  /** Where the embedded PostgreSQL keeps its data (default .data/bench-postgres) and its port. */
  dataDir?: string;
  pgPort?: number;
  /** The benchmark's audit keys and checkpoints (default .data/bench): one set per database. */
  keysDir?: string;
  /** How much scale data to load (default BENCH_USERS, BENCH_EVENTS or 100,000 and 1,000,000). */
  scale?: { users: number; events: number };
  /** More environment for the consoles (e.g. a longer step-up window). */
  serverEnv?: Record<string, string>;
};

export type Prepared = {
  ctx: BenchContext;
  /** Every console's base URL, in the order of `ports`. */
  consoles: string[];
  stop: () => Promise<void>;
};

export async function prepare(options: PrepareOptions): Promise<Prepared> {
  let embedded: EmbeddedServer | null = null;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const dataDir = options.dataDir ?? path.join(root, ".data/bench-postgres");
    say(`starting the benchmark's embedded PostgreSQL in ${path.relative(root, dataDir)}`);
    embedded = await startEmbeddedPostgres({
      dataDir,
      // Not the browser tests' 54339: a benchmark left running must not hold their port.
      port: options.pgPort ?? Number(process.env.BENCH_PG_PORT ?? 54349),
      persistent: true,
      // The write benchmark opens up to 64 connections per path, beside the console's pool.
      settings: { max_connections: "300" },
    });
    const admin = new pg.Client({ connectionString: embedded.url("postgres") });
    await admin.connect();
    const { rowCount } = await admin.query("SELECT 1 FROM pg_database WHERE datname = 'console'");
    if (!rowCount) await admin.query(`CREATE DATABASE console`);
    await admin.end();
    databaseUrl = embedded.url("console");
    takeBenchKeys(options.keysDir ?? path.join(root, ".data/bench"));
  }
  try {
    return await prepareOn(databaseUrl, embedded, options);
  } catch (error) {
    // Never leave the embedded server running behind a failed preparation.
    await embedded?.stop().catch(() => {});
    throw error;
  }
}

async function prepareOn(
  databaseUrl: string,
  embedded: EmbeddedServer | null,
  options: PrepareOptions,
): Promise<Prepared> {
  await applyMigrations(databaseUrl);
  const db = createDb(databaseUrl);
  if ((await db.staff.count()) === 0) {
    const seeded = await seedDemo(db);
    say(`loaded the demo organisation (staff to sign in as): ${seeded.users} users`);
  }
  await loadScaleData(db, databaseUrl, options.scale);

  const servers: ChildProcess[] = [];
  const consoles: string[] = [];
  let cookie: string | null = null;
  const stopServers = async () => {
    await Promise.all(
      servers.map(async (server) => {
        if (server.exitCode !== null || server.signalCode !== null) return;
        const exited = new Promise((resolve) => server.once("exit", resolve));
        server.kill("SIGTERM");
        await exited;
      }),
    );
  };
  if (options.http) {
    if (buildIsStale(root)) {
      say("building the console (next build)…");
      const build = spawnSync("npm", ["run", "build"], { stdio: "inherit", cwd: root });
      if (build.status !== 0) throw new Error("the build failed");
    }
    let appUrl = databaseUrl;
    if (embedded) {
      // As in production: the console connects as the application role, not the owner.
      const password = randomBytes(18).toString("base64url");
      await ensureAppRole(databaseUrl, password);
      appUrl = asAppRole(databaseUrl, password);
    }
    // Every instance signs sessions with the same secret, as behind a load balancer.
    const secret = randomBytes(32).toString("base64url");
    for (const port of options.ports ?? [Number(process.env.BENCH_PORT ?? 3391)]) {
      const baseUrl = `http://localhost:${port}`;
      servers.push(
        spawn(process.execPath, ["--import", "tsx/esm", path.join(root, "scripts/server.ts")], {
          cwd: root,
          stdio: ["ignore", "ignore", "inherit"],
          env: {
            ...process.env,
            NODE_ENV: "production",
            DATABASE_URL: appUrl,
            PORT: String(port),
            NEXTAUTH_URL: baseUrl,
            NEXTAUTH_SECRET: secret,
            DEMO_SIGN_IN: "off",
            NEXT_TELEMETRY_DISABLED: "1",
            ...options.serverEnv,
          },
        }),
      );
      consoles.push(baseUrl);
    }
    try {
      for (const baseUrl of consoles) await waitFor(`${baseUrl}/healthz`, 180_000);
    } catch (error) {
      await stopServers();
      throw error;
    }
    const reviewer = await db.staff.findFirstOrThrow({ where: { role: "SECURITY", active: true } });
    cookie = await benchSession(db, reviewer.id);
    say(`the console serves the production build on ${consoles.join(", ")}`);
  }
  const baseUrl = consoles[0] ?? null;
  return {
    ctx: { databaseUrl, db, baseUrl, cookie },
    consoles,
    stop: async () => {
      await stopServers();
      await db.$disconnect();
      await embedded?.stop();
    },
  };
}

/**
 * A staff session made for the benchmark (as a sign-in would make it), valid two hours; with
 * `verifiedAt`, its step-up (decision 015) counts from then. Returns the cookie header value.
 */
export async function benchSession(
  db: BenchContext["db"],
  staffId: string,
  verifiedAt: Date | null = null,
): Promise<string> {
  const token = randomBytes(32).toString("base64url");
  await db.staffSession.create({
    data: {
      staffId,
      tokenHash: createHash("sha256").update(token).digest("hex"),
      expires: new Date(Date.now() + 2 * 3600_000),
      verifiedAt,
    },
  });
  return `console.session=${token}`;
}

/** The benchmark's own audit keys, made once (the seed signs its events with them). */
function takeBenchKeys(dir: string) {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  for (const [name, publicName] of [
    ["event-key.pem", null],
    ["signing-key.pem", "public-key.pem"],
  ] as const) {
    const file = path.join(dir, name);
    if (existsSync(file)) continue;
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    writeFileSync(file, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
    if (publicName)
      writeFileSync(path.join(dir, publicName), publicKey.export({ type: "spki", format: "pem" }));
  }
  process.env.AUDIT_EVENT_KEY_FILE = path.join(dir, "event-key.pem");
  process.env.AUDIT_SIGNING_KEY_FILE = path.join(dir, "signing-key.pem");
  process.env.AUDIT_PUBLIC_KEY_FILE = path.join(dir, "public-key.pem");
  process.env.AUDIT_CHECKPOINT_DIR = path.join(dir, "checkpoints");
  process.env.AUDIT_LOG_ORIGIN = "benchmark.localhost/audit";
}

/** Tops the data up to BENCH_USERS users and BENCH_EVENTS events (npm run db:seed-scale). */
async function loadScaleData(
  db: BenchContext["db"],
  databaseUrl: string,
  scale?: { users: number; events: number },
) {
  const wantUsers = scale?.users ?? Number(process.env.BENCH_USERS ?? 100_000);
  const wantEvents = scale?.events ?? Number(process.env.BENCH_EVENTS ?? 1_000_000);
  const users = await db.workforceUser.count();
  const events = await db.auditEvent.count();
  const addUsers = Math.max(0, wantUsers - users);
  const addEvents = Math.max(0, wantEvents - events);
  await varyScalePhones(db);
  if (addUsers === 0 && addEvents === 0) return;
  say(
    `loading scale data: ${addUsers.toLocaleString("en")} users and ${addEvents.toLocaleString("en")} events (takes minutes; kept for the next run)`,
  );
  const seed = spawnSync(
    process.execPath,
    [
      "--import",
      "tsx/esm",
      path.join(root, "scripts/seed-scale.ts"),
      String(addUsers),
      String(addEvents),
    ],
    { stdio: "inherit", cwd: root, env: { ...process.env, DATABASE_URL: databaseUrl } },
  );
  if (seed.status !== 0) throw new Error("loading the scale data failed");
}

/**
 * Scale data loaded before its users had phones of their own (all "+44 20 7946 0000") gets the
 * numbers scripts/seed-scale.ts now writes (scripts/lib/scale-phones.ts), once, so the phone
 * searches measure a number that finds one person. Nothing to do on a database loaded since.
 */
async function varyScalePhones(db: BenchContext["db"]) {
  const number = `substr("employeeId", 2)::int`;
  const changed = await db.$executeRawUnsafe(
    `UPDATE "WorkforceUser" SET "phoneOfRecord" = ${scalePhoneSql(number)}
     WHERE "employeeId" ~ '^S[0-9]+$' AND "phoneOfRecord" = '${SCALE_SWITCHBOARD}'
       AND "phoneOfRecord" <> ${scalePhoneSql(number)}`,
  );
  if (changed > 0) {
    await db.$executeRawUnsafe(`ANALYZE "WorkforceUser"`);
    say(`gave ${changed.toLocaleString("en")} scale users the phones seed-scale now writes`);
  }
}

async function waitFor(url: string, ms: number) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${url} did not answer within ${ms / 1000} s`);
}
