/**
 * Audited writes per second (issue: "a short chain lock"): the product's own write path
 * (revokePasskeys, one passkey.revoked event per transaction, the app's pool of
 * DATABASE_POOL_SIZE connections, in a process of its own: audited-writes-child.ts) at 16 and 64
 * writers, beside a minimal audited transaction (one UPDATE + one event) in v1 (the hash chain
 * with its lock held from first statement to commit) and v2 (the lock for one statement), and
 * the floors: the chained INSERT in plain SQL on one connection, and a plain INSERT with no lock.
 * All in scratch databases made from the migrations and dropped afterwards.
 */
import { spawn } from "node:child_process";
import { randomBytes, randomUUID } from "node:crypto";
import path from "node:path";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient, type Prisma } from "../../generated/prisma/client.ts";
import { parseAuditPayload } from "../../lib/domain/audit-actions.ts";
import { chainHashV1, GENESIS, type ChainedContent } from "../../lib/domain/audit-chain.ts";
import {
  AUDIT_CHAIN_LOCK,
  auditedTransaction,
  recordAudit,
  TRANSACTION_OPTIONS,
  type AuditEventInput,
  type Tx,
} from "../../lib/server/audit.ts";
import { applyMigrations } from "../lib/migrations.ts";
import { databaseCpuReader, fmt, load, median, percentile, type BenchContext } from "./common.ts";

/** The event every benchmark transaction records: a refusal, with a request context, as the console writes them. */
function benchEvent(userId: string): AuditEventInput<"access.denied"> {
  return {
    action: "access.denied",
    outcome: "REFUSED",
    reason: "FORBIDDEN",
    actor: { type: "STAFF", id: STAFF_ID, name: "Priya Shah", role: "AGENT" },
    target: { type: "user", id: userId },
    subjectUserId: userId,
    request: { requestId: randomUUID(), ip: "10.1.2.3" },
    data: { permission: "case.approve", path: `/users/${userId}` },
  };
}
const STAFF_ID = randomUUID();

/**
 * The v1 append as the product did it before format v2 (git show e738301^:lib/server/audit.ts),
 * called first in the caller's transaction: the lock, the chain head, the database clock, the
 * INSERT with the chain hash; the lock is then held through the caller's remaining work and commit.
 */
