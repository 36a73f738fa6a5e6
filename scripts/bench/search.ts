/**
 * Search at scale (issue 11, docs/decisions/022): the directory search and every audit filter,
 * run through the same query functions as the pages (lib/server/workforce-directory.ts and
 * lib/server/audit-where.ts, neither server-only), each beside a floor measured in the same run.
 *
 * a. Directory: one page of each kind of search against the reads of one user page (the floor),
 *    the desk's too (issue 12): a phone as recorded and as read out, a shared phone, part of an
 *    employee ID, first.last, a name surname first.
 * b. Audit filters: p50/p95 of one page (51 rows, as the page asks) on the benchmark database and
 *    on a scratch database holding a 10,000-event sample of it (every k-th row, so the same days,
 *    actors and actions at 1/k of the density), made from the migrations and dropped afterwards;
 *    with the growth of p95 from the sample to the full size, and the floor (one row by primary
 *    key) at both sizes. A filter that stays flat grows by well under 2×.
 * c. With a running console (ctx.baseUrl, ctx.cookie): requests per second of /users?q=… against
 *    /users/<id>, 4 at a time for a few seconds each.
 */
import pg from "pg";
import { createDb, type Db } from "../../lib/create-db.ts";
import { AuditSearchSchema } from "../../lib/domain/audit-search.ts";
import { DirectorySearchSchema } from "../../lib/domain/workforce.ts";
import { Prisma } from "../../generated/prisma/client.ts";
import {
  AUDIT_PAGE_SIZE,
  auditPageQuery,
  readAuditPage,
  resolveAuditSearch,
  type ResolvedAuditSearch,
} from "../../lib/server/audit-where.ts";
import { searchDirectory } from "../../lib/server/workforce-directory.ts";
import { applyMigrations } from "../lib/migrations.ts";
import { SCALE_SWITCHBOARD } from "../lib/scale-phones.ts";
import { fmt, load, percentile, ratio, sample, type BenchContext } from "./common.ts";

const SAMPLE_EVENTS = 10_000;
const RUNS = Number(process.env.BENCH_SEARCH_RUNS ?? 60);
const HTTP_SECONDS = Number(process.env.BENCH_SEARCH_HTTP_SECONDS ?? 5);
const HTTP_CONCURRENCY = 4;

/** BENCH_SEARCH_PARTS=directory,audit,http picks parts (default all). */
export async function run(ctx: BenchContext) {
  const parts = new Set((process.env.BENCH_SEARCH_PARTS ?? "directory,audit,http").split(","));
  if (parts.has("directory")) await directory(ctx);
  if (parts.has("audit")) await auditFilters(ctx);
  if (parts.has("http") && ctx.baseUrl && ctx.cookie) await overHttp(ctx, ctx.baseUrl, ctx.cookie);
}

const line = (label: string, samples: number[], extra = "") =>
  console.log(
    `  ${label.padEnd(50)} p50 ${percentile(samples, 50).toFixed(2).padStart(7)} ms   p95 ${percentile(samples, 95).toFixed(2).padStart(7)} ms${extra}`,
  );

// ---------------------------------------------------------------------------------------------
// a. The directory.

