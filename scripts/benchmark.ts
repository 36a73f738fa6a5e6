/**
 * `npm run benchmark`: prints figures for the audit trail and directory at their current size
 * (load the scale data first: `npm run db:seed-scale`), each next to a floor measured in the same
 * run, with the machine's load average. Not a test: it asserts nothing and the machine is shared,
 * so read the figures as orders of magnitude.
 *
 * The audited-write comparison (v1 against v2) runs in scratch databases it creates from the
 * migrations and drops afterwards (it needs to create databases: run it as the owner or the
 * embedded demo's superuser), so the demo's log gets no rows that are not part of it.
 * BENCH_SECTIONS=search,export,http,writes,proofs,verify,bulk picks sections (default all; bulk:
 * scripts/bench/bulk-reads.ts, the export and verification walks beside COPY and their floors).
 */
import {
  createHash,
  createPublicKey,
  randomBytes,
  randomUUID,
  verify as verifySignature,
} from "node:crypto";
import { readFileSync } from "node:fs";
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { PrismaClient, type Prisma } from "../generated/prisma/client.ts";
import { createDb } from "../lib/create-db.ts";
import { parseAuditPayload } from "../lib/domain/audit-actions.ts";
import { chainHashV1, GENESIS, type ChainedContent } from "../lib/domain/audit-chain.ts";
import { toExportedEvent, toJsonLine } from "../lib/domain/audit-export.ts";
import { AuditSearchSchema } from "../lib/domain/audit-search.ts";
import { verifyInclusion } from "../lib/domain/tlog/merkle.ts";
import { eventLeafHash } from "../lib/domain/tlog/proof.ts";
import {
  AUDIT_CHAIN_LOCK,
  auditedTransaction,
  recordAudit,
  TRANSACTION_OPTIONS,
  type AuditEventInput,
  type Tx,
} from "../lib/server/audit.ts";
import { trustedEventKeys } from "../lib/server/audit-keys.ts";
import { latestCheckpoint, logVerifier, signRound } from "../lib/server/audit-log-signer.ts";
import { signerConfig } from "../lib/server/audit-log-config.ts";
import { inclusionProofAt } from "../lib/server/audit-tiles.ts";
import { auditWhere } from "../lib/server/audit-where.ts";
import { runFullVerification } from "../lib/server/full-verification.ts";
import { fmt, load, measure, median, percentile } from "./bench/common.ts";
import { auditConfig } from "./lib/audit-config.ts";
import { applyMigrations } from "./lib/migrations.ts";

const { databaseUrl, checkpointDir } = auditConfig();
if (!databaseUrl) {
  console.error("Set DATABASE_URL, or start the demo first.");
  process.exit(2);
}
const db = createDb(databaseUrl);
const sections = new Set(
  (process.env.BENCH_SECTIONS ?? "search,export,http,writes,proofs,verify,bulk").split(","),
);

const events = await db.auditEvent.count();
const users = await db.workforceUser.count();
console.log(
  `data: ${events.toLocaleString("en")} audit events, ${users.toLocaleString("en")} workforce users (${load()})\n`,
);

const someUser = (
  await db.auditEvent.findFirst({
    where: { subjectUserId: { not: null } },
    orderBy: { id: "desc" },
    select: { subjectUserId: true },
  })
)?.subjectUserId;
const someCase = (
  await db.auditEvent.findFirst({
    where: { caseId: { not: null } },
    orderBy: { id: "asc" },
    select: { caseId: true },
  })
)?.caseId;
const page = (search: Record<string, string>) => () =>
  db.auditEvent.findMany({
    where: auditWhere(AuditSearchSchema.parse(search)),
    orderBy: { id: "desc" },
    take: 51,
  });

