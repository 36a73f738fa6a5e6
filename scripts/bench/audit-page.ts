/**
 * The audit page for people (docs/decisions/026) at 10,000 and 1,000,000 events, where a quarter
 * of the trail is reads of it (audit.viewed, hidden by default) and the million also holds a
 * burst of 20,000 reads in a row (a script polling the page). Each figure is one page's id query
 * (auditPageQuery, what readAuditPage runs) or the hidden-reads count (countHiddenReads), with the
 * buffer pages it reads (EXPLAIN ANALYZE BUFFERS), which the machine's load does not change.
 *
 * Its data are plain rows made with generate_series in scratch databases (dropped afterwards), not
 * signed events: the page's reads do not look at signatures, and a million signed events take
 * minutes to make (the search section uses those). As a section of `npm run benchmark`
 * (BENCH_SECTIONS=audit-page) it uses the benchmark's server; run alone
 * (`npx tsx scripts/bench/audit-page.ts`) it starts a throwaway embedded PostgreSQL
 * (BENCH_PAGE_PG_PORT, default 54341).
 */
import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { Prisma } from "../../generated/prisma/client.ts";
import { createDb, type Db } from "../../lib/create-db.ts";
import { AuditSearchSchema, type AuditSearch } from "../../lib/domain/audit-search.ts";
import {
  AUDIT_PAGE_SIZE,
  auditPageQuery,
  auditPageWindow,
  countHiddenReads,
  resolveAuditSearch,
} from "../../lib/server/audit-where.ts";
import { startEmbeddedPostgres } from "../lib/embedded-postgres.ts";
import { applyMigrations } from "../lib/migrations.ts";
import { fmt, load, percentile, ratio, type BenchContext } from "./common.ts";

const RUNS = 30;
const SIZES = [10_000, 1_000_000];
const BURST = 20_000;

