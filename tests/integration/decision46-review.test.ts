/**
 * An attacker's and reliability reviewer's probes of decision 046 (txSql: an audited transaction's
 * raw statements sent straight to its own pg connection). The one thing that must never happen: a
 * statement meant for transaction A runs on another connection, outside A or inside another
 * transaction; and a result or error other than `tx.$queryRaw`'s that a caller depends on.
 * Tests named "HELD" pin what was probed and holds.
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Prisma, PrismaClient } from "@/generated/prisma/client";
import { isDatabaseUnavailable } from "@/lib/domain/database-unavailable";
import { pgPool } from "@/lib/pg-connect";
import { auditedTransaction, recordAudit, type Tx } from "@/lib/server/audit";
import { statementsSentDirectly, txSql } from "@/lib/server/tx-sql";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";

/** A client over node-postgres's own pool (not the app's): its transactions are never claimed. */
const plain = new PrismaClient({
  adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 4 }),
});
/** The database's owner, to end a backend as an outage would. */
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL! });
beforeAll(() => owner.connect());
afterAll(async () => {
  await plain.$disconnect();
  await owner.end();
});

/** Thrown to roll a transaction back with what it saw. */
class Seen {
  constructor(readonly value: unknown) {}
}

/** Runs `work` in an audited transaction on the app's pool, rolls it back, returns what it saw. */
async function rolledBack<T>(work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    await auditedTransaction(db, async (tx) => {
      throw new Seen(await work(tx));
    });
  } catch (error) {
    if (error instanceof Seen) return error.value as T;
    throw error;
  }
  throw new Error("unreachable");
}

/** What an error is to a caller: its class, Prisma code, meta and message. */
function described(error: unknown) {
  const e = error as { code?: unknown; meta?: unknown; message?: unknown };
  return { class: error?.constructor.name, code: e.code, meta: e.meta, message: e.message };
}

/** The statement straight and through tx.$queryRaw, each in its own rolled back transaction. */
/**
 * The statement both ways. `straight`: whether txSql sends it straight (false for the values it
 * leaves to Prisma: objects sent as JSON, NaN and infinities, invalid or far Dates).
 */
async function bothWays(sql: Prisma.Sql, setup?: Prisma.Sql, straight = true) {
  const run = (way: "direct" | "prisma") =>
    rolledBack(async (tx) => {
      if (setup) await tx.$executeRaw(setup);
      const before = statementsSentDirectly();
      const answer = await (
        way === "direct" ? txSql(tx).query(sql.strings, ...sql.values) : tx.$queryRaw(sql)
      ).then(
        (rows) => ({ rows }),
        (error: unknown) => ({ error: described(error) }),
      );
      return { answer, sent: statementsSentDirectly() - before };
    });
  const direct = await run("direct");
  const prisma = await run("prisma");
  expect(direct.sent).toBe(straight ? 1 : 0);
  return { direct: direct.answer, prisma: prisma.answer };
}

const xidOf = (rows: { xid: bigint }[]) => rows[0]!.xid;