async function appendV1(tx: Tx, event: AuditEventInput<"access.denied">): Promise<void> {
  const data = parseAuditPayload(event.action, event.data);
  const actor = event.actor;
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(${AUDIT_CHAIN_LOCK})`;
  const [last] = await tx.$queryRaw<
    { hash: string }[]
  >`SELECT hash FROM "AuditEvent" WHERE hash IS NOT NULL ORDER BY id DESC LIMIT 1`;
  const [clock] = await tx.$queryRaw<{ now: Date }[]>`SELECT clock_timestamp() AS now`;
  const createdAt = clock!.now;
  const content: ChainedContent = {
    createdAt: createdAt.toISOString(),
    action: event.action,
    outcome: event.outcome,
    reason: event.reason ?? null,
    actorType: actor.type,
    actorId: actor.type === "STAFF" || actor.type === "WORKFORCE_USER" ? actor.id : null,
    actorName: actor.type === "ANONYMOUS" ? "anonymous" : actor.name,
    actorRole: actor.type === "STAFF" ? actor.role : null,
    targetType: event.target?.type ?? null,
    targetId: event.target?.id ?? null,
    subjectUserId: event.subjectUserId ?? null,
    caseId: event.caseId ?? null,
    requestId: event.request?.requestId ?? null,
    ip: event.request?.ip ?? null,
    data,
  };
  const prevHash = last?.hash ?? GENESIS;
  await tx.auditEvent.create({
    data: {
      ...content,
      formatVersion: 1,
      outcome: event.outcome,
      createdAt,
      data: data as Prisma.InputJsonValue,
      prevHash,
      hash: chainHashV1(prevHash, content),
    },
  });
}

/** The business write each benchmark transaction makes besides its audit event: one user row. */
const businessWrite = (tx: Tx, userId: string) =>
  tx.$executeRaw`UPDATE "WorkforceUser" SET "updatedAt" = clock_timestamp() WHERE id = ${userId}::uuid`;

type WriteRun = {
  perSecond: number;
  latencies: number[];
  failed: number;
  errors: string[];
  /** This process's CPU time over wall time (1 = one core busy): the client's own share. */
  cpu: number;
  /** The database server's CPU seconds per write over the run, when it can be read (product path). */
  dbCpuPerWrite?: number | null;
};

/** Runs `writers` loops for `seconds`, each running `once(writer)` back to back. */
async function runWriters(
  writers: number,
  seconds: number,
  once: (writer: number) => Promise<unknown>,
): Promise<WriteRun> {
  const latencies: number[] = [];
  const errors: string[] = [];
  let failed = 0;
  await Promise.all(Array.from({ length: writers }, (_, w) => once(w).catch(() => {})));
  const begun = performance.now();
  const cpuBefore = process.cpuUsage();
  const deadline = begun + seconds * 1000;
  await Promise.all(
    Array.from({ length: writers }, async (_, w) => {
      while (performance.now() < deadline && failed < 1000) {
        const start = performance.now();
        try {
          await once(w);
          latencies.push(performance.now() - start);
        } catch (error) {
          failed++;
          if (errors.length < 3) errors.push(String(error).slice(0, 200));
        }
      }
    }),
  );
  const elapsed = (performance.now() - begun) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  return {
    perSecond: latencies.length / elapsed,
    latencies,
    failed,
    errors,
    cpu: (cpu.user + cpu.system) / 1e6 / elapsed,
  };
}

function scratchUrlOf(databaseUrl: string, name: string) {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function run(ctx: BenchContext) {
  const scratchUrl = (name: string) => scratchUrlOf(ctx.databaseUrl, name);
  // BENCH_WRITE_PATHS=product runs only the product's path (and the chained INSERT floor).
  const only = process.env.BENCH_WRITE_PATHS;
  const WRITERS = only === "product" ? [] : [1, 4, 16, 64];
  const seconds = Number(process.env.BENCH_WRITE_SECONDS ?? 4);
  const rounds = Number(process.env.BENCH_WRITE_ROUNDS ?? 3);
  const admin = new pg.Client({ connectionString: scratchUrl("postgres") });
  await admin.connect();
  const TEMPLATE = "bench_scratch_template";
  const PATHS = ["v1", "v2", "chain", "nolock", "product"] as const;
  const PRODUCT_WRITERS = [16, 64];
  const names = PATHS.map((path) => `bench_scratch_${path}`);
  const dropAll = async () => {
    for (const name of [...names, TEMPLATE])
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  };
  console.log(
    `\naudited writes per second: one transaction = one UPDATE of a user row + one access.denied event;` +
      `\n  scratch databases made from the migrations (dropped afterwards), one per path, fresh each run;` +
      `\n  pool size = number of writers (each writer holds its own connection), ${rounds} rounds of ${seconds} s, median writes/s,` +
      `\n  latency p50/p95 over all rounds' transactions`,
  );
  try {
    await dropAll();
    await admin.query(`CREATE DATABASE ${TEMPLATE}`);
    await applyMigrations(scratchUrl(TEMPLATE));
    const seed = new pg.Client({ connectionString: scratchUrl(TEMPLATE) });
    await seed.connect();
    await seed.query(
      `INSERT INTO "WorkforceUser" (id, "employeeId", name, department, title, "phoneOfRecord", "riskTier", "webauthnUserId", "updatedAt")
       SELECT gen_random_uuid(), 'B' || lpad(n::text, 2, '0'), 'Bench User ' || n, 'Finance', 'Staff',
         '+44 20 7946 0000', 'STANDARD', decode(md5(n::text) || md5(n::text), 'hex'), now()
       FROM generate_series(1, 64) AS n`,
    );
    // For the product path: people with one passkey and one verified address each (revoking
    // them all queues one notice each), and the agent who revokes.
    await seed.query(
      `INSERT INTO "WorkforceUser" (id, "employeeId", name, department, title, "phoneOfRecord", "riskTier", "webauthnUserId", "updatedAt")
       SELECT gen_random_uuid(), 'P' || lpad(n::text, 5, '0'), 'Product User ' || n, 'Finance', 'Staff',
         '+44 20 7946 0000', 'STANDARD', decode(md5('p' || n) || md5('p' || n), 'hex'), now()
       FROM generate_series(1, ${PRODUCT_USERS}) AS n;
       INSERT INTO "Passkey" ("userId", "credentialId", "publicKey", aaguid, "backedUp", transports)
       SELECT id, 'cred-' || "employeeId", '\\x00'::bytea, '00000000-0000-0000-0000-000000000000', false, '{}'
       FROM "WorkforceUser" WHERE "employeeId" LIKE 'P%';
       INSERT INTO "WorkforceEmail" ("userId", address, kind, verified, "isPrimary")
       SELECT id, lower("employeeId") || '@bench.example', 'work', true, true
       FROM "WorkforceUser" WHERE "employeeId" LIKE 'P%';
       INSERT INTO "Staff" (id, name, email, role, team)
       VALUES (gen_random_uuid(), 'Bench Agent', 'agent@bench.example', 'AGENT', 'Service Desk North');`,
    );
    await seed.end();
    const results = new Map<string, WriteRun[]>();
    const add = (key: string, run: WriteRun) =>
      results.set(key, [...(results.get(key) ?? []), run]);

    for (let round = 0; round < rounds; round++) {
      for (const name of names) {
        await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
        await admin.query(`CREATE DATABASE ${name} TEMPLATE ${TEMPLATE}`);
      }
      const reader = new pg.Client({ connectionString: scratchUrl("bench_scratch_v1") });
      await reader.connect();
      const users = (
        await reader.query<{ id: string }>(`SELECT id FROM "WorkforceUser" ORDER BY "employeeId"`)
      ).rows.map((row) => row.id);
      await reader.end();

      // Floor: the chained INSERT in plain SQL, one connection, autocommit, one after another.
      {
        const client = new pg.Client({ connectionString: scratchUrl("bench_scratch_chain") });
        await client.connect();
        add(
          "chain",
          await runWriters(1, seconds, () =>
            client.query(
              `INSERT INTO "AuditEvent" ("formatVersion", action, outcome, "actorType", "actorName", data, "prevHash", hash)
               SELECT 1, 'access.denied', 'REFUSED', 'STAFF', 'Priya Shah', $1::jsonb, h.prev,
                 encode(sha256(convert_to(h.prev || E'\\n' || $1, 'UTF8')), 'hex')
               FROM (SELECT coalesce((SELECT hash FROM "AuditEvent" WHERE hash IS NOT NULL
                 ORDER BY id DESC LIMIT 1), $2) AS prev) AS h`,
              [
                JSON.stringify({ permission: "case.approve", path: `/users/${randomUUID()}` }),
                GENESIS,
              ],
            ),
          ),
        );
        await client.end();
      }
      for (const writers of WRITERS) {
        for (const path of ["v1", "v2"] as const) {
          const client = new PrismaClient({
            adapter: new PrismaPg({
              connectionString: scratchUrl(`bench_scratch_${path}`),
              max: writers,
            }),
            log: ["warn"],
          });
          const once =
            path === "v1"
              ? (w: number) =>
                  client.$transaction(async (tx) => {
                    await appendV1(tx, benchEvent(users[w]!));
                    await businessWrite(tx, users[w]!);
                  }, TRANSACTION_OPTIONS)
              : (w: number) =>
                  auditedTransaction(client, async (tx) => {
                    await businessWrite(tx, users[w]!);
                    await recordAudit(tx, benchEvent(users[w]!));
                  });
          add(`${path}/${writers}`, await runWriters(writers, seconds, once));
          await client.$disconnect();
        }
        // Floor: a plain INSERT of an event row, no lock, no chain, autocommit, same concurrency.
        const pool = new pg.Pool({
          connectionString: scratchUrl("bench_scratch_nolock"),
          max: writers,
        });
        add(
          `nolock/${writers}`,
          await runWriters(writers, seconds, (w) =>
            pool.query(
              `INSERT INTO "AuditEvent" ("formatVersion", action, outcome, "actorType", "actorName", "subjectUserId", data)
               VALUES (1, 'access.denied', 'REFUSED', 'STAFF', 'Priya Shah', $1, $2::jsonb)`,
              [
                users[w],
                JSON.stringify({ permission: "case.approve", path: `/users/${users[w]}` }),
              ],
            ),
          ),
        );
        await pool.end();
      }
      for (const instances of [1, 2])
        for (const writers of PRODUCT_WRITERS) {
          await admin.query(`DROP DATABASE IF EXISTS bench_scratch_product WITH (FORCE)`);
          await admin.query(`CREATE DATABASE bench_scratch_product TEMPLATE ${TEMPLATE}`);
          add(
            `product/${instances}/${writers}`,
            await productRun(scratchUrl("bench_scratch_product"), writers, seconds, instances),
          );
        }
      console.log(`  round ${round + 1} of ${rounds} done (${load()})`);
    }

    const summary = (key: string) => {
      const runs = results.get(key) ?? [];
      const latencies = runs.flatMap((run) => run.latencies);
      return {
        perSecond: median(runs.map((run) => run.perSecond)),
        p50: latencies.length ? percentile(latencies, 50) : NaN,
        p95: latencies.length ? percentile(latencies, 95) : NaN,
        failed: runs.reduce((sum, run) => sum + run.failed, 0),
        cpu: median(runs.map((run) => run.cpu)),
        dbCpuPerWrite: runs.every((run) => typeof run.dbCpuPerWrite === "number")
          ? median(runs.map((run) => run.dbCpuPerWrite as number))
          : null,
        errors: runs.flatMap((run) => run.errors).slice(0, 2),
      };
    };
    const chain = summary("chain");
    console.log(
      `  floor: chained INSERT in plain SQL, one connection, autocommit   ${fmt(chain.perSecond).padStart(6)}/s   p50 ${chain.p50.toFixed(1)} ms   p95 ${chain.p95.toFixed(1)} ms`,
    );
    console.log(
      "  writers   v1 writes/s (p50 / p95 ms)   v2 writes/s (p50 / p95 ms)   v2/v1   floor: INSERT, no lock (p50 / p95 ms)   failed v1/v2/floor   client CPU v1/v2",
    );
    for (const writers of WRITERS) {
      const v1 = summary(`v1/${writers}`);
      const v2 = summary(`v2/${writers}`);
      const floor = summary(`nolock/${writers}`);
      const cell = (s: ReturnType<typeof summary>) =>
        `${fmt(s.perSecond).padStart(6)} (${s.p50.toFixed(1).padStart(6)} / ${s.p95.toFixed(1).padStart(6)})`;
      console.log(
        `  ${String(writers).padStart(7)}   ${cell(v1).padEnd(27)}  ${cell(v2).padEnd(27)}  ${(v2.perSecond / v1.perSecond).toFixed(2).padStart(5)}×   ${cell(floor).padEnd(36)}  ${`${v1.failed}/${v2.failed}/${floor.failed}`.padEnd(18)}  ${Math.round(v1.cpu * 100)}%/${Math.round(v2.cpu * 100)}%`,
      );
      for (const error of [...v1.errors, ...v2.errors, ...floor.errors])
        console.log(`            failure: ${error}`);
    }
    const poolSize = process.env.DATABASE_POOL_SIZE ?? "10";
    console.log(
      `\n  the product's path: revokePasskeys on distinct users (each: the user's row lock, the passkey` +
        `\n  revoked, the revocation row, every pass/link/approval voided, sessions ended, a notice queued,` +
        `\n  one signed passkey.revoked event appended last), in a process of its own over the app's pool` +
        `\n  of ${poolSize} connections (DATABASE_POOL_SIZE; more writers queue for a connection); with two` +
        `\n  instances, two such processes share the writers and the users`,
    );
    console.log(
      "  instances   writers   revocations/s (p50 / p95 ms)   × the chained INSERT floor   failed   client CPU   CPU ms per revocation: console / database",
    );
    for (const instances of [1, 2])
      for (const writers of PRODUCT_WRITERS) {
        const product = summary(`product/${instances}/${writers}`);
        console.log(
          `  ${String(instances).padStart(9)}   ${String(writers).padStart(7)}   ${`${fmt(product.perSecond).padStart(6)} (${product.p50.toFixed(1).padStart(6)} / ${product.p95.toFixed(1).padStart(6)})`.padEnd(30)} ${`${(product.perSecond / chain.perSecond).toFixed(2)}×`.padStart(8)}                     ${String(product.failed).padStart(6)}   ${`${Math.round(product.cpu * 100)}%`.padEnd(10)}   ${((product.cpu / product.perSecond) * 1000).toFixed(2)} / ${product.dbCpuPerWrite === null ? "n/a (not on this machine)" : (product.dbCpuPerWrite * 1000).toFixed(2)}`,
        );
        for (const error of product.errors) console.log(`            failure: ${error}`);
      }
  } finally {
    await dropAll().catch((error: unknown) =>
      console.error(`dropping the scratch databases: ${error}`),
    );
    await admin.end();
  }
}