if (sections.has("search")) {
  console.log("audit search (one page of 50, newest first)");
  await measure("  no filter", page({}));
  await measure("  action = tap.issued", page({ action: "tap.issued" }));
  await measure("  refusals", page({ outcome: "REFUSED" }));
  if (someUser) await measure("  events about one user", page({ userId: someUser }));
  if (someCase) await measure("  one case's timeline", page({ caseId: someCase }));
  await measure("  actor name contains 'lucia'", page({ actor: "lucia" }));
  await measure("  one day", page({ from: "2026-06-01", to: "2026-06-01" }));
  const deep = await db.auditEvent.findFirst({
    orderBy: { id: "asc" },
    skip: Math.floor(events / 2),
    select: { id: true },
  });
  if (deep)
    await measure("  page in the middle (keyset)", () =>
      db.auditEvent.findMany({ where: { id: { lt: deep.id } }, orderBy: { id: "desc" }, take: 51 }),
    );

  console.log("\ndirectory search (one page of 25)");
  const dir = (where: object) => () =>
    db.workforceUser.findMany({ where, orderBy: [{ name: "asc" }, { id: "asc" }], take: 25 });
  await measure(
    "  name contains 'quinn'",
    dir({ name: { contains: "quinn", mode: "insensitive" } }),
  );
  await measure(
    "  email contains 's2500'",
    dir({ emails: { some: { address: { contains: "s2500", mode: "insensitive" } } } }),
  );
  await measure("  employee ID", dir({ employeeId: "E10042" }));
}

if (sections.has("export")) {
  console.log("\nexport (JSON Lines, keyset batches of 2,000, written nowhere)");
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 50);
  const baseline = process.memoryUsage().rss;
  let exported = 0;
  let bytes = 0;
  const exportStart = performance.now();
  for (let after = -1n; ;) {
    const rows = await db.auditEvent.findMany({
      where: { id: { gt: after } },
      orderBy: { id: "asc" },
      take: 2000,
    });
    if (rows.length === 0) break;
    for (const row of rows) bytes += Buffer.byteLength(toJsonLine(toExportedEvent(row)));
    exported += rows.length;
    after = rows.at(-1)!.id;
  }
  const exportSeconds = (performance.now() - exportStart) / 1000;
  clearInterval(sampler);
  console.log(
    `  ${exported.toLocaleString("en")} events, ${(bytes / 1e6).toFixed(0)} MB in ${exportSeconds.toFixed(1)} s: ${Math.round(exported / exportSeconds).toLocaleString("en")} events/s`,
  );
  console.log(
    `  resident memory: ${(baseline / 1e6).toFixed(0)} MB before, ${(peak / 1e6).toFixed(0)} MB peak`,
  );
}

// The page itself, over HTTP, when a running console is given (BENCH_URL, e.g. http://localhost:3000).
if (process.env.BENCH_URL && sections.has("http")) {
  const reviewer = await db.staff.findFirstOrThrow({ where: { role: "SECURITY", active: true } });
  const token = randomBytes(32).toString("base64url");
  await db.staffSession.create({
    data: {
      staffId: reviewer.id,
      tokenHash: createHash("sha256").update(token).digest("hex"),
      expires: new Date(Date.now() + 30 * 60_000),
    },
  });
  const cookie = `${process.env.BENCH_URL.startsWith("https") ? "__Host-" : ""}console.session=${token}`;
  const get = (path: string) => async () => {
    const response = await fetch(`${process.env.BENCH_URL}${path}`, {
      headers: { cookie },
      redirect: "manual",
    });
    if (response.status !== 200) throw new Error(`${path}: HTTP ${response.status}`);
    await response.text();
  };
  console.log(`\naudit search page over HTTP (${process.env.BENCH_URL}, rendered and audited)`);
  await measure("  /audit", get("/audit"));
  await measure(
    "  /audit?outcome=REFUSED&action=access.denied",
    get("/audit?outcome=REFUSED&action=access.denied"),
  );
  if (someUser) await measure("  /audit?userId=…", get(`/audit?userId=${someUser}`));
  await db.staffSession.deleteMany({
    where: { staffId: reviewer.id, createdAt: { gte: new Date(Date.now() - 3600_000) } },
  });
}