describe("decision 046 under attack: which transaction a statement runs in", () => {
  it("FIXED: an audited transaction on another pool never has its statements run inside a transaction the app's pool opens in its work", async () => {
    // The decision says: "a client over another pool: the statement goes through Prisma as
    // before. So a statement never runs outside the transaction it was written for." But the
    // slot of such a transaction stays unclaimed all through its work, and the first exact
    // "BEGIN" any PrimaryClient sends in that async scope claims it.
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const seen: { outer?: bigint; inner?: bigint; viaTxSql?: bigint } = {};
    await expect(
      auditedTransaction(plain as unknown as typeof db, async (tx) => {
        seen.outer = xidOf(await tx.$queryRaw`SELECT txid_current() AS xid`);
        await db.$transaction(async (innerTx) => {
          seen.inner = xidOf(await innerTx.$queryRaw`SELECT txid_current() AS xid`);
          seen.viaTxSql = xidOf(await txSql(tx).query`SELECT txid_current() AS xid`);
          // Meant for the outer transaction, which rolls back below.
          await txSql(tx)
            .execute`UPDATE "WorkforceUser" SET title = 'written by A' WHERE id = ${user.id}::uuid`;
        });
        throw new Error("A rolls back");
      }),
    ).rejects.toThrow("A rolls back");
    // Run in A, and A's write did not survive A's rollback.
    expect({
      ranIn: seen.viaTxSql,
      title: (await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).title,
    }).toStrictEqual({ ranIn: seen.outer, title: user.title });
  });

  it("HELD: an audited transaction opened inside another's work and awaited after it commits keeps each statement in its own transaction", async () => {
    const seen: Record<string, bigint> = {};
    let inner: Promise<unknown> = Promise.resolve();
    await auditedTransaction(db, async (tx) => {
      seen.outer = xidOf(await tx.$queryRaw`SELECT txid_current() AS xid`);
      inner = auditedTransaction(db, async (innerTx) => {
        seen.innerPrisma = xidOf(await innerTx.$queryRaw`SELECT txid_current() AS xid`);
        // Let the outer transaction commit first.
        await new Promise((resolve) => setTimeout(resolve, 50));
        seen.innerDirect = xidOf(await txSql(innerTx).query`SELECT txid_current() AS xid`);
      });
      seen.outerDirect = xidOf(await txSql(tx).query`SELECT txid_current() AS xid`);
      // A plain transaction opened in the work: on its own connection, never the slot's.
      seen.plainInner = await db.$transaction(async (p) =>
        xidOf(await txSql(p).query`SELECT txid_current() AS xid`),
      );
      // A batch transaction too.
      const [batch] = await db.$transaction([
        db.$queryRaw<{ xid: bigint }[]>`SELECT txid_current() AS xid`,
      ]);
      seen.batch = xidOf(batch);
      seen.outerAfter = xidOf(await txSql(tx).query`SELECT txid_current() AS xid`);
    });
    await inner;
    expect(seen.outerDirect).toBe(seen.outer);
    expect(seen.outerAfter).toBe(seen.outer);
    expect(seen.innerDirect).toBe(seen.innerPrisma);
    expect(new Set([seen.outer, seen.innerPrisma, seen.plainInner, seen.batch]).size).toBe(4);
  });

  it("HELD: another pool's connection sending BEGIN inside the work of an audited transaction on the app's pool does not take its statements", async () => {
    const other = pgPool({ connectionString: process.env.DATABASE_URL!, max: 1 });
    try {
      const seen = await auditedTransaction(db, async (tx) => {
        const client = await other.connect();
        try {
          await client.query("BEGIN");
          const [theirs] = (
            await client.query<{ xid: string }>("SELECT txid_current()::text AS xid")
          ).rows;
          const direct = xidOf(await txSql(tx).query`SELECT txid_current() AS xid`);
          await client.query("COMMIT");
          const after = xidOf(await txSql(tx).query`SELECT txid_current() AS xid`);
          const prisma = xidOf(await tx.$queryRaw`SELECT txid_current() AS xid`);
          return { theirs: BigInt(theirs!.xid), direct, after, prisma };
        } finally {
          client.release();
        }
      });
      expect(seen.direct).toBe(seen.prisma);
      expect(seen.after).toBe(seen.prisma);
      expect(seen.theirs).not.toBe(seen.prisma);
    } finally {
      await other.end();
    }
  });

  it("HELD: a timer started in a transaction that runs txSql after its commit writes nothing, even while its connection is lent to another transaction", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    let late: Promise<unknown> = Promise.resolve();
    let pid = 0;
    await auditedTransaction(db, async (tx) => {
      pid = (await txSql(tx).query<{ pid: number }>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
      late = new Promise((resolve) => setTimeout(resolve, 0)).then(
        () =>
          txSql(tx)
            .execute`UPDATE "WorkforceUser" SET title = 'late write' WHERE id = ${user.id}::uuid`,
      );
    });
    // Other transactions take the app's connections meanwhile (one of them likely A's).
    const others = Array.from({ length: 6 }, () =>
      auditedTransaction(db, async (tx) => {
        await txSql(tx).query`SELECT pg_sleep(0.05)`;
        return (await txSql(tx).query<{ pid: number }>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
      }),
    );
    await expect(late).rejects.toThrow(/Transaction already closed/);
    expect(pid).toBeGreaterThan(0);
    await Promise.all(others);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).title).not.toBe(
      "late write",
    );
  });

  it("HELD: a kept transaction's statement sent while its old connection runs the next transaction is refused and writes nothing there", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    let kept: Tx | null = null;
    const pidOf = async (tx: Tx) =>
      (await txSql(tx).query<{ pid: number }>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
    const first = await auditedTransaction(db, async (tx) => {
      kept = tx;
      return pidOf(tx);
    });
    // The pool lends its most recently released connection: the next transaction runs on A's.
    const next = await auditedTransaction(db, async (tx) => {
      const pid = await pidOf(tx);
      const late = await txSql(kept!)
        .execute`UPDATE "WorkforceUser" SET title = 'late write' WHERE id = ${user.id}::uuid`.then(
        () => null,
        described,
      );
      const [seen] = await txSql(tx).query<{
        title: string;
      }>`SELECT title FROM "WorkforceUser" WHERE id = ${user.id}::uuid`;
      return { pid, late, seen: seen!.title };
    });
    expect(next.pid).toBe(first);
    expect(next.late).toMatchObject({
      message: expect.stringMatching(/Transaction already closed/),
    });
    expect(next.seen).toBe(user.title);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).title).toBe(
      user.title,
    );
  });

  it("HELD: a transaction timing out while a txSql statement runs commits nothing, neither its writes nor its events, and its connection serves the next one clean", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const eventsBefore = await db.auditEvent.count();
    await expect(
      auditedTransaction(
        db,
        async (tx) => {
          await txSql(tx)
            .execute`UPDATE "WorkforceUser" SET title = 'before the timeout' WHERE id = ${user.id}::uuid`;
          // Queued behind the sleep: the timeout's ROLLBACK comes after it on the connection.
          const queued = txSql(tx)
            .execute`UPDATE "WorkforceUser" SET department = 'queued' WHERE id = ${user.id}::uuid`;
          await txSql(tx).query`SELECT pg_sleep(0.4)`;
          await queued;
          await txSql(tx)
            .execute`UPDATE "WorkforceUser" SET name = 'after the timeout' WHERE id = ${user.id}::uuid`;
          await recordAudit(tx, {
            action: "access.denied",
            outcome: "REFUSED",
            reason: "FORBIDDEN",
            actor: { type: "SYSTEM", name: "decision 046 review" },
            data: { permission: "case.approve", path: `/users/${user.id}` },
          });
        },
        { timeout: 100 },
      ),
    ).rejects.toThrow(/Transaction already closed|expired|timeout/i);
    const row = await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).toMatchObject({ title: user.title, department: user.department, name: user.name });
    expect(await db.auditEvent.count()).toBe(eventsBefore);
    // Every connection of the pool is usable and out of any transaction.
    const sentBefore = statementsSentDirectly();
    const states = await Promise.all(
      Array.from({ length: 8 }, () =>
        auditedTransaction(db, async (tx) => {
          const [row] = await txSql(tx).query<{
            xid: bigint;
          }>`SELECT txid_current() AS xid`;
          const [prisma] = await tx.$queryRaw<{ xid: bigint }[]>`SELECT txid_current() AS xid`;
          return { same: row!.xid === prisma!.xid };
        }),
      ),
    );
    expect(states.every((s) => s.same)).toBe(true);
    expect(statementsSentDirectly() - sentBefore).toBe(8);
  });
});