/** A name fragment many users share, one user's full name, part of an address, an employee ID. */
async function directoryProbes(db: Db) {
  const users = await db.workforceUser.count();
  const middle = await db.workforceUser.findFirst({
    orderBy: { id: "asc" },
    skip: Math.floor(users / 2),
    select: { id: true, name: true, emails: { select: { address: true }, take: 1 } },
  });
  // The most common word of a sample of names: a search that matches a good share of users.
  const names = await db.workforceUser.findMany({ select: { name: true }, take: 2000 });
  const words = new Map<string, number>();
  for (const { name } of names)
    for (const word of name.toLowerCase().split(/\s+/))
      if (/^\p{L}{3,}$/u.test(word)) words.set(word, (words.get(word) ?? 0) + 1);
  const common = [...words.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? "ada";
  // A first name shared by many, late in the alphabet: its matches sit together at the end of
  // the name order (the case the planner, left to itself, walks the whole index for).
  const firstWords = new Map<string, number>();
  for (const { name } of names) {
    const word = name.toLowerCase().split(/\s+/)[0] ?? "";
    if (/^\p{L}{3,}$/u.test(word)) firstWords.set(word, (firstWords.get(word) ?? 0) + 1);
  }
  const lateFirst =
    [...firstWords.entries()]
      .filter(([, n]) => n >= names.length / 100)
      .map(([word]) => word)
      .sort()
      .at(-1) ?? null;
  const address = middle?.emails[0]?.address ?? null;
  const employee = await db.workforceUser.findFirst({
    where: { employeeId: { startsWith: "E" } },
    select: { employeeId: true },
  });
  // The desk's searches (issue 12): a phone that is one person's, written as HR keeps it and as
  // a caller reads it out; an American one; one a tenth of the scale data shares (a switchboard,
  // scripts/lib/scale-phones.ts); part of an employee ID; first.last; a name surname first.
  const phoneOf = async (startsWith: string) =>
    (
      await db.workforceUser.findFirst({
        where: { phoneOfRecord: { startsWith } },
        orderBy: { id: "asc" },
        skip: 100,
        select: { phoneOfRecord: true },
      })
    )?.phoneOfRecord ?? null;
  const london = await phoneOf("+44 20 3");
  const american = await phoneOf("+1 212 555 ");
  const middleId = (
    await db.workforceUser.findUnique({
      where: { id: middle?.id ?? "00000000-0000-0000-0000-000000000000" },
      select: { employeeId: true },
    })
  )?.employeeId;
  const demoAddress = await db.workforceEmail.findFirst({
    where: { kind: "work", address: { endsWith: "@northwind.example" } },
    orderBy: { address: "asc" },
    select: { address: true },
  });
  const nameWords = middle?.name.split(/\s+/) ?? [];
  return {
    users,
    userId: middle?.id ?? null,
    common,
    lateFirst,
    fullName: middle?.name ?? null,
    emailPart: address ? address.split("@")[0]!.slice(0, -1) + "@" : null,
    employeeId: employee && /^E\d{5}$/.test(employee.employeeId) ? employee.employeeId : null,
    phone: london,
    // "+44 20 3020 0242" as a caller says it: "020 3020 0242".
    phoneNational: london ? `0${london.slice(4)}` : null,
    // "+1 212 555 0024" as "(212) 555-0024".
    phoneAmerican: american
      ? `(${american.slice(3, 6)}) ${american.slice(7, 10)}-${american.slice(11)}`
      : null,
    switchboard: (await db.workforceUser.count({ where: { phoneOfRecord: SCALE_SWITCHBOARD } }))
      ? `0${SCALE_SWITCHBOARD.slice(4)}`
      : null,
    idPrefix: middleId && middleId.length > 4 ? middleId.slice(0, -2) : null,
    idPart: middleId && middleId.length > 5 ? middleId.slice(2, 6) : null,
    firstLast: demoAddress ? demoAddress.address.split("@")[0]! : null,
    // Names alone, as first.last: "uma.funk" (no address is; the scale data's are s123@…).
    namesAsFirstLast:
      nameWords.length >= 2 ? `${nameWords[0]}.${nameWords[1]}`.toLowerCase() : null,
    surnameFirst: nameWords.length >= 2 ? `${nameWords[1]} ${nameWords[0]}` : null,
    surnameComma: nameWords.length >= 2 ? `${nameWords[1]}, ${nameWords[0]}` : null,
  };
}

/** The reads of one user page (app/(console)/users/[userId]): the floor a search is held to. */
function userPageReads(db: Db, userId: string) {
  return () =>
    Promise.all([
      db.workforceUser.findUnique({
        where: { id: userId },
        include: {
          manager: { select: { id: true, name: true, title: true } },
          emails: { orderBy: [{ isPrimary: "desc" }, { address: "asc" }] },
          passkeys: { orderBy: [{ status: "asc" }, { createdAt: "desc" }] },
        },
      }),
      db.recoveryCase.findMany({
        where: { userId, status: { notIn: ["CLOSED", "REVOKED"] } },
        select: { id: true, status: true, team: true, createdAt: true },
      }),
      db.auditEvent.findMany({
        where: { subjectUserId: userId },
        orderBy: { id: "desc" },
        take: 20,
      }),
    ]);
}

async function directory(ctx: BenchContext) {
  const probe = await directoryProbes(ctx.db);
  console.log(
    `\ndirectory search, one page of 25 (searchDirectory: capped count, page ranked then in (name, id) order, active passkeys for the page's users; ${fmt(probe.users)} users, ${load()})`,
  );
  if (!probe.userId) return console.log("  no users: skipped");
  const floor = await sample(userPageReads(ctx.db, probe.userId), RUNS);
  line("floor: one user page's reads", floor);
  const searches: [string, Record<string, string>][] = [
    ["everyone, page 1", {}],
    [`name contains '${probe.common}'`, { q: probe.common }],
    [`name contains '${probe.common}', page 40`, { q: probe.common, page: "40" }],
    [`name contains '${probe.common}', page 200`, { q: probe.common, page: "200" }],
    ...(probe.lateFirst
      ? ([[`first name '${probe.lateFirst}' (late in the order)`, { q: probe.lateFirst }]] as [
          string,
          Record<string, string>,
        ][])
      : []),
    ...(probe.fullName
      ? ([[`one full name '${probe.fullName}'`, { q: probe.fullName }]] as [
          string,
          Record<string, string>,
        ][])
      : []),
    ...(probe.emailPart
      ? ([[`email contains '${probe.emailPart}'`, { q: probe.emailPart }]] as [
          string,
          Record<string, string>,
        ][])
      : []),
    ...(probe.employeeId
      ? ([[`employee ID ${probe.employeeId}`, { q: probe.employeeId }]] as [
          string,
          Record<string, string>,
        ][])
      : []),
    ...desk(probe),
    ["tier privileged, status active", { tier: "PRIVILEGED", status: "ACTIVE" }],
    ["no match 'zzqxv'", { q: "zzqxv" }],
  ];
  const floorP50 = percentile(floor, 50);
  for (const [label, input] of searches) {
    const search = DirectorySearchSchema.parse(input);
    const result = await searchDirectory(ctx.db, search);
    const samples = await sample(() => searchDirectory(ctx.db, search), RUNS);
    line(
      label,
      samples,
      `   ${ratio(percentile(samples, 50), floorP50).padStart(6)} the floor   (${fmt(result.total)}${result.capped ? "+" : ""} match)`,
    );
  }
}

/** The desk's searches (issue 12), for the probes this database has. */
function desk(
  probe: Awaited<ReturnType<typeof directoryProbes>>,
): [string, Record<string, string>][] {
  const searches: [string, string | null][] = [
    [`phone as recorded '${probe.phone}'`, probe.phone],
    [`phone read out '${probe.phoneNational}'`, probe.phoneNational],
    [`American phone '${probe.phoneAmerican}'`, probe.phoneAmerican],
    [`a shared phone '${probe.switchboard}'`, probe.switchboard],
    [`employee ID starts '${probe.idPrefix}'`, probe.idPrefix],
    [`employee ID contains '${probe.idPart}'`, probe.idPart],
    [`first.last '${probe.firstLast}'`, probe.firstLast],
    [`first.last, names only '${probe.namesAsFirstLast}'`, probe.namesAsFirstLast],
    [`surname first '${probe.surnameFirst}'`, probe.surnameFirst],
    [`'${probe.surnameComma}'`, probe.surnameComma],
  ];
  return searches.flatMap(([label, q]) =>
    q ? [[label, { q }] as [string, Record<string, string>]] : [],
  );
}

// ---------------------------------------------------------------------------------------------
// b. The audit filters, at the current size and on a 10,000-event sample.

type Filter = [label: string, input: Record<string, string>];

async function auditProbes(db: Db): Promise<Filter[]> {
  const [span] = await db.$queryRaw<{ first: Date | null; last: Date | null }[]>`
    SELECT min("createdAt") AS first, max("createdAt") AS last FROM "AuditEvent"`;
  if (!span?.first || !span.last) return [];
  const dayAt = (fraction: number) =>
    new Date(span.first!.getTime() + fraction * (span.last!.getTime() - span.first!.getTime()))
      .toISOString()
      .slice(0, 10);
  const plusDays = (day: string, days: number) =>
    new Date(new Date(`${day}T00:00:00Z`).getTime() + days * 86_400_000).toISOString().slice(0, 10);
  // An old day (300 days back in a year of events), a recent one, and a month in the middle.
  const oldDay = dayAt(0.18);
  const recentDay = dayAt(0.97);
  const month = dayAt(0.45);
  const topActor = await db.auditEvent.groupBy({
    by: ["actorName"],
    where: { id: { gt: (await lastId(db)) - 5000n } },
    _count: { _all: true },
    orderBy: { _count: { actorName: "desc" } },
    take: 1,
  });
  const actor = (topActor[0]?.actorName ?? "Priya").split(/\s+/)[0]!.toLowerCase().slice(0, 5);
  const topAction =
    (
      await db.auditEvent.groupBy({
        by: ["action"],
        where: { id: { gt: (await lastId(db)) - 5000n } },
        _count: { _all: true },
        orderBy: { _count: { action: "desc" } },
        take: 1,
      })
    )[0]?.action ?? "access.denied";
  // An actor with events, none of them on the old day (the search that read the whole day's
  // events to find none before decision 047), the busiest such.
  const [absent] = await db.$queryRaw<{ name: string }[]>`
    SELECT n."name" FROM "AuditActorName" n
    WHERE NOT EXISTS (SELECT 1 FROM "AuditEvent" e WHERE e."actorName" = n."name"
      AND e."createdAt" >= ${`${oldDay}T00:00:00Z`}::timestamptz
      AND e."createdAt" < ${`${oldDay}T00:00:00Z`}::timestamptz + interval '1 day')
    ORDER BY (SELECT count(*) FROM (SELECT 1 FROM "AuditEvent" e WHERE e."actorName" = n."name"
      LIMIT 100000) AS recent) DESC
    LIMIT 1`;
  const elsewhere = absent ? absent.name.toLowerCase().slice(0, 12) : "zzqxv";
  return [
    ["no filter", {}],
    [`action ${topAction}`, { action: topAction }],
    ["refusals", { outcome: "REFUSED" }],
    [`refusals of ${topAction}`, { action: topAction, outcome: "REFUSED" }],
    ["events about one user", { userId: "{user}" }],
    ["one case's timeline", { caseId: "{case}" }],
    [`actor contains '${actor}'`, { actor }],
    ["actor, no match 'zzqxv'", { actor: "zzqxv" }],
    [`actor '${actor}', refusals`, { actor, outcome: "REFUSED" }],
    [`one old day ${oldDay}`, { from: oldDay, to: oldDay }],
    [`one recent day ${recentDay}`, { from: recentDay, to: recentDay }],
    [`30 days from ${month}`, { from: month, to: plusDays(month, 29) }],
    [`from ${month} on`, { from: month }],
    [`up to ${oldDay}`, { to: oldDay }],
    [`old day, action ${topAction}`, { from: oldDay, to: oldDay, action: topAction }],
    [`old day, refusals`, { from: oldDay, to: oldDay, outcome: "REFUSED" }],
    [
      `30 days, refusals of ${topAction}`,
      { from: month, to: plusDays(month, 29), action: topAction, outcome: "REFUSED" },
    ],
    [`old day, actor '${actor}'`, { from: oldDay, to: oldDay, actor }],
    ["old day, actor no match", { from: oldDay, to: oldDay, actor: "zzqxv" }],
    [
      `old day, actor '${elsewhere}' (none that day)`,
      { from: oldDay, to: oldDay, actor: elsewhere },
    ],
    ["30 days, one user", { from: month, to: plusDays(month, 29), userId: "{rangeUser}" }],
    ["second page of an old day (cursor)", { from: oldDay, to: oldDay, before: "{dayCursor}" }],
    ["page in the middle (cursor)", { before: "{middle}" }],
    ["newer page from the middle (cursor)", { after: "{middle}" }],
    ["reads of the trail shown", { reads: "shown" }],
  ];
}

async function lastId(db: Db) {
  return (
    (await db.auditEvent.findFirst({ orderBy: { id: "desc" }, select: { id: true } }))?.id ?? 0n
  );
}

/** The ids and rows a filter names, looked up in each database (the sample has its own). */
async function placeholders(db: Db, filters: Filter[]) {
  const user = await db.auditEvent.findFirst({
    where: { subjectUserId: { not: null } },
    orderBy: { id: "desc" },
    select: { subjectUserId: true },
  });
  const kase = await db.auditEvent.findFirst({
    where: { caseId: { not: null } },
    orderBy: { id: "desc" },
    select: { caseId: true },
  });
  const count = await db.auditEvent.count();
  const middle = await db.auditEvent.findFirst({
    orderBy: { id: "asc" },
    skip: Math.floor(count / 2),
    select: { id: true },
  });
  const day = filters.find(([label]) => label.startsWith("second page"))?.[1];
  const dayPage = day
    ? await readAuditPage(
        db,
        { ...AuditSearchSchema.parse({ from: day.from, to: day.to }), actorNames: null },
        AUDIT_PAGE_SIZE,
      )
    : [];
  // A user with events inside the 30 days the combination searches.
  const range = filters.find(([, input]) => input.userId === "{rangeUser}")?.[1];
  const rangeUser = range
    ? await db.auditEvent.findFirst({
        where: {
          subjectUserId: { not: null },
          createdAt: {
            gte: new Date(`${range.from}T00:00:00Z`),
            lte: new Date(`${range.to}T23:59:59Z`),
          },
        },
        select: { subjectUserId: true },
      })
    : null;
  const values: Record<string, string | undefined> = {
    "{user}": user?.subjectUserId ?? undefined,
    "{rangeUser}": rangeUser?.subjectUserId ?? undefined,
    "{case}": kase?.caseId ?? undefined,
    "{middle}": middle?.id.toString(),
    "{dayCursor}": dayPage.at(-1)?.id.toString(),
  };
  return (input: Record<string, string>) => {
    const out: Record<string, string> = {};
    for (const [key, value] of Object.entries(input)) {
      const resolved = value in values ? values[value] : value;
      if (resolved === undefined) return null;
      out[key] = resolved;
    }
    return out;
  };
}

/**
 * The buffer pages the page's id query touches (EXPLAIN ANALYZE BUFFERS of auditPageQuery): the
 * work a filter does, which the machine's load does not change. The rows by id add 51 lookups.
 */
async function pagesRead(db: Db, search: ResolvedAuditSearch) {
  const [result] = await db.$queryRaw<{ "QUERY PLAN": [{ Plan: Record<string, number> }] }[]>(
    Prisma.sql`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) ${auditPageQuery(search, AUDIT_PAGE_SIZE + 1)}`,
  );
  const plan = result!["QUERY PLAN"][0].Plan;
  return (plan["Shared Hit Blocks"] ?? 0) + (plan["Shared Read Blocks"] ?? 0);
}

function scratchUrl(databaseUrl: string, name: string) {
  const url = new URL(databaseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** A scratch database from the migrations, holding every k-th event of the benchmark database. */
async function sampleDatabase(ctx: BenchContext, name: string, events: number) {
  const admin = new pg.Client({ connectionString: scratchUrl(ctx.databaseUrl, "postgres") });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await admin.query(`CREATE DATABASE "${name}"`);
  } finally {
    await admin.end();
  }
  await applyMigrations(scratchUrl(ctx.databaseUrl, name));
  const source = new pg.Client({ connectionString: ctx.databaseUrl });
  const target = new pg.Client({ connectionString: scratchUrl(ctx.databaseUrl, name) });
  await source.connect();
  await target.connect();
  try {
    const step = Math.max(1, Math.floor(events / SAMPLE_EVENTS));
    // As the owner, with the audit table's triggers off: the rows keep their ids, positions and
    // times (a scratch copy for reading, never a log anyone verifies).
    await target.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`);
    for (let offset = 0; offset < SAMPLE_EVENTS; offset += 2000) {
      const { rows } = await source.query<{ rows: string }>(
        `SELECT coalesce(jsonb_agg(to_jsonb(e)), '[]')::text AS rows FROM (
           SELECT * FROM "AuditEvent" WHERE id % $1 = 0 ORDER BY id OFFSET $2 LIMIT 2000) AS e`,
        [step, offset],
      );
      const batch = rows[0]!.rows;
      if (batch === "[]") break;
      await target.query(
        `INSERT INTO "AuditEvent" SELECT * FROM jsonb_populate_recordset(NULL::"AuditEvent", $1::jsonb)`,
        [batch],
      );
    }
    // With the triggers off, the actor names the trigger would have recorded (decision 047).
    await target.query(
      `INSERT INTO "AuditActorName" ("name") SELECT DISTINCT "actorName" FROM "AuditEvent" ON CONFLICT DO NOTHING`,
    );
    await target.query(`VACUUM ANALYZE "AuditEvent"`);
    await target.query(`ANALYZE "AuditActorName"`);
    return Number((await target.query(`SELECT count(*)::int AS n FROM "AuditEvent"`)).rows[0].n);
  } finally {
    await source.end();
    await target.end();
  }
}

/** Samples two runs alternately, so the machine's load falls on both alike. */
async function paired(a: () => Promise<unknown>, b: () => Promise<unknown>, runs = RUNS) {
  await a();
  await b();
  const [left, right]: [number[], number[]] = [[], []];
  for (let i = 0; i < runs; i++) {
    let start = performance.now();
    await a();
    left.push(performance.now() - start);
    start = performance.now();
    await b();
    right.push(performance.now() - start);
  }
  return [left, right] as const;
}

async function auditFilters(ctx: BenchContext) {
  const events = await ctx.db.auditEvent.count();
  const filters = await auditProbes(ctx.db);
  if (filters.length === 0) return console.log("\naudit filters: no events, skipped");
  const name = `bench_search_sample_${process.pid}`;
  console.log(
    `\naudit filters, one page of ${AUDIT_PAGE_SIZE} + 1 (readAuditPage: the ids, then the rows), at ${fmt(events)} events and on a sample of ${fmt(SAMPLE_EVENTS)} (every ${fmt(Math.max(1, Math.floor(events / SAMPLE_EVENTS)))}th event, scratch database, dropped afterwards); ${RUNS} runs each, alternating (${load()})`,
  );
  const made = await sampleDatabase(ctx, name, events);
  const small = createDb(scratchUrl(ctx.databaseUrl, name));
  try {
    const [resolveLarge, resolveSmall] = [
      await placeholders(ctx.db, filters),
      await placeholders(small, filters),
    ];
    console.log(
      `  ${"".padEnd(40)} ${`${fmt(made)}: p50 / p95`.padStart(22)} ${`${fmt(events)}: p50 / p95`.padStart(24)}   growth p50  p95   pages read (growth)`,
    );
    const row = (label: string, s: number[], l: number[], note = "") =>
      console.log(
        `  ${label.padEnd(40)} ${`${percentile(s, 50).toFixed(2)} / ${percentile(s, 95).toFixed(2)} ms`.padStart(22)} ${`${percentile(l, 50).toFixed(2)} / ${percentile(l, 95).toFixed(2)} ms`.padStart(24)}   ${ratio(percentile(l, 50), percentile(s, 50)).padStart(6)} ${ratio(percentile(l, 95), percentile(s, 95)).padStart(6)}${note}`,
      );
    const floorId = async (db: Db) =>
      (await db.auditEvent.findFirst({ orderBy: { id: "desc" }, skip: 100, select: { id: true } }))
        ?.id ?? 1n;
    const [largeFloorId, smallFloorId] = [await floorId(ctx.db), await floorId(small)];
    const [floorSmall, floorLarge] = await paired(
      () => small.auditEvent.findUnique({ where: { id: smallFloorId } }),
      () => ctx.db.auditEvent.findUnique({ where: { id: largeFloorId } }),
    );
    row("floor: one event by primary key", floorSmall, floorLarge);
    // Filters whose page the sample cannot fill (a day of the sample holds ~1/100 of the events)
    // read less there than a full page costs: their growth is the page filling, not the table.
    const worst = { p50: 0, p95: 0, pages: 0 };
    const partial: string[] = [];
    for (const [label, input] of filters) {
      const [large, smallInput] = [resolveLarge(input), resolveSmall(input)];
      if (!large || !smallInput) {
        console.log(`  ${label.padEnd(40)} (no such row to filter on: skipped)`);
        continue;
      }
      const [searchSmall, searchLarge] = [
        await resolveAuditSearch(small, AuditSearchSchema.parse(smallInput)),
        await resolveAuditSearch(ctx.db, AuditSearchSchema.parse(large)),
      ];
      const shown = [
        (await readAuditPage(small, searchSmall, AUDIT_PAGE_SIZE + 1)).length,
        (await readAuditPage(ctx.db, searchLarge, AUDIT_PAGE_SIZE + 1)).length,
      ];
      const [s, l] = await paired(
        () => readAuditPage(small, searchSmall, AUDIT_PAGE_SIZE + 1),
        () => readAuditPage(ctx.db, searchLarge, AUDIT_PAGE_SIZE + 1),
      );
      const pages = [await pagesRead(small, searchSmall), await pagesRead(ctx.db, searchLarge)];
      const full = shown[0]! >= shown[1]!;
      if (full) {
        worst.p50 = Math.max(worst.p50, percentile(l, 50) / percentile(s, 50));
        worst.p95 = Math.max(worst.p95, percentile(l, 95) / percentile(s, 95));
        worst.pages = Math.max(worst.pages, pages[1]! / Math.max(1, pages[0]!));
      } else partial.push(label);
      row(
        label,
        s,
        l,
        `   ${`${pages[0]} → ${pages[1]}`.padStart(11)} (${ratio(pages[1]!, Math.max(1, pages[0]!))})   ${shown[0]} / ${shown[1]} rows${full ? "" : " *"}`,
      );
    }
    console.log(
      `  largest growth where the sample fills the page as well: p50 ${worst.p50.toFixed(2)}×, p95 ${worst.p95.toFixed(2)}×, pages read ${worst.pages.toFixed(2)}× (flat: under 2×)` +
        `\n  * the sample has fewer matches than the full size: its page is not full, so it reads less than a page costs (${partial.length} filters)` +
        `\n  p95 on a loaded machine is mostly the scheduler's: read it beside the floor's, and the pages read, which the load does not change`,
    );
  } finally {
    await small.$disconnect();
    const admin = new pg.Client({ connectionString: scratchUrl(ctx.databaseUrl, "postgres") });
    await admin.connect();
    await admin
      .query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)
      .catch((error: unknown) => console.error(`dropping ${name}: ${error}`));
    await admin.end();
  }
}

// ---------------------------------------------------------------------------------------------
// c. Over HTTP.

async function requestsPerSecond(url: string, cookie: string) {
  const until = performance.now() + HTTP_SECONDS * 1000;
  let done = 0;
  let failed = 0;
  const latencies: number[] = [];
  const worker = async () => {
    while (performance.now() < until) {
      const start = performance.now();
      const response = await fetch(url, { headers: { cookie }, redirect: "manual" });
      await response.arrayBuffer();
      if (response.status === 200) {
        done++;
        latencies.push(performance.now() - start);
      } else failed++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: HTTP_CONCURRENCY }, worker));
  return { perSecond: done / ((performance.now() - start) / 1000), failed, latencies };
}

async function overHttp(ctx: BenchContext, baseUrl: string, cookie: string) {
  const probe = await directoryProbes(ctx.db);
  if (!probe.userId) return;
  console.log(
    `\nthe directory over HTTP (${baseUrl}, ${HTTP_CONCURRENCY} at a time, ${HTTP_SECONDS} s each, rendered; ${load()})`,
  );
  const get = (path: string) => requestsPerSecond(`${baseUrl}${path}`, cookie);
  // Warm both pages (the first render compiles and fills caches).
  await fetch(`${baseUrl}/users/${probe.userId}`, { headers: { cookie } }).then((r) => r.text());
  await fetch(`${baseUrl}/users?q=${probe.common}`, { headers: { cookie } }).then((r) => r.text());
  const floor = await get(`/users/${probe.userId}`);
  const report = (label: string, result: Awaited<ReturnType<typeof get>>, against?: number) =>
    console.log(
      `  ${label.padEnd(50)} ${result.perSecond.toFixed(1).padStart(7)} req/s   p50 ${percentile(result.latencies, 50).toFixed(0).padStart(5)} ms   p95 ${percentile(result.latencies, 95).toFixed(0).padStart(5)} ms${against ? `   ${(result.perSecond / against).toFixed(2)}× the user page` : ""}${result.failed ? `   ${result.failed} failed` : ""}`,
    );
  report(`/users/<id> (the user page)`, floor);
  const paths: [string, string][] = [
    [`/users?q=${probe.common}`, `/users?q=${encodeURIComponent(probe.common)}`],
    [`/users (everyone)`, `/users`],
    ...(probe.lateFirst
      ? ([[`/users?q=${probe.lateFirst}`, `/users?q=${encodeURIComponent(probe.lateFirst)}`]] as [
          string,
          string,
        ][])
      : []),
    ...(probe.fullName
      ? ([[`/users?q=<one full name>`, `/users?q=${encodeURIComponent(probe.fullName)}`]] as [
          string,
          string,
        ][])
      : []),
    // The desk's searches (issue 12).
    ...(
      [
        ["/users?q=<phone read out>", probe.phoneNational],
        ["/users?q=<a shared phone>", probe.switchboard],
        ["/users?q=<employee ID starts>", probe.idPrefix],
        ["/users?q=<first.last>", probe.firstLast],
        ["/users?q=<surname, first>", probe.surnameComma],
      ] as [string, string | null][]
    ).flatMap(([label, q]) =>
      q ? [[label, `/users?q=${encodeURIComponent(q)}`] as [string, string]] : [],
    ),
  ];
  for (const [label, path] of paths) report(label, await get(path), floor.perSecond);
}