// ---------------------------------------------------------------------------------------------
// a. Audited writes per second, v1 against v2, in scratch databases.

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

function scratchUrl(name: string) {
  const url = new URL(databaseUrl!);
  url.pathname = `/${name}`;
  return url.toString();
}

async function benchmarkWrites() {
  const WRITERS = [1, 4, 16, 64];
  const seconds = Number(process.env.BENCH_WRITE_SECONDS ?? 4);
  const rounds = Number(process.env.BENCH_WRITE_ROUNDS ?? 3);
  const admin = new pg.Client({ connectionString: scratchUrl("postgres") });
  await admin.connect();
  const TEMPLATE = "bench_scratch_template";
  const PATHS = ["v1", "v2", "chain", "nolock"] as const;
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
  } finally {
    await dropAll().catch((error: unknown) =>
      console.error(`dropping the scratch databases: ${error}`),
    );
    await admin.end();
  }
}

// ---------------------------------------------------------------------------------------------
// b. One event's inclusion proof against the latest checkpoint.

async function benchmarkProofs() {
  const config = signerConfig();
  if (!config)
    return console.log("\ninclusion proofs: no checkpoint key (AUDIT_SIGNING_KEY_FILE), skipped");
  const latest = await latestCheckpoint(db, config);
  if (!latest) return console.log("\ninclusion proofs: no checkpoint yet, skipped");
  const SAMPLES = 200;
  const positions = Array.from({ length: SAMPLES }, () => Math.floor(Math.random() * latest.size));
  const leaves = new Map<number, Buffer>();
  for (const position of positions) {
    const row = await db.auditEvent.findUniqueOrThrow({
      where: { position },
      select: { entry: true, signature: true },
    });
    leaves.set(position, eventLeafHash(row.signature!, row.entry!));
  }
  const proofTimes: number[] = [];
  const floorTimes: number[] = [];
  let failures = 0;
  for (const position of positions) {
    let start = performance.now();
    const proof = await inclusionProofAt(db, position, latest.size);
    if (!verifyInclusion(leaves.get(position)!, position, latest.size, proof, latest.rootHash))
      failures++;
    proofTimes.push(performance.now() - start);
    start = performance.now();
    await db.auditEvent.findUnique({ where: { position }, select: { id: true } });
    floorTimes.push(performance.now() - start);
  }
  const p = (values: number[], n: number) => percentile(values, n).toFixed(2).padStart(6);
  console.log(
    `\none event's inclusion proof at size ${fmt(latest.size)} (${SAMPLES} random positions, ${load()})`,
  );
  console.log(
    `  inclusionProofAt + verifyInclusion                 p50 ${p(proofTimes, 50)} ms   p95 ${p(proofTimes, 95)} ms   (${(percentile(proofTimes, 50) / percentile(floorTimes, 50)).toFixed(1)}× the floor)${failures ? `   ${failures} DID NOT VERIFY` : ""}`,
  );
  console.log(
    `  floor: one indexed SELECT by position              p50 ${p(floorTimes, 50)} ms   p95 ${p(floorTimes, 95)} ms`,
  );
}

// ---------------------------------------------------------------------------------------------
// c. Full verification, and the signer's incremental round after N new events.

