/**
 * Raw statements sent straight to an audited transaction's own connection (lib/server/tx-sql.ts,
 * docs/decisions/046): they run in that transaction and no other, however many run at once; they
 * answer exactly as `tx.$queryRaw` does, values and errors, in a session far from UTC; and the
 * product's revocation sends its six statements that way.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import { afterAll, describe, expect, it } from "vitest";
import { Prisma, PrismaClient } from "@/generated/prisma/client";
import { auditedTransaction, recordAudit, type Tx } from "@/lib/server/audit";
import { revokeAllWithinUnit, revokePasskeys } from "@/lib/server/revoke-passkeys";
import { statementsSentDirectly, txSql } from "@/lib/server/tx-sql";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";
import { actor } from "@/tests/recovery";

/** A client over node-postgres's own pool (not the app's): its transactions are never claimed. */
const plain = new PrismaClient({
  adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 4 }),
});
afterAll(() => plain.$disconnect());

/** Thrown to roll a transaction back with what it saw. */
class Seen {
  constructor(readonly value: unknown) {}
}

/** Runs `work` in an audited transaction on `client`, rolls it back, and returns what it saw. */
async function rolledBack<T>(client: typeof db, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    await auditedTransaction(client, async (tx) => {
      throw new Seen(await work(tx));
    });
  } catch (error) {
    if (error instanceof Seen) return error.value as T;
    throw error;
  }
  throw new Error("unreachable");
}

/** The same statement through txSql and through tx.$queryRaw, in one transaction far from UTC. */
async function bothWays(strings: TemplateStringsArray, ...values: unknown[]) {
  return rolledBack(db, async (tx) => {
    await tx.$executeRaw`SET LOCAL TIME ZONE 'Pacific/Chatham'`;
    const before = statementsSentDirectly();
    const direct = await txSql(tx).query(strings, ...values);
    const sent = statementsSentDirectly() - before;
    const prisma = await tx.$queryRaw(Prisma.sql(strings, ...(values as Prisma.Sql[])));
    return { direct, prisma, sent };
  });
}

/** What an error is to a caller: its class, Prisma code, meta and message. */
function described(error: unknown) {
  const e = error as { code?: unknown; meta?: unknown; message?: unknown };
  return { class: error?.constructor.name, code: e.code, meta: e.meta, message: e.message };
}

const UUID_A = "7d2c6f0e-0d5e-4a43-9a4e-3f1f6b1d2a01";
const UUID_B = "7d2c6f0e-0d5e-4a43-9a4e-3f1f6b1d2a02";