describe("decision 046 under attack: failures", () => {
  it("HELD: after a failed statement the transaction's next statements fail as through Prisma, and nothing is committed", async () => {
    const [first, second] = [
      await createWorkforceUser(db, { passkeys: 0 }),
      await createWorkforceUser(db, { passkeys: 0 }),
    ];
    const attempt = (way: "direct" | "prisma") =>
      rolledBack(async (tx) => {
        const run = (sql: Prisma.Sql) =>
          (way === "direct"
            ? txSql(tx).execute(sql.strings, ...sql.values)
            : tx.$executeRaw(sql)
          ).then(() => null, described);
        const clash = await run(
          Prisma.sql`UPDATE "WorkforceUser" SET "employeeId" = ${first.employeeId} WHERE id = ${second.id}::uuid`,
        );
        const next = await run(
          Prisma.sql`UPDATE "WorkforceUser" SET title = 'after the clash' WHERE id = ${first.id}::uuid`,
        );
        return { clash, next };
      });
    const direct = await attempt("direct");
    expect(direct.clash).toMatchObject({ code: "P2010" });
    expect(direct.next).toMatchObject({
      code: "P2010",
      meta: { driverAdapterError: { cause: { originalCode: "25P02" } } },
    });
    expect(direct).toStrictEqual(await attempt("prisma"));
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id: first.id } })).title).toBe(
      first.title,
    );
  });

  it("HELD: a kept statement first sent in a failed transaction is prepared again, and works on that connection afterwards", async () => {
    // A text no connection has prepared yet: named after its hash, it is new here.
    const tag = Prisma.raw(`'${crypto.randomUUID()}'`);
    const pidOf = async (tx: Tx) =>
      (await txSql(tx).query<{ pid: number }>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
    const failed = await rolledBack(async (tx) => {
      const pid = await pidOf(tx);
      await txSql(tx).query`SELECT 1 / 0 AS infinite`.catch(() => undefined);
      const error = await txSql(tx)
        .query`/* prepared */ SELECT ${tag}::text AS tag, ${1}::int AS n`.then(
        () => null,
        described,
      );
      return { pid, error };
    });
    expect(failed.error).toMatchObject({
      code: "P2010",
      meta: { driverAdapterError: { cause: { originalCode: "25P02" } } },
    });
    const next = await auditedTransaction(db, async (tx) => ({
      pid: await pidOf(tx),
      rows: await txSql(tx).query`/* prepared */ SELECT ${tag}::text AS tag, ${2}::int AS n`,
    }));
    expect(next.pid).toBe(failed.pid);
    expect(next.rows).toStrictEqual([{ tag: expect.any(String), n: 2 }]);
  });

  for (const [state, label] of [
    ["40001", "a serialization failure"],
    ["40P01", "a deadlock"],
    ["55P03", "a lock timeout"],
    ["57014", "a statement timeout"],
    ["23503", "a foreign key violation"],
  ] as const) {
    it(`HELD: ${label} (${state}) is raised as tx.$queryRaw raises it`, async () => {
      const { direct, prisma } = await bothWays(
        Prisma.sql`DO $$ BEGIN RAISE EXCEPTION 'raised' USING ERRCODE = '${Prisma.raw(state)}'; END $$`,
      );
      expect(direct).toStrictEqual(prisma);
      expect(direct).toMatchObject({ error: { code: "P2010" } });
    });
  }

  it("HELD: a real lock timeout on a row another session holds is raised as tx.$queryRaw raises it", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    await owner.query("BEGIN");
    await owner.query(`SELECT 1 FROM "WorkforceUser" WHERE id = $1 FOR UPDATE`, [user.id]);
    try {
      const { direct, prisma } = await bothWays(
        Prisma.sql`SELECT id FROM "WorkforceUser" WHERE id = ${user.id}::uuid FOR UPDATE`,
        Prisma.sql`SET LOCAL lock_timeout = '50ms'`,
      );
      expect(direct).toStrictEqual(prisma);
      expect(direct).toMatchObject({
        error: {
          code: "P2010",
          meta: { driverAdapterError: { cause: { originalCode: "55P03" } } },
        },
      });
    } finally {
      await owner.query("ROLLBACK");
    }
  });

  it("HELD: a backend ended while a txSql statement runs fails that statement as the database being unavailable, as through Prisma, and commits nothing", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const attempt = async (way: "direct" | "prisma") => {
      const eventsBefore = await db.auditEvent.count();
      let statementError: unknown = null;
      const failure = await auditedTransaction(db, async (tx) => {
        const [row] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
        const pid = row!.pid;
        await tx.$executeRaw`UPDATE "WorkforceUser" SET title = 'lost' WHERE id = ${user.id}::uuid`;
        const sleep = Prisma.sql`SELECT pg_sleep(5)::text AS slept`;
        const outcome = (
          way === "direct" ? txSql(tx).query(sleep.strings, ...sleep.values) : tx.$queryRaw(sleep)
        ).then(
          () => null,
          (error: unknown) => error,
        );
        // End the backend once the statement is running.
        for (let ended = 0; ended === 0;) {
          const { rowCount } = await owner.query(
            `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = $1 AND state = 'active' AND query LIKE '%pg_sleep%'`,
            [pid],
          );
          ended = rowCount ?? 0;
        }
        statementError = await outcome;
        if (statementError) throw statementError;
      }).then(
        () => null,
        (error: unknown) => error,
      );
      return {
        statementFailed: statementError !== null,
        unavailable: isDatabaseUnavailable(statementError),
        transactionUnavailable: isDatabaseUnavailable(failure),
        written:
          (await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).title === "lost",
        events: (await db.auditEvent.count()) - eventsBefore,
      };
    };
    const direct = await attempt("direct");
    expect(direct).toStrictEqual({
      statementFailed: true,
      unavailable: true,
      transactionUnavailable: true,
      written: false,
      events: 0,
    });
    expect(direct).toStrictEqual(await attempt("prisma"));
  });

  it("HELD: a transaction whose backend is ended mid-way fails as the database being unavailable, commits nothing, and the pool serves the next one straight", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const eventsBefore = await db.auditEvent.count();
    let pid = 0;
    const failure = await auditedTransaction(db, async (tx) => {
      pid = (await txSql(tx).query<{ pid: number }>`SELECT pg_backend_pid() AS pid`)[0]!.pid;
      await txSql(tx)
        .execute`UPDATE "WorkforceUser" SET title = 'lost' WHERE id = ${user.id}::uuid`;
      await owner.query("SELECT pg_terminate_backend($1)", [pid]);
      await txSql(tx).query`SELECT 1 AS one`;
      await recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        reason: "FORBIDDEN",
        actor: { type: "SYSTEM", name: "decision 046 review" },
        data: { permission: "case.approve", path: `/users/${user.id}` },
      });
    }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).not.toBeNull();
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect((await db.workforceUser.findUniqueOrThrow({ where: { id: user.id } })).title).toBe(
      user.title,
    );
    expect(await db.auditEvent.count()).toBe(eventsBefore);
    const sentBefore = statementsSentDirectly();
    const next = await Promise.all(
      Array.from({ length: 8 }, () =>
        auditedTransaction(db, async (tx) => {
          const [row] = await txSql(tx).query<{ pid: number }>`SELECT pg_backend_pid() AS pid`;
          const [prisma] = await tx.$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
          return { pid: row!.pid, prisma: prisma!.pid };
        }),
      ),
    );
    expect(next.every((n) => n.pid !== pid && n.pid === n.prisma)).toBe(true);
    expect(statementsSentDirectly() - sentBefore).toBe(8);
  });
});