function scratchUrl(databaseUrl: string, name: string) {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/**
 * `events` rows a year apart end to end, ids and times rising together; every 4th a read of the
 * trail, 8% of the rest refused; with `burst`, the rows from the middle on are `burst` reads in a
 * row.
 */
async function makeTrail(databaseUrl: string, name: string, events: number, burst: number) {
  const admin = new pg.Client({ connectionString: scratchUrl(databaseUrl, "postgres") });
  await admin.connect();
  await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  await applyMigrations(scratchUrl(databaseUrl, name));
  const client = new pg.Client({ connectionString: scratchUrl(databaseUrl, name) });
  await client.connect();
  try {
    await client.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
    const middle = Math.floor(events / 2);
    await client.query(
      `INSERT INTO "AuditEvent" ("formatVersion", "createdAt", action, outcome, reason, "actorType",
         "actorName", "subjectUserId", "caseId", data)
       SELECT 1, timestamptz '2025-11-24' + i * (interval '1 year' / $1::int),
         CASE WHEN (i >= $2 AND i < $2 + $3) OR i % 4 = 0 THEN 'audit.viewed'
           ELSE (ARRAY['case.opened','step.recorded','tap.issued','passkey.revoked','access.denied','case.closed'])[1 + i % 6] END,
         (CASE WHEN i % 4 <> 0 AND i % 25 = 1 THEN 'REFUSED' ELSE 'ALLOWED' END)::"AuditOutcome",
         CASE WHEN i % 4 <> 0 AND i % 25 = 1 THEN 'FORBIDDEN' END,
         'STAFF',
         (ARRAY['Priya Shah','Tom Becker','Lucia Romero','Grace Okafor','Daniel Kim'])[1 + i % 5],
         CASE WHEN i % 4 <> 0 THEN md5((i % 10000)::text)::uuid END,
         CASE WHEN i % 4 <> 0 AND i % 10 < 7 THEN md5('case' || (i / 8)::text)::uuid END,
         '{}'::jsonb
       FROM generate_series(1, $1::int) AS i`,
      [events, middle, burst],
    );
    // With the triggers off, the actor names the trigger would have recorded (decision 047).
    await client.query(
      `INSERT INTO "AuditActorName" ("name") SELECT DISTINCT "actorName" FROM "AuditEvent" ON CONFLICT DO NOTHING`,
    );
    // The reads are a reviewer's own.
    await client.query(
      `UPDATE "AuditEvent" SET "actorName" = 'Mei Lin' WHERE action = 'audit.viewed'`,
    );
    await client.query(`VACUUM ANALYZE "AuditEvent"`);
    const { rows } = await client.query<{ first: string; last: string }>(
      `SELECT min(id)::text AS first, max(id)::text AS last FROM "AuditEvent"`,
    );
    return { first: BigInt(rows[0]!.first), middle: BigInt(rows[0]!.first) + BigInt(middle) - 1n };
  } finally {
    await client.end();
  }
}

async function pagesRead(db: Db, sql: Prisma.Sql) {
  const [result] = await db.$queryRaw<{ "QUERY PLAN": [{ Plan: Record<string, number> }] }[]>(
    Prisma.sql`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${sql}`,
  );
  const plan = result!["QUERY PLAN"][0].Plan;
  return (plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0);
}

async function timedRuns(run: () => Promise<unknown>) {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples;
}

type Probe = { label: string; search: AuditSearch; count?: boolean; fromInsideTheDay?: boolean };

function probes(first: bigint, middle: bigint, days: number): Probe[] {
  const search = (input: Record<string, string>) => AuditSearchSchema.parse(input);
  const day = (offset: number) =>
    new Date(Date.parse("2025-11-24") + offset * 86_400_000).toISOString().slice(0, 10);
  const quarter = first + (middle - first) / 2n;
  return [
    { label: "first page, reads hidden (the default)", search: search({}), count: true },
    { label: "first page, reads shown", search: search({ reads: "shown" }) },
    {
      label: "older page from a quarter in",
      search: search({ before: String(quarter) }),
      count: true,
    },
    {
      label: "newer page from a quarter in",
      search: search({ after: String(quarter) }),
      count: true,
    },
    {
      label: "one day, newer page from inside it",
      search: search({ from: day(days / 4), to: day(days / 4) }),
      count: true,
      fromInsideTheDay: true,
    },
    { label: "refusals, first page", search: search({ outcome: "REFUSED" }), count: true },
    {
      label: "actor 'priya', older page",
      search: search({ actor: "priya", before: String(quarter) }),
    },
  ];
}

async function measureTrail(databaseUrl: string, events: number, burst: number) {
  const name = `bench_audit_page_${events}_${process.pid}`;
  const made = await makeTrail(databaseUrl, name, events, burst);
  const db = createDb(scratchUrl(databaseUrl, name));
  const results = new Map<
    string,
    { p50: number; p95: number; pages: number; countPages?: number; hidden?: string }
  >();
  try {
    const floorId = made.middle;
    const floor = await timedRuns(() => db.auditEvent.findUnique({ where: { id: floorId } }));
    results.set("floor: one event by primary key", {
      p50: percentile(floor, 50),
      p95: percentile(floor, 95),
      pages: 0,
    });
    const list = probes(made.first, made.middle, 365);
    if (burst > 0)
      list.push(
        {
          label: `older page onto the ${fmt(burst)} reads in a row`,
          search: AuditSearchSchema.parse({ before: String(made.middle + BigInt(burst) + 2n) }),
          count: true,
        },
        {
          label: `newer page from under the ${fmt(burst)} reads`,
          search: AuditSearchSchema.parse({ after: String(made.middle - 2n) }),
          count: true,
        },
      );
    for (const probe of list) {
      let search = await resolveAuditSearch(db, probe.search);
      if (probe.fromInsideTheDay) {
        const page = await auditPageWindow(db, search, AUDIT_PAGE_SIZE);
        const middleOfDay = page.ids[Math.floor(page.ids.length / 2)];
        if (middleOfDay === undefined) continue;
        search = { ...search, after: middleOfDay.toString() };
      }
      const query = auditPageQuery(search, AUDIT_PAGE_SIZE + 1);
      const samples = await timedRuns(() => db.$queryRaw(query));
      const window = await auditPageWindow(db, search, AUDIT_PAGE_SIZE);
      const entry: {
        p50: number;
        p95: number;
        pages: number;
        countPages?: number;
        hidden?: string;
      } = {
        p50: percentile(samples, 50),
        p95: percentile(samples, 95),
        pages: await pagesRead(db, query),
      };
      if (probe.count) {
        const hidden = await countHiddenReads(db, search, window);
        const countSamples = await timedRuns(() => countHiddenReads(db, search, window));
        entry.countPages = percentile(countSamples, 50);
        entry.hidden = hidden ? `${fmt(hidden.count)}${hidden.atLeast ? "+" : ""}` : "-";
      }
      results.set(probe.label, entry);
    }
  } finally {
    await db.$disconnect();
    const admin = new pg.Client({ connectionString: scratchUrl(databaseUrl, "postgres") });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.end();
  }
  return results;
}

export async function run(ctx: Pick<BenchContext, "databaseUrl">) {
  console.log(
    `\nthe audit page for people: one page's ids (${AUDIT_PAGE_SIZE} + 1) and its hidden-reads count, at ${SIZES.map((n) => fmt(n)).join(" and ")} events, a quarter of them reads of the trail (scratch databases; ${RUNS} runs each; ${load()})`,
  );
  const [small, large] = [
    await measureTrail(ctx.databaseUrl, SIZES[0]!, 0),
    await measureTrail(ctx.databaseUrl, SIZES[1]!, BURST),
  ];
  console.log(
    `  ${"".padEnd(46)} ${`${fmt(SIZES[0]!)}: p50 / p95 (pages)`.padStart(28)} ${`${fmt(SIZES[1]!)}: p50 / p95 (pages)`.padStart(32)}   growth p50   count p50 (hidden)`,
  );
  for (const [label, big] of large) {
    const little = small.get(label);
    const cell = (r: typeof big | undefined) =>
      r ? `${r.p50.toFixed(2)} / ${r.p95.toFixed(2)} ms (${r.pages})` : "-";
    console.log(
      `  ${label.padEnd(46)} ${cell(little).padStart(28)} ${cell(big).padStart(32)}   ${little ? ratio(big.p50, little.p50).padStart(10) : "".padStart(10)}   ${big.countPages !== undefined ? `${big.countPages.toFixed(2)} ms (${big.hidden})` : ""}`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const dataDir = path.join(tmpdir(), `bench-audit-page-${process.pid}`);
  const server = await startEmbeddedPostgres({
    dataDir,
    port: Number(process.env.BENCH_PAGE_PG_PORT ?? 54341),
    persistent: false,
  });
  try {
    await run({ databaseUrl: server.url("postgres") });
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
