/**
 * The audit filters as the page, the export and the benchmark read them (audit-where.ts): date
 * ranges and the actor search return exactly the matching rows, in order, page after page,
 * whatever order the rows' ids and times are in (docs/decisions/022).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { db } from "@/tests/db";
import { auditRowBatches, auditWhereSql, connectForBulkRead } from "./audit-rows";
import { auditPageIds, exportCondition, readAuditPage, resolveAuditSearch } from "./audit-where";

const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });

type Row = { at: string; actor: string; outcome?: "ALLOWED" | "REFUSED" };

/**
 * Rows around 2026-03-10 (UTC), inserted as the owner in a scrambled order, so that ids and
 * times disagree (as a moved createdAt, a planted row or a clock stepping back would make them).
 * Two rows share an instant; two differ by microseconds inside one millisecond.
 */
const ROWS: Row[] = [
  { at: "2026-03-09T23:59:59.999999Z", actor: "Priya Shah" },
  { at: "2026-03-10T00:00:00.000000Z", actor: "Lucia Romero" },
  { at: "2026-03-10T08:30:00.000000Z", actor: "Luc Besson", outcome: "REFUSED" },
  { at: "2026-03-10T12:00:00.000100Z", actor: "Priya Shah" },
  { at: "2026-03-10T12:00:00.000900Z", actor: "Lucia Romero", outcome: "REFUSED" },
  { at: "2026-03-10T15:00:00.000000Z", actor: "Tom Becker" },
  { at: "2026-03-10T15:00:00.000000Z", actor: "Grace Okafor" },
  { at: "2026-03-10T23:59:59.999999Z", actor: "100%_done bot" },
  { at: "2026-03-11T00:00:00.000000Z", actor: "Lucia Romero" },
  { at: "2026-03-12T09:00:00.000000Z", actor: "Tom Becker" },
  { at: "2026-03-08T09:00:00.000000Z", actor: "Mei Lin" },
];
const ORDER = [7, 2, 10, 5, 0, 8, 3, 9, 6, 1, 4];

type Stored = { id: bigint; at: string; actor: string; outcome: string };
let stored: Stored[] = [];

beforeAll(async () => {
  await owner.connect();
  // v1 rows (whose time is the writer's), with the audit table's triggers on: each row's actor
  // name goes into AuditActorName as any insert's does.
  await owner.query("BEGIN");
  for (const i of ORDER)
    await owner.query(
      `INSERT INTO "AuditEvent" ("formatVersion", "createdAt", action, outcome, "actorType", "actorName", data)
       VALUES (1, $1, 'access.denied', $2, 'STAFF', $3, '{}')`,
      [ROWS[i]!.at, ROWS[i]!.outcome ?? "ALLOWED", ROWS[i]!.actor],
    );
  await owner.query("COMMIT");
  const { rows } = await owner.query<{ id: string; at: string; actor: string; outcome: string }>(
    `SELECT id, to_char("createdAt" AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at,
       "actorName" AS actor, outcome FROM "AuditEvent"`,
  );
  stored = rows.map((row) => ({ ...row, id: BigInt(row.id) }));
  expect(stored).toHaveLength(ROWS.length);
});

afterAll(async () => {
  await owner.end();
});

/** A search as the page reads it: parsed, its actor matched against the trail's names. */
const search = (input: Record<string, string>) =>
  resolveAuditSearch(db, AuditSearchSchema.parse(input));

/** What a filter must return, worked out the plain way: every row checked. */
function expected(keep: (row: Stored) => boolean, order: "time" | "id") {
  return stored
    .filter(keep)
    .sort((a, b) =>
      order === "time"
        ? a.at === b.at
          ? Number(b.id - a.id)
          : a.at < b.at
            ? 1
            : -1
        : Number(b.id - a.id),
    )
    .map((row) => row.id);
}

/** Every page of a search, `take` rows at a time, following the page's own cursor. */
async function allPages(input: Record<string, string>, take: number) {
  const pages: bigint[][] = [];
  let before: string | undefined;
  for (;;) {
    const ids = await auditPageIds(
      db,
      await search({ ...input, ...(before ? { before } : {}) }),
      take,
    );
    pages.push(ids);
    if (ids.length < take) return pages;
    before = ids.at(-1)!.toString();
  }
}

/** On one of the days from `from` to `to` (UTC), both included. */
const day = (row: Stored, from: string, to: string) =>
  row.at.slice(0, 10) >= from && row.at.slice(0, 10) <= to;