async function benchmarkVerification() {
  const config = signerConfig();
  const publicKeyFile = process.env.AUDIT_PUBLIC_KEY_FILE;
  const eventKeys = trustedEventKeys();
  if (!config || eventKeys.size === 0)
    return console.log("\nverification: needs the event and checkpoint keys, skipped");
  console.log(`\nfull verification (${load()})`);
  const started = performance.now();
  const report = await runFullVerification(db, {
    eventKeys,
    log: logVerifier(
      publicKeyFile
        ? { origin: config.origin, publicKey: createPublicKey(readFileSync(publicKeyFile, "utf8")) }
        : config,
    ),
    dir: checkpointDir,
    databaseUrl: databaseUrl!,
  });
  const seconds = (performance.now() - started) / 1000;
  console.log(
    `  runFullVerification: ${fmt(report.rows)} rows in ${seconds.toFixed(1)} s: ${fmt(report.rows / seconds)} rows/s, ${report.ok ? "intact" : `NOT INTACT (${report.problemCount} problems, first: ${report.problems[0]?.problem})`}`,
  );

  // Floors over the same rows: SHA-256 over as many bytes as the leaves hold, and Ed25519
  // verification of a sample of entries held in memory (the signature check every row needs).
  const [bytes] = await db.$queryRaw<{ total: bigint | null; rows: bigint }[]>`
    SELECT sum(octet_length(entry) + octet_length(signature)) AS total, count(*) AS rows
    FROM "AuditEvent" WHERE entry IS NOT NULL`;
  const total = Number(bytes?.total ?? 0n);
  const signedRows = Number(bytes?.rows ?? 0n);
  const perRow = Math.max(1, Math.round(total / Math.max(signedRows, 1)));
  const buffer = randomBytes(perRow);
  let begun = performance.now();
  for (let i = 0; i < signedRows; i++) createHash("sha256").update(buffer).digest();
  const shaSeconds = (performance.now() - begun) / 1000;
  console.log(
    `  floor: SHA-256 over the same ${(total / 1e6).toFixed(0)} MB, one leaf at a time: ${shaSeconds.toFixed(1)} s: ${fmt(signedRows / shaSeconds)} rows/s (verification is ${(seconds / shaSeconds).toFixed(0)}× this)`,
  );
  const sample = await db.auditEvent.findMany({
    where: { entry: { not: null } },
    select: { entry: true, signature: true, keyId: true },
    take: 5000,
  });
  const prefix = Buffer.from("audit-event/v2\n", "utf8");
  const messages = sample.map((row) => Buffer.concat([prefix, row.entry!]));
  const edRates: number[] = [];
  for (let run = 0; run < 3; run++) {
    begun = performance.now();
    sample.forEach((row, i) =>
      verifySignature(null, messages[i]!, eventKeys.get(row.keyId!)!, row.signature!),
    );
    edRates.push(sample.length / ((performance.now() - begun) / 1000));
  }
  const edPerSecond = median(edRates);
  console.log(
    `  floor: Ed25519 verification alone, ${fmt(sample.length)} entries in memory (median of 3): ${fmt(edPerSecond)} rows/s (a whole-table walk at this rate: ${(signedRows / edPerSecond).toFixed(1)} s)`,
  );

  // The signer's round after N new events, appended through the product's path (50 per transaction).
  console.log(`\nincremental signer round (signRound, force) after N new events (${load()})`);
  for (const n of [1_000, 10_000]) {
    for (let done = 0; done < n; done += 50)
      await auditedTransaction(db, async (tx) => {
        for (let i = 0; i < Math.min(50, n - done); i++)
          await recordAudit(tx, {
            action: "access.denied",
            outcome: "REFUSED",
            reason: "FORBIDDEN",
            actor: { type: "SYSTEM", name: "benchmark" },
            data: { permission: "benchmark", path: "/benchmark" },
          });
      });
    const start = performance.now();
    const result = await signRound(db, config, { force: true });
    const ms = performance.now() - start;
    console.log(
      `  ${fmt(n).padStart(6)} new events: ${result.kind === "signed" ? `signed size ${fmt(result.size)}` : result.kind} in ${(ms / 1000).toFixed(2)} s (${fmt(n / (ms / 1000))} rows/s)`,
    );
  }
}

// Last, after every helper above is initialized.
if (sections.has("writes")) await benchmarkWrites();
if (sections.has("proofs")) await benchmarkProofs();
if (sections.has("verify")) await benchmarkVerification();
if (sections.has("bulk"))
  await (
    await import("./bench/bulk-reads.ts")
  ).run({ databaseUrl, db, baseUrl: process.env.BENCH_URL ?? null, cookie: null });
await db.$disconnect();
