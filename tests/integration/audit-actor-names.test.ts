/**
 * The actor search's names (docs/decisions/047): every insert into the audit table, by any path,
 * records its actor's name in AuditActorName; the application role can only read them; a search
 * matches the names first and then reads exactly those names' events, whether it matches none, a
 * few, or more than it names in its condition.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import {
  ACTOR_NAMES_NAMED,
  auditCondition,
  auditPageIds,
  auditPageWindow,
  countHiddenReads,
  exportCondition,
  resolveAuditSearch,
} from "@/lib/server/audit-where";
import { auditRowBatches, auditWhereSql, connectForBulkRead } from "@/lib/server/audit-rows";
import { db } from "@/tests/db";

const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });

beforeAll(() => owner.connect());
afterAll(() => owner.end());

const search = (input: Record<string, string>) =>
  resolveAuditSearch(db, AuditSearchSchema.parse(input));

async function names(): Promise<string[]> {
  const rows = await db.$queryRaw<{ name: string }[]>`
    SELECT "name" FROM "AuditActorName" ORDER BY "name"`;
  return rows.map((row) => row.name);
}

/** Every matching id, newest first, worked out the plain way: every row read. */
async function plainly(where: (row: { actor: string; at: Date }) => boolean) {
  const rows = await db.auditEvent.findMany({
    select: { id: true, actorName: true, createdAt: true },
  });
  return rows
    .filter((row) => where({ actor: row.actorName, at: row.createdAt }))
    .map((row) => row.id)
    .sort((a, b) => (a < b ? 1 : -1));
}

describe("the names the trail holds", () => {
  it("records the actor of every event the console appends, once", async () => {
    const staff = { type: "SYSTEM" as const, name: "Zofia Kowalczyk-Brandt" };
    for (let i = 0; i < 3; i++)
      await auditedTransaction(db, (tx) =>
        recordAudit(tx, {
          action: "access.denied",
          outcome: "REFUSED",
          actor: staff,
          data: { permission: "audit:read", path: "/audit" },
        }),
      );
    expect((await names()).filter((name) => name === staff.name)).toHaveLength(1);
    const found = await auditPageIds(db, await search({ actor: "kowalczyk" }), 50);
    expect(found).toEqual(await plainly((row) => row.actor === staff.name));
    expect(found).toHaveLength(3);
  });

  it("records a row planted by the application role, so the search still finds it (marked)", async () => {
    await db.$executeRaw`INSERT INTO "AuditEvent" ("formatVersion", action, outcome, "actorType", "actorName", data)
      VALUES (1, 'access.denied', 'ALLOWED', 'STAFF', 'Planted Pemberton', '{}')`;
    expect(await names()).toContain("Planted Pemberton");
    expect(await auditPageIds(db, await search({ actor: "pemberton" }), 50)).toEqual(
      await plainly((row) => row.actor === "Planted Pemberton"),
    );
  });

  it("cannot be changed or taken from by the application role (a name it adds finds nothing)", async () => {
    // The trigger runs as the inserting role, so the role may add a name: one with no events.
    await db.$executeRaw`INSERT INTO "AuditActorName" ("name") VALUES ('Someone Else')`;
    expect(await auditPageIds(db, await search({ actor: "someone else" }), 50)).toEqual([]);
    await expect(db.$executeRaw`DELETE FROM "AuditActorName"`).rejects.toThrow(/permission denied/);
    await expect(
      db.$executeRaw`UPDATE "AuditActorName" SET "name" = 'Nobody' WHERE "name" = 'Planted Pemberton'`,
    ).rejects.toThrow(/permission denied/);
    expect(await names()).toContain("Planted Pemberton");
    // Nor may it attach the trigger's function to a table of its own (one connection: a
    // transaction).
    await expect(
      db.$transaction(async (tx) => {
        await tx.$executeRawUnsafe(`CREATE TEMP TABLE "Decoy" ("actorName" text)`);
        await tx.$executeRawUnsafe(
          `CREATE TRIGGER "decoy" BEFORE INSERT ON pg_temp."Decoy"
             FOR EACH ROW EXECUTE FUNCTION public."audit_event_actor_name"()`,
        );
      }),
    ).rejects.toThrow(/permission denied for function (public\.)?audit_event_actor_name/);
  });
});