describe("decision 046 under attack: what .execute counts and several statements in one", () => {
  it("HELD: .execute counts as tx.$executeRaw does: no rows, returned rows, DO, SET, a skipped insert", async () => {
    const statements = [
      Prisma.sql`UPDATE "WorkforceUser" SET title = title WHERE false`,
      Prisma.sql`SELECT generate_series(1, 3)::int AS n`,
      Prisma.sql`DO $$ BEGIN PERFORM 1; END $$`,
      Prisma.sql`SET LOCAL statement_timeout = '5s'`,
      Prisma.sql`SELECT pg_notify('decision46', 'x')`,
      Prisma.sql`UPDATE "WorkforceUser" SET title = title WHERE id IN (SELECT id FROM "WorkforceUser" LIMIT 2)`,
    ];
    for (const statement of statements) {
      const direct = await rolledBack((tx) =>
        txSql(tx)
          .execute(statement.strings, ...statement.values)
          .then((n) => ({ n }), described),
      );
      const prisma = await rolledBack((tx) =>
        tx.$executeRaw(statement).then((n) => ({ n }), described),
      );
      expect({ statement: statement.text, answer: direct }).toStrictEqual({
        statement: statement.text,
        answer: prisma,
      });
    }
  });

  it("FIXED: several statements in one text without values: .query fails as tx.$queryRaw does, never answers undefined for its rows", async () => {
    // Without values node-postgres sends the text as a simple query, which may hold several
    // statements; it then answers an array of results, whose `rows` is undefined: `.query`
    // answers undefined, typed as rows (tx.$queryRaw throws). `.execute` answers 0, as
    // tx.$executeRaw does.
    const several = Prisma.sql`SELECT 1 AS a; SELECT 2 AS b`;
    const execute = (way: "direct" | "prisma") =>
      rolledBack((tx) =>
        (way === "direct"
          ? txSql(tx).execute(several.strings, ...several.values)
          : tx.$executeRaw(several)
        ).then((n) => ({ n }), described),
      );
    expect(await execute("direct")).toStrictEqual(await execute("prisma"));
    const { direct, prisma } = await bothWays(several);
    expect(prisma).toMatchObject({ error: { class: "TypeError" } });
    expect(direct).toMatchObject({ error: expect.anything() });
  });
});