const PRODUCT_USERS = 12_000;

/**
 * One run of the product path: `instances` child processes (console instances, each with its own
 * pool; audited-writes-child.ts) sharing the writers and the users, started at one moment; their
 * figures added up.
 */
async function productRun(
  databaseUrl: string,
  writers: number,
  seconds: number,
  instances = 1,
): Promise<WriteRun> {
  const startAt = Date.now() + 8000;
  // The database's CPU from the moment every child starts measuring to the moment all have ended.
  const probe = new pg.Client({ connectionString: databaseUrl });
  await probe.connect();
  const dbCpu = await databaseCpuReader(probe);
  await probe.end();
  let dbCpuAtStart: number | null = null;
  const atStart = setTimeout(() => (dbCpuAtStart = dbCpu?.() ?? null), startAt - Date.now());
  const results = await Promise.all(
    Array.from({ length: instances }, (_, instance) =>
      productChild(databaseUrl, {
        writers: Math.round(writers / instances),
        seconds,
        instance,
        instances,
        startAt,
      }),
    ),
  );
  return {
    perSecond: results.reduce((sum, r) => sum + r.perSecond, 0),
    latencies: results.flatMap((r) => r.latencies),
    failed: results.reduce((sum, r) => sum + r.failed, 0),
    errors: results.flatMap((r) => r.errors),
    cpu: results.reduce((sum, r) => sum + r.cpu, 0),
    dbCpuPerWrite: perWrite(),
  };

  function perWrite() {
    clearTimeout(atStart);
    const writes = results.reduce((sum, r) => sum + r.latencies.length, 0);
    if (!dbCpu || dbCpuAtStart === null || writes === 0) return null;
    return (dbCpu() - dbCpuAtStart) / writes;
  }
}