describe("a raw statement of an audited transaction", () => {
  it("runs on that transaction's own connection, with many transactions at once", async () => {
    const before = statementsSentDirectly();
    const seen = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        auditedTransaction(db, async (tx) => {
          const ask = Prisma.sql`SELECT pg_backend_pid() AS pid, txid_current() AS xid, ${i}::int AS i`;
          const direct = await txSql(tx).query<{
            pid: number;
            xid: bigint;
          }>`SELECT pg_backend_pid() AS pid, txid_current() AS xid, ${i}::int AS i`;
          const prisma = await tx.$queryRaw<{ pid: number; xid: bigint }[]>(ask);
          // A Prisma statement between, then straight again: still the same transaction.
          await tx.workforceUser.count();
          const again = await txSql(tx).query<{
            pid: number;
            xid: bigint;
          }>`SELECT pg_backend_pid() AS pid, txid_current() AS xid, ${i}::int AS i`;
          return { direct, prisma, again };
        }),
      ),
    );
    for (const { direct, prisma, again } of seen) {
      expect(direct).toStrictEqual(prisma);
      expect(again).toStrictEqual(prisma);
    }
    // Each its own transaction.
    expect(new Set(seen.map(({ prisma }) => prisma[0]!.xid)).size).toBe(40);
    expect(statementsSentDirectly() - before).toBe(80);
  });

  it("goes through Prisma when the transaction is not claimed, or is over", async () => {
    const before = statementsSentDirectly();
    // Another pool's transaction: answered by Prisma, in that transaction.
    const other = await auditedTransaction(plain, async (tx) => {
      const [direct] = await txSql(tx).query<{ xid: bigint }>`SELECT txid_current() AS xid`;
      const [prisma] = await tx.$queryRaw<{ xid: bigint }[]>`SELECT txid_current() AS xid`;
      return { direct, prisma };
    });
    expect(other.direct).toStrictEqual(other.prisma);
    // A transaction opened inside an audited one, on another connection, does not take its slot.
    const nested = await auditedTransaction(db, async (tx) => {
      const inner = await db.$transaction(async (innerTx) => {
        const [row] = await txSql(innerTx).query<{ xid: bigint }>`SELECT txid_current() AS xid`;
        return row!.xid;
      });
      const [outer] = await txSql(tx).query<{ xid: bigint }>`SELECT txid_current() AS xid`;
      const [prisma] = await tx.$queryRaw<{ xid: bigint }[]>`SELECT txid_current() AS xid`;
      return { inner, outer: outer!.xid, prisma: prisma!.xid };
    });
    expect(nested.outer).toBe(nested.prisma);
    expect(nested.inner).not.toBe(nested.outer);
    expect(statementsSentDirectly() - before).toBe(1);
    // After the commit its connection is back in the pool (maybe another's): Prisma refuses.
    let kept: Tx | null = null;
    await auditedTransaction(db, async (tx) => {
      kept = tx;
    });
    await expect(txSql(kept!).query`SELECT 1 AS one`).rejects.toThrow(/Transaction/);
    // And after a rollback.
    await expect(
      auditedTransaction(db, async (tx) => {
        kept = tx;
        throw new Error("rolled back");
      }),
    ).rejects.toThrow("rolled back");
    await expect(txSql(kept!).query`SELECT 1 AS one`).rejects.toThrow(/Transaction/);
    expect(statementsSentDirectly() - before).toBe(1);
  });

  it("answers as tx.$queryRaw does: bigint, Date, json, bytes, arrays, enums, nulls", async () => {
    const { direct, prisma, sent } = await bothWays`SELECT
      9007199254740993::int8 AS big, (-9007199254740993)::int8 AS negative, 42::int4 AS int,
      7::int2 AS small, 1.5::float8 AS float, 123456789.123456789::numeric AS decimal, true AS yes,
      'text'::text AS text, 'v'::varchar(4) AS varchar, ${UUID_A}::uuid AS uuid,
      '2026-01-02 03:04:05.678+00'::timestamptz AS tstz, '2026-07-02 23:59:59'::timestamp AS ts,
      '2026-01-02'::date AS day, '{"a": [1, "b", null], "n": 2}'::jsonb AS jsonb,
      '{"x": 1}'::json AS json, '\\x00ff10'::bytea AS bytes, ARRAY['a', NULL, 'c'] AS texts,
      ARRAY[${UUID_A}, ${UUID_B}]::uuid[] AS uuids, ARRAY[9007199254740993, 1]::int8[] AS bigs,
      '{}'::text[] AS empty, 'ACTIVE'::"PasskeyStatus" AS status, count(*) AS count,
      NULL::int8 AS "nullBig", NULL::timestamptz AS "nullTstz", NULL::jsonb AS "nullJson",
      NULL::text AS "nullText", NULL::bytea AS "nullBytes", NULL::uuid[] AS "nullUuids"`;
    expect(sent).toBe(1);
    expect(direct).toStrictEqual(prisma);
    expect(direct[0]).toMatchObject({
      big: 9007199254740993n,
      negative: -9007199254740993n,
      // Prisma's adapter reads a timestamptz's wall-clock time in the session's zone as UTC (right
      // in the console's UTC sessions): 03:04:05.678 UTC is 16:49:05.678 in Chatham (+13:45).
      tstz: new Date("2026-01-02T16:49:05.678Z"),
      ts: new Date("2026-07-02T23:59:59Z"),
      day: new Date("2026-01-02T00:00:00Z"),
      jsonb: { a: [1, "b", null], n: 2 },
      bigs: [9007199254740993n, 1n],
      nullBig: null,
    });
  });

  it("sends values as Prisma does: Date, BigInt, bytes, arrays with nulls, JSON, booleans", async () => {
    const moment = new Date("2026-03-04T05:06:07.089Z");
    const whole = new Date("2026-03-04T05:06:07Z");
    const { direct, prisma, sent } = await bothWays`SELECT
      ${moment}::timestamptz AS tstz, ${moment}::timestamp AS ts, ${whole}::timestamptz AS whole,
      ${moment}::text AS "dateAsText", ${9007199254740993n}::int8 AS big,
      ${Buffer.from([0, 255, 16])}::bytea AS bytes, ${new Uint8Array([1, 2])}::bytea AS uint8,
      ${["a", null, "c"]}::text[] AS texts, ${[UUID_A, null]}::uuid[] AS uuids,
      ${JSON.stringify({ a: [1, null], b: "é" })}::jsonb AS json, ${true}::boolean AS yes,
      ${false} AS "noAsText", ${42}::int4 AS n, ${1.25}::float8 AS f, ${null}::text AS nothing,
      ${"it's"} AS quoted, ${[]}::text[] AS empty`;
    expect(sent).toBe(1);
    expect(direct).toStrictEqual(prisma);
    expect(direct[0]).toMatchObject({
      tstz: moment,
      ts: moment,
      whole,
      big: 9007199254740993n,
      texts: ["a", null, "c"],
      json: { a: [1, null], b: "é" },
    });
  });

  it("fails as tx.$queryRaw does, with PostgreSQL's code", async () => {
    const [first, second] = [
      await createWorkforceUser(db, { passkeys: 0 }),
      await createWorkforceUser(db, { passkeys: 0 }),
    ];
    const statements = [
      Prisma.sql`SELECT ${"not a uuid"}::uuid AS id`,
      Prisma.sql`SELECT 1 / ${0}::int AS infinite`,
      Prisma.sql`UPDATE "WorkforceUser" SET "employeeId" = ${first.employeeId} WHERE id = ${second.id}::uuid`,
      Prisma.sql`SELECT "noSuchColumn" FROM "WorkforceUser"`,
    ];
    for (const statement of statements) {
      const direct = await rolledBack(db, (tx) =>
        txSql(tx)
          .query(statement.strings, ...statement.values)
          .then(() => null, described),
      );
      const prisma = await rolledBack(db, (tx) =>
        tx.$queryRaw(statement).then(() => null, described),
      );
      expect(direct).not.toBeNull();
      expect(direct).toStrictEqual(prisma);
      const executed = await rolledBack(db, (tx) =>
        txSql(tx)
          .execute(statement.strings, ...statement.values)
          .then(() => null, described),
      );
      const prismaExecuted = await rolledBack(db, (tx) =>
        tx.$executeRaw(statement).then(() => null, described),
      );
      expect(executed).toStrictEqual(prismaExecuted);
    }
    // A column of a type whose reading is not Prisma's known: the statement fails, never a value
    // of another shape.
    await expect(
      rolledBack(db, (tx) => txSql(tx).query`SELECT '1 day'::interval AS span`),
    ).rejects.toThrow(/use tx.\$queryRaw/);
    // A unique violation too is P2010 (not P2002) for a raw statement, its SQLSTATE in meta.
    const clash = await rolledBack(db, (tx) =>
      txSql(tx)
        .execute(statements[2]!.strings, ...statements[2]!.values)
        .then(() => null, described),
    );
    expect(clash).toMatchObject({
      code: "P2010",
      meta: { driverAdapterError: { cause: { originalCode: "23505" } } },
    });
  });

  it("is how the revocation's six statements reach the database, each answering as through Prisma", async () => {
    const agent = await actor("AGENT");
    const user = await createWorkforceUser(db, { passkeys: 2 });
    const before = statementsSentDirectly();
    expect(
      await revokePasskeys({
        actor: agent,
        userId: user.id,
        request: { scope: "ALL" },
        reason: "LOST",
      }),
    ).toEqual({ revoked: 2 });
    // The user's lock, readPerson, voidRecovery, the revocation's writes, the notice, the append.
    expect(statementsSentDirectly() - before).toBe(6);

    // The same unit through Prisma (another pool) and straight: the same answers and rows.
    const twins = [
      await createWorkforceUser(db, { passkeys: 3 }),
      await createWorkforceUser(db, { passkeys: 3 }),
    ];
    const answers = [];
    for (const [client, twin] of [
      [plain, twins[0]!],
      [db, twins[1]!],
    ] as const) {
      const sent = statementsSentDirectly();
      const answer = await auditedTransaction(client as typeof db, async (tx) => {
        const result = await revokeAllWithinUnit(tx, {
          userId: twin.id,
          now: new Date(),
          actor: { type: "SYSTEM", name: "tx-sql test" },
          actorId: agent.id,
          reason: "LEAVER",
        });
        await recordAudit(tx, {
          action: "access.denied",
          outcome: "REFUSED",
          reason: "FORBIDDEN",
          actor: { type: "SYSTEM", name: "tx-sql test" },
          data: { permission: "case.approve", path: `/users/${twin.id}` },
        });
        return result;
      });
      answers.push({
        answer,
        direct: statementsSentDirectly() - sent,
        passkeys: await db.passkey.count({ where: { userId: twin.id, status: "REVOKED" } }),
        revocations: await db.revocation.count({ where: { userId: twin.id, scope: "ALL" } }),
        notices: await db.outboxMessage.count({ where: { subjectUserId: twin.id } }),
        events: await db.auditEvent.count({ where: { subjectUserId: twin.id } }),
      });
    }
    const [throughPrisma, straight] = answers;
    expect(throughPrisma!.direct).toBe(0);
    expect(straight!.direct).toBe(5);
    expect({ ...straight, direct: 0 }).toStrictEqual(throughPrisma);
    expect(straight).toMatchObject({ passkeys: 3, revocations: 1, notices: 1, events: 1 });
    expect(straight!.answer.revoked).toBe(3);
  });
});