describe("decision 046 under attack: values and answers as tx.$queryRaw's", () => {
  const UUID_A = "7d2c6f0e-0d5e-4a43-9a4e-3f1f6b1d2a01";
  const UUID_B = "7d2c6f0e-0d5e-4a43-9a4e-3f1f6b1d2a02";
  const CHATHAM = Prisma.sql`SET LOCAL TIME ZONE 'Pacific/Chatham'`;
  // The four marked FIXED did not hold at first: values txSql sent or read otherwise than Prisma.
  // Now it leaves the values it cannot send as Prisma does to Prisma (sendsAsPrisma), and reads
  // far dates as Prisma does. Not pinned here, where Prisma fails or loses and txSql answers:
  // a void column, nested arrays, a Decimal of more than 15 digits (Prisma sends it rounded).
  const cases: [string, Prisma.Sql, Prisma.Sql?][] = [
    [
      "HELD: Dates in arrays, in a session far from UTC",
      Prisma.sql`SELECT ${[new Date("2026-03-04T05:06:07.089Z"), null]}::timestamptz[] AS moments, ${[new Date("2026-03-04T00:00:00Z")]}::date[]::text AS days`,
      CHATHAM,
    ],
    [
      "HELD: a Date compared in a non-UTC session",
      Prisma.sql`SELECT ${new Date("2026-03-04T05:06:07Z")}::timestamptz = '2026-03-04T05:06:07Z'::timestamptz AS same, now() > ${new Date(0)} AS later`,
      CHATHAM,
    ],
    [
      "HELD: arrays of uuids, empty and with nulls",
      Prisma.sql`SELECT ${[UUID_A, UUID_B]}::uuid[] AS two, ${[]}::uuid[] AS none, ${[null, UUID_A]}::uuid[] AS "withNull", cardinality(${[]}::uuid[]) AS n`,
    ],
    [
      "HELD: an IN list of Prisma.join, a Prisma.raw fragment and Prisma.empty",
      Prisma.sql`SELECT x FROM (VALUES (${UUID_A}::uuid), (${UUID_B}::uuid)) AS v(x) WHERE x IN (${Prisma.join([UUID_A, UUID_B])}) ${Prisma.empty} ORDER BY ${Prisma.raw("x")} DESC`,
    ],
    [
      "HELD: jsonb with numbers past 2^53 and nested nulls",
      Prisma.sql`SELECT '{"big": 12345678901234567890, "small": 1e400, "n": null}'::jsonb AS raw, ${JSON.stringify({ big: "9007199254740993" })}::jsonb AS sent, ${{ a: [1, null, { b: true }] }}::jsonb AS "objectSent"`,
    ],
    [
      "FIXED: an object holding a bigint sent as a value is sent as tx.$queryRaw sends it (JSON with the bigint's digits), not a TypeError",
      Prisma.sql`SELECT ${{ big: 9007199254740993n }}::jsonb AS json`,
    ],
    [
      "HELD: an object holding a Date, bytes and a Decimal sent as a value",
      Prisma.sql`SELECT ${{ at: new Date("2026-03-04T05:06:07.089Z"), bytes: Buffer.from([1, 2]), n: new Prisma.Decimal("1.5") }}::jsonb AS json`,
    ],
    [
      "HELD: two columns of the same name (an unaliased join)",
      Prisma.sql`SELECT a.id, b.id FROM (VALUES (1)) AS a(id), (VALUES ('two')) AS b(id)`,
    ],
    [
      "HELD: an array of objects sent as a value",
      Prisma.sql`SELECT ${[{ a: 1 }, { b: [2] }]}::jsonb AS json`,
    ],
    [
      "HELD: bytea values, in an array too",
      Prisma.sql`SELECT ${Buffer.from([0, 1, 255])}::bytea AS one, ${[Buffer.from([1]), null]}::bytea[] AS many, ''::bytea AS empty`,
    ],
    [
      "HELD: enums and arrays of enums",
      Prisma.sql`SELECT 'ACTIVE'::"PasskeyStatus" AS one, ARRAY['ACTIVE', 'REVOKED']::"PasskeyStatus"[] AS many, ${"REVOKED"}::"PasskeyStatus" AS sent, ${["ACTIVE"]}::"PasskeyStatus"[] AS "sentMany"`,
    ],
    [
      "HELD: bigints sent as values, alone and in arrays",
      Prisma.sql`SELECT ${2n ** 63n - 1n}::int8 AS max, ${[1n, -2n]}::int8[] AS bigs, ${0.1}::numeric AS tenth`,
    ],
    [
      "HELD: the results of count, sum and avg",
      Prisma.sql`SELECT count(*) AS c, sum(x) AS s, avg(x) AS a, sum(x::int8) AS "sumBig", max(x) AS m FROM (VALUES (1), (2)) AS v(x)`,
    ],
    [
      "HELD: Dates far from now sent as values",
      Prisma.sql`SELECT ${new Date("0099-01-01T00:00:00Z")}::timestamp AS old, ${new Date("9999-12-31T23:59:59.999Z")}::timestamp AS last, ${new Date("1969-12-31T23:59:59.999Z")}::timestamptz AS "beforeEpoch"`,
    ],
    [
      "FIXED: a timestamp or date past the year 9999 reads as tx.$queryRaw reads it, not as an invalid Date",
      Prisma.sql`SELECT '12345-06-07 08:09:10'::timestamp AS far, '12345-06-07 08:09:10+00'::timestamptz AS "farTz", '12345-06-07'::date AS "farDay"`,
    ],
    [
      "FIXED: an invalid Date sent as a value fails as tx.$queryRaw fails (PrismaClientValidationError), not as a database error",
      Prisma.sql`SELECT ${new Date(NaN)}::timestamp AS invalid`,
    ],
    [
      "HELD: timestamps at infinity, before Christ and to the microsecond",
      Prisma.sql`SELECT 'infinity'::timestamptz AS inf, '-infinity'::timestamp AS "minusInf", '0044-03-15 12:00:00 BC'::timestamp AS bc, '2026-01-01 00:00:00.123456'::timestamp AS micro, 'infinity'::date AS "infDay"`,
    ],
    [
      "HELD: a timestamptz whose zone offset has seconds (local mean time), in a session far from UTC",
      Prisma.sql`SELECT '1850-01-01 00:00:00+00'::timestamptz AS lmt`,
      CHATHAM,
    ],
    [
      "HELD: json scalars, null json and text arrays holding quotes and the word NULL",
      Prisma.sql`SELECT '"x"'::jsonb AS str, 'null'::jsonb AS "jsonNull", '[1, 2]'::json AS arr, ARRAY['NULL', NULL, 'a,b', 'q"uote', ''] AS texts, ARRAY[1, NULL]::int8[] AS bigs, ARRAY[true, NULL] AS bools, ARRAY[NULL, 2]::int4[] AS ints, 'ab'::char(4) AS padded`,
    ],
    [
      "HELD: a timestamptz array in a session far from UTC",
      Prisma.sql`SELECT ARRAY['2026-01-02 03:04:05+00', NULL]::timestamptz[] AS moments, ARRAY['2026-01-02 03:04:05']::timestamp[] AS locals`,
      CHATHAM,
    ],
    [
      "FIXED: NaN and infinities sent as numbers are sent as tx.$queryRaw sends them (NULL), not stored as NaN and Infinity",
      Prisma.sql`SELECT ${NaN}::float8 AS nan, ${Infinity}::float8 AS inf, ${-Infinity}::float8 AS "minusInf", ${-0}::float8 AS "minusZero"`,
    ],
    [
      "HELD: arrays of booleans with nulls sent as values",
      Prisma.sql`SELECT ${[true, false, null]}::bool[] AS bools`,
    ],
    ["HELD: undefined sent as a value", Prisma.sql`SELECT ${undefined}::text AS nothing`],
    [
      "HELD: text with odd characters",
      Prisma.sql`SELECT ${"é\u2028'\\\"$1"} AS odd, ${"\u0000"} AS nul`,
    ],
  ];
  // Values txSql leaves to Prisma (lib/server/tx-sql.ts sendsAsPrisma): the same answer, through
  // Prisma.
  const throughPrisma = new Set([
    "HELD: jsonb with numbers past 2^53 and nested nulls",
    "FIXED: an object holding a bigint sent as a value is sent as tx.$queryRaw sends it (JSON with the bigint's digits), not a TypeError",
    "HELD: an object holding a Date, bytes and a Decimal sent as a value",
    "HELD: an array of objects sent as a value",
    "FIXED: an invalid Date sent as a value fails as tx.$queryRaw fails (PrismaClientValidationError), not as a database error",
    "FIXED: NaN and infinities sent as numbers are sent as tx.$queryRaw sends them (NULL), not stored as NaN and Infinity",
  ]);
  for (const [label, sql, setup] of cases) {
    it(label, async () => {
      const { direct, prisma } = await bothWays(sql, setup, !throughPrisma.has(label));
      expect(direct).toStrictEqual(prisma);
    });
  }
});