describe("a search", () => {
  it("that matches no name reads nothing and finds nothing, with or without a day", async () => {
    const none = await search({ actor: "qqzzx" });
    expect(none.actorNames).toEqual([]);
    expect(await auditPageIds(db, none, 50)).toEqual([]);
    const day = await search({ actor: "qqzzx", from: "2026-01-01", to: "2026-12-31" });
    expect(await auditPageIds(db, day, 50)).toEqual([]);
    const window = await auditPageWindow(db, day, 50);
    expect(window).toEqual({ ids: [], newer: null, older: null });
    expect(await countHiddenReads(db, day, window)).toEqual({ count: 0, atLeast: false });
  });

  it("that matches more names than it can name reads the same rows through the names table", async () => {
    // More actors whose names share "Rotaagent" than a condition names one by one, each with an
    // event; their times are the owner's (v1 rows), spread over two days.
    await owner.query(
      `INSERT INTO "AuditEvent" ("formatVersion", "createdAt", action, outcome, "actorType", "actorName", data)
       SELECT 1, timestamptz '2026-05-01T00:00:00Z' + (n * interval '137 seconds'), 'access.denied',
         'ALLOWED', 'STAFF', 'Rotaagent ' || lpad(n::text, 5, '0'), '{}'
       FROM generate_series(1, $1::int) AS n`,
      [ACTOR_NAMES_NAMED + 5],
    );
    const many = await search({ actor: "rotaagent" });
    expect(many.actorNames).toBe("many");
    const theirs = (row: { actor: string }) => row.actor.startsWith("Rotaagent ");
    const all = await plainly(theirs);
    expect(all).toHaveLength(ACTOR_NAMES_NAMED + 5);
    expect(await everyPage(many, 400)).toEqual(all);
    // The same names named one by one read the same rows.
    const named = { ...many, actorNames: await namesLike("Rotaagent %") };
    expect(named.actorNames).toHaveLength(ACTOR_NAMES_NAMED + 5);
    expect(await everyPage(named, 400)).toEqual(all);
    // With a day, newest first by time: the rows of 1 May only.
    const day = await search({ actor: "rotaagent", from: "2026-05-01", to: "2026-05-01" });
    const firstOfMay = await plainly(
      (row) => theirs(row) && row.at.toISOString().startsWith("2026-05-01"),
    );
    expect(firstOfMay.length).toBeGreaterThan(600);
    expect(await everyPage(day, 250)).toEqual(firstOfMay);
    expect(await everyPage({ ...day, actorNames: named.actorNames }, 250)).toEqual(firstOfMay);
  });

  it("that matches a few names reads exactly their events in a day, newest first", async () => {
    const some = await search({ actor: "agent 0010", from: "2026-05-01", to: "2026-05-01" });
    expect(some.actorNames).toEqual(
      Array.from({ length: 10 }, (_, i) => `Rotaagent ${String(100 + i).padStart(5, "0")}`),
    );
    expect(await auditPageIds(db, some, 50)).toEqual(
      await plainly((row) => row.actor.startsWith("Rotaagent 0010")),
    );
    // The condition names them: no substring match over the events.
    const condition = auditCondition(some);
    expect(condition.text).toContain(`"actorName" = ANY(`);
    expect(condition.text).not.toContain("ILIKE");
  });

  it("names a name with quotes, commas and braces exactly, to the page and to the export", async () => {
    const odd = `O'Brien, "Ted" {\\x}`;
    await db.$executeRaw`INSERT INTO "AuditEvent" ("formatVersion", action, outcome, "actorType", "actorName", data)
      VALUES (1, 'access.denied', 'ALLOWED', 'STAFF', ${odd}, '{}')`;
    const resolved = await search({ actor: `"ted"` });
    expect(resolved.actorNames).toEqual([odd]);
    const want = await plainly((row) => row.actor === odd);
    expect(want).toHaveLength(1);
    expect(await auditPageIds(db, resolved, 50)).toEqual(want);
    // The export reads through node-postgres, which writes the array its own way.
    const reader = await connectForBulkRead(process.env.DATABASE_URL!);
    try {
      const where = auditWhereSql(await exportCondition(db, resolved));
      const exported = [];
      for await (const batch of auditRowBatches(reader, { where, batch: 10 }))
        exported.push(...batch.map((row) => row.id));
      expect(exported).toEqual(want);
    } finally {
      await reader.end();
    }
  });

  it("must be resolved first: an actor filter never reaches the events unmatched", () => {
    expect(() =>
      auditCondition({ ...AuditSearchSchema.parse({ actor: "rotaagent" }), actorNames: null }),
    ).toThrow(/resolved first/);
  });
});

async function namesLike(pattern: string): Promise<string[]> {
  const rows = await db.$queryRaw<{ name: string }[]>`
    SELECT "name" FROM "AuditActorName" WHERE "name" LIKE ${pattern}`;
  return rows.map((row) => row.name);
}

/** Every page of a search, `take` ids at a time, following the page's cursor. */
async function everyPage(
  resolved: Awaited<ReturnType<typeof resolveAuditSearch>>,
  take: number,
): Promise<bigint[]> {
  const ids: bigint[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await auditPageIds(db, { ...resolved, ...(before ? { before } : {}) }, take);
    ids.push(...page);
    if (page.length < take) return ids;
    before = page.at(-1)!.toString();
  }
}