async function productChild(
  databaseUrl: string,
  run: { writers: number; seconds: number; instance: number; instances: number; startAt: number },
) {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_CPU_PROF
        ? ["--cpu-prof", `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`]
        : []),
      "--conditions=react-server",
      "--import",
      "tsx/esm",
      path.join(import.meta.dirname, "audited-writes-child.ts"),
    ],
    {
      env: {
        ...process.env,
        NODE_ENV: "production",
        DATABASE_URL: databaseUrl,
        NEXTAUTH_SECRET: randomBytes(32).toString("base64url"),
        BENCH_WRITERS: String(run.writers),
        BENCH_SECONDS: String(run.seconds),
        BENCH_INSTANCE: String(run.instance),
        BENCH_INSTANCES: String(run.instances),
        BENCH_START_AT: String(run.startAt),
      },
      stdio: ["ignore", "pipe", "inherit"],
    },
  );
  let output = "";
  child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolve) => child.on("exit", resolve));
  const line = output.trim().split("\n").at(-1) ?? "";
  if (code !== 0 || !line.startsWith("{"))
    throw new Error(`the product-path run failed (exit ${code}): ${output.slice(-500)}`);
  const result = JSON.parse(line) as WriteRun & { exhausted: boolean };
  if (result.exhausted)
    console.log(`  (${run.writers} writers ran out of users to revoke: raise PRODUCT_USERS)`);
  return result;
}