describe("a date range", () => {
  it("returns exactly the rows of the day, boundaries included, newest first", async () => {
    const rows = await readAuditPage(
      db,
      await search({ from: "2026-03-10", to: "2026-03-10" }),
      50,
    );
    const want = expected((row) => row.at.startsWith("2026-03-10"), "time");
    expect(want).toHaveLength(7);
    expect(rows.map((row) => row.id)).toEqual(want);
    // The first and the last microsecond of the day are in; the last of the day before and the
    // first of the day after are not.
    const at = (id: bigint) => stored.find((row) => row.id === id)!.at;
    expect(at(want[0]!)).toBe("2026-03-10T23:59:59.999999Z");
    expect(at(want.at(-1)!)).toBe("2026-03-10T00:00:00.000000Z");
  });

  it("pages through a range with the page's cursor: no row twice, none missed, even within a millisecond", async () => {
    for (const take of [1, 2, 3]) {
      const pages = await allPages({ from: "2026-03-10", to: "2026-03-11" }, take);
      expect(pages.flat()).toEqual(expected((row) => day(row, "2026-03-10", "2026-03-11"), "time"));
    }
  });

  it("takes open-ended ranges and ranges of several days", async () => {
    const cases: [Record<string, string>, (row: Stored) => boolean][] = [
      [{ from: "2026-03-10" }, (row) => row.at.slice(0, 10) >= "2026-03-10"],
      [{ to: "2026-03-09" }, (row) => row.at.slice(0, 10) <= "2026-03-09"],
      [{ from: "2026-03-09", to: "2026-03-11" }, (row) => day(row, "2026-03-09", "2026-03-11")],
      [{ from: "2026-03-08", to: "2026-03-08" }, (row) => row.at.startsWith("2026-03-08")],
    ];
    for (const [input, keep] of cases) {
      const want = expected(keep, "time");
      expect(want.length).toBeGreaterThan(0);
      expect((await allPages(input, 2)).flat(), JSON.stringify(input)).toEqual(want);
    }
  });

  it("returns nothing for a day without events, or a range that ends before it starts", async () => {
    expect(
      await auditPageIds(db, await search({ from: "2026-03-13", to: "2026-03-13" }), 50),
    ).toEqual([]);
    expect(
      await auditPageIds(db, await search({ from: "2026-03-12", to: "2026-03-10" }), 50),
    ).toEqual([]);
    expect(await auditPageIds(db, await search({ to: "2026-03-07" }), 50)).toEqual([]);
    // A cursor that names no row gives an empty page rather than a wrong one.
    expect(
      await auditPageIds(db, await search({ from: "2026-03-10", before: "999999999" }), 50),
    ).toEqual([]);
  });

  it("combines with the other filters", async () => {
    const refused = await readAuditPage(
      db,
      await search({ from: "2026-03-10", to: "2026-03-10", outcome: "REFUSED" }),
      50,
    );
    expect(refused.map((row) => row.actorName)).toEqual(["Lucia Romero", "Luc Besson"]);
    const lucia = await auditPageIds(db, await search({ from: "2026-03-10", actor: "lucia" }), 50);
    expect(lucia).toEqual(
      expected((row) => row.at >= "2026-03-10" && row.actor === "Lucia Romero", "time"),
    );
    expect(lucia).toHaveLength(3);
  });

  it("exports exactly the range's rows, oldest first by id, in batches", async () => {
    const exported = async (filters: Record<string, string>, size: number) => {
      const reader = await connectForBulkRead(process.env.DATABASE_URL!);
      try {
        const where = auditWhereSql(await exportCondition(db, await search(filters)));
        const batches = [];
        for await (const batch of auditRowBatches(reader, { where, batch: size }))
          batches.push(batch);
        return batches;
      } finally {
        await reader.end();
      }
    };
    for (const size of [1, 2, 50]) {
      const batches = await exported({ from: "2026-03-10", to: "2026-03-10" }, size);
      expect(batches.every((batch) => batch.length <= size)).toBe(true);
      expect(batches.flat().map((row) => row.id)).toEqual(
        expected((row) => row.at.startsWith("2026-03-10"), "id").reverse(),
      );
    }
    expect(await exported({ from: "2026-03-13" }, 2)).toEqual([]);
  });
});

describe("the actor search", () => {
  it("matches a part of the name, in any case, newest first by id", async () => {
    const ids = (await allPages({ actor: "LUC" }, 2)).flat();
    expect(ids).toEqual(expected((row) => row.actor.toLowerCase().includes("luc"), "id"));
    expect(ids).toHaveLength(4);
    expect(await auditPageIds(db, await search({ actor: "romero" }), 50)).toEqual(
      expected((row) => row.actor === "Lucia Romero", "id"),
    );
    expect(await auditPageIds(db, await search({ actor: "Nobody Here" }), 50)).toEqual([]);
  });

  it("takes % and _ literally", async () => {
    expect(
      (await readAuditPage(db, await search({ actor: "0%_d" }), 50)).map((row) => row.actorName),
    ).toEqual(["100%_done bot"]);
    expect(await auditPageIds(db, await search({ actor: "a%a" }), 50)).toEqual([]);
    expect(await auditPageIds(db, await search({ actor: "___" }), 50)).toEqual([]);
  });

  it("refuses fewer than 3 characters, with a message that says so", () => {
    for (const actor of ["Lu", " Lu ", "é"]) {
      const result = AuditSearchSchema.safeParse({ actor });
      expect(result.success).toBe(false);
      expect(result.error!.issues.map((issue) => issue.message)).toEqual([
        "Search for at least 3 characters of the actor's name.",
      ]);
    }
    expect(AuditSearchSchema.parse({ actor: " Luc " }).actor).toBe("Luc");
    expect(AuditSearchSchema.parse({ actor: "" }).actor).toBeUndefined();
  });
});
