/**
 * An attacker's and reliability reviewer's probes of decision 048 (an audited transaction's append
 * and its COMMIT sent in one message of the simple protocol, its values written as literals). What
 * must never happen: a change committed without its events (or the reverse), a statement written
 * for a transaction running outside it, a caller told of a failure when something committed (or
 * of a success when nothing did), a value sent as something other than what Prisma would send.
 * Tests named "HELD" pin what was probed and holds; "FIXED" ones what the review found broken
 * and was mended (numbers are no longer written as literals: only text, booleans and null are).
 */
import { PrismaPg } from "@prisma/adapter-pg";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrismaClient } from "@/generated/prisma/client";
import { createDb, poolOf } from "@/lib/create-db";
import { isDatabaseUnavailable } from "@/lib/domain/database-unavailable";
import { AUDIT_CHAIN_LOCK, auditedTransaction, recordAudit, type Tx } from "@/lib/server/audit";
import { metrics } from "@/lib/server/metrics";
import { executeThenCommit, statementsSentDirectly, txSql } from "@/lib/server/tx-sql";
import { appendWaitsForLock, holdingTheAppendLock, stateOf } from "@/tests/append-lock";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";

/** The app's kind of client, on a pool of 2. */
const app = createDb(process.env.DATABASE_URL!, { poolSize: 2 });
/** The app's kind of client on one connection: the next transaction reuses the last one's. */
const single = createDb(process.env.DATABASE_URL!, { poolSize: 1 });
/** A client over node-postgres's own pool (not the app's): its transactions are never claimed. */
const plain = new PrismaClient({
  adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 2 }),
});
/** The database's owner: holds the append lock, ends backends. */
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL! });

beforeAll(() => owner.connect());
afterAll(async () => {
  await app.$disconnect();
  await single.$disconnect();
  await plain.$disconnect();
  await owner.end();
});

type Client = typeof db;

/** A change to the person and one event, in one audited transaction on `client`. */
function retitle(
  client: Client,
  userId: string,
  title: string,
  options: {
    name?: string;
    path?: string;
    timeout?: number;
    before?: (tx: Tx) => Promise<void>;
  } = {},
) {
  return auditedTransaction(
    client,
    async (tx) => {
      await options.before?.(tx);
      await tx.workforceUser.update({ where: { id: userId }, data: { title } });
      await recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        reason: "FORBIDDEN",
        actor: { type: "SYSTEM", name: options.name ?? "decision 048 review" },
        subjectUserId: userId,
        data: { permission: "case.approve", path: options.path ?? `/users/${userId}` },
      });
      return title;
    },
    options.timeout ? { timeout: options.timeout } : {},
  );
}

/** The audited writes counted as committed (decision 041) for the action these tests record. */
async function countedWrites(): Promise<number> {
  const { values } = await metrics().auditedWrites.get();
  return values.find((value) => value.labels.action === "access.denied")?.value ?? 0;
}

/** Every connection of the client's pool serves a transaction, and is clean. */
async function poolServesClean(client: Client = app) {
  const users = await Promise.all([1, 2, 3].map(() => createWorkforceUser(db, { passkeys: 0 })));
  await Promise.all(users.map((user) => retitle(client, user.id, "clean")));
  for (const user of users)
    expect(await stateOf(user.id)).toMatchObject({ title: "clean", events: 1 });
  // And nothing of any transaction is left open on them.
  const { rows } = await owner.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND state LIKE 'idle in transaction%'
        AND usename <> current_user`,
  );
  expect(rows[0]!.n).toBe(0);
}

describe("decision 048 under attack and failure", () => {
  it("HELD: with standard_conforming_strings off in the work, backslashes, quotes, E'' and unicode in the event stay inside their literal", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const other = await createWorkforceUser(db, { passkeys: 0 });
    const name = `\\'); UPDATE "WorkforceUser" SET title = 'pwned' WHERE id = '${other.id}'; -- E'\\\\' ü 🔑 \u2028 ''`;
    const path = `/x\\'||(SELECT 1)||'\\\\'--$1$$ $q$ ' ; COMMIT; ${"\\".repeat(9)}`;
    const before = statementsSentDirectly();
    await expect(
      retitle(app, user.id, "sco off", {
        name,
        path,
        before: (tx) => tx.$executeRaw`SET LOCAL standard_conforming_strings = off`.then(() => {}),
      }),
    ).resolves.toBe("sco off");
    expect(statementsSentDirectly() - before).toBe(1);
    const event = await db.auditEvent.findFirstOrThrow({ where: { subjectUserId: user.id } });
    expect(event.actorName).toBe(name);
    expect(event.data).toMatchObject({ path });
    expect(await stateOf(other.id)).toStrictEqual({
      title: other.title,
      department: other.department,
      events: 0,
    });
  });

  it("HELD: a very long append (300 events of astral characters, quotes and backslashes, a literal of some hundreds of kB) goes in one message and every event is stored exactly", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const name = "🔑'\\".repeat(100);
    const path = `/${"a'\\\"".repeat(127)}`;
    await auditedTransaction(app, async (tx) => {
      await tx.workforceUser.update({ where: { id: user.id }, data: { title: "long" } });
      for (let i = 0; i < 300; i++)
        await recordAudit(tx, {
          action: "access.denied",
          outcome: "REFUSED",
          reason: "FORBIDDEN",
          actor: { type: "SYSTEM", name },
          subjectUserId: user.id,
          data: { permission: "case.approve", path },
        });
    });
    const events = await db.auditEvent.findMany({ where: { subjectUserId: user.id } });
    expect(events).toHaveLength(300);
    for (const event of events) {
      expect(event.actorName).toBe(Array.from(name).slice(0, 200).join(""));
      expect(event.data).toStrictEqual({ permission: "case.approve", path });
    }
    expect(await stateOf(user.id)).toMatchObject({ title: "long", events: 300 });
  });

  it("HELD: with client_encoding set to SJIS in the work (a backslash eaten by a multibyte character), the literal is not broken out of: the append is refused and nothing commits", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const other = await createWorkforceUser(db, { passkeys: 0 });
    const counted = await countedWrites();
    // U+3041 is E3 82 81 in UTF-8; in SJIS, 81 followed by the first backslash is one character,
    // so the escaped backslashes that follow would end up escaping the closing quote.
    const name = `\u3041\\' || pg_notify($$x$$, $$y$$) || $$`;
    const failure = await retitle(app, user.id, "never", {
      name,
      before: (tx) => tx.$executeRaw`SET LOCAL client_encoding = 'SJIS'`.then(() => {}),
    }).then(
      () => null,
      (error: unknown) => error,
    );
    // The backslash is eaten (the break-out was there); PostgreSQL's backslash_quote
    // (safe_encoding, its default) refuses the backslash and quote left behind, and the message fails whole.
    expect(failure).toMatchObject({
      code: "P2010",
      message: expect.stringContaining("unsafe use of"),
    });
    expect(await stateOf(user.id)).toStrictEqual({
      title: user.title,
      department: user.department,
      events: 0,
    });
    expect(await stateOf(other.id)).toMatchObject({ title: other.title, events: 0 });
    expect(await countedWrites()).toBe(counted);
    await poolServesClean();
  });

  it("FIXED: the work cannot end its transaction with executeThenCommit (a negative number once opened a comment that swallowed the COMMIT, and the caller was told of a commit that never happened): it is the append's alone, and is refused", async () => {
    const leaky = createDb(process.env.DATABASE_URL!, { poolSize: 1 });
    try {
      const user = await createWorkforceUser(db, { passkeys: 0 });
      await expect(
        auditedTransaction(leaky, async (tx) => {
          await tx.workforceUser.update({ where: { id: user.id }, data: { title: "told made" } });
          await executeThenCommit(tx)`SELECT 0-${"1"}::int`;
          return "made";
        }),
      ).rejects.toThrow("the audit append's alone");
      expect(await stateOf(user.id)).toMatchObject({ title: user.title, events: 0 });
      // Its one connection serves the next transaction clean.
      await expect(retitle(leaky, user.id, "next")).resolves.toBe("next");
      expect(await stateOf(user.id)).toMatchObject({ title: "next", events: 1 });
    } finally {
      await leaky.$disconnect();
    }
  });

  it("HELD: a SET LOCAL lock_timeout or statement_timeout in the work fails the append while it waits for the lock: nothing commits, the error is Prisma's, nothing is counted", async () => {
    for (const setting of ["lock_timeout", "statement_timeout"]) {
      const user = await createWorkforceUser(db, { passkeys: 0 });
      const counted = await countedWrites();
      const failure = await holdingTheAppendLock(owner, () =>
        retitle(app, user.id, "never", {
          before: (tx) =>
            tx.$executeRawUnsafe(`SET LOCAL ${setting} = '150ms'`).then(() => undefined),
        }).then(
          () => null,
          (error: unknown) => error as { code?: string; message: string },
        ),
      );
      expect(failure).toMatchObject({ code: "P2010" });
      expect(String(failure!.message)).toMatch(/55P03|57014/);
      expect(await stateOf(user.id)).toStrictEqual({
        title: user.title,
        department: user.department,
        events: 0,
      });
      expect(await countedWrites()).toBe(counted);
    }
    await poolServesClean();
  });

  it("HELD: the backend terminated while the append waits for the lock: the caller is told the database is unavailable, nothing commits, and the pool serves the next transactions", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const counted = await countedWrites();
    const failure = await holdingTheAppendLock(owner, async () => {
      const done = retitle(app, user.id, "never").then(
        () => null,
        (error: unknown) => error,
      );
      const pid = await appendWaitsForLock(owner);
      await owner.query(`SELECT pg_terminate_backend($1)`, [pid]);
      return done;
    });
    expect(failure).not.toBeNull();
    expect(isDatabaseUnavailable(failure)).toBe(true);
    expect(await stateOf(user.id)).toStrictEqual({
      title: user.title,
      department: user.department,
      events: 0,
    });
    expect(await countedWrites()).toBe(counted);
    await poolServesClean();
    expect(poolOf(app)!.totalCount).toBeLessThanOrEqual(2);
  });

  it("HELD: Prisma's time for the transaction running out before the append is sent: the caller is told, nothing commits, nothing is counted", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const counted = await countedWrites();
    const before = statementsSentDirectly();
    const failure = await retitle(app, user.id, "never", {
      timeout: 200,
      before: () => new Promise((resolve) => setTimeout(resolve, 700)),
    }).then(
      () => null,
      (error: unknown) => error,
    );
    expect(failure).not.toBeNull();
    expect(statementsSentDirectly() - before).toBe(0);
    expect(await stateOf(user.id)).toStrictEqual({
      title: user.title,
      department: user.department,
      events: 0,
    });
    expect(await countedWrites()).toBe(counted);
    await poolServesClean();
  });

  it("HELD: a commit after Prisma's time ran out while the append waited is counted once, as committed", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const counted = await countedWrites();
    await owner.query(`SELECT pg_advisory_lock($1)`, [AUDIT_CHAIN_LOCK]);
    const done = retitle(app, user.id, "made late", { timeout: 300 });
    await appendWaitsForLock(owner);
    // Past the transaction's timeout: Prisma's manager rolls back behind the append.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await owner.query(`SELECT pg_advisory_unlock($1)`, [AUDIT_CHAIN_LOCK]);
    expect(await done).toBe("made late");
    expect(await stateOf(user.id)).toMatchObject({ title: "made late", events: 1 });
    expect(await countedWrites()).toBe(counted + 1);
    await poolServesClean();
  });

  it("HELD: a statement the work left running, sent once the connection serves the next request's transaction, runs in neither", async () => {
    const first = await createWorkforceUser(db, { passkeys: 0 });
    const second = await createWorkforceUser(db, { passkeys: 0 });
    const victim = await createWorkforceUser(db, { passkeys: 0 });
    let secondStarted: () => void = () => undefined;
    const started = new Promise<void>((resolve) => (secondStarted = resolve));
    let leftover: Promise<PromiseSettledResult<unknown>[]> = Promise.resolve([]);
    await retitle(single, first.id, "first", {
      before: async (tx) => {
        leftover = started.then(async () => [
          ...(await Promise.allSettled([
            tx.workforceUser.update({ where: { id: victim.id }, data: { title: "leaked" } }),
          ])),
          ...(await Promise.allSettled([
            txSql(tx)
              .execute`UPDATE "WorkforceUser" SET department = 'leaked' WHERE id = ${victim.id}::uuid`,
          ])),
          ...(await Promise.allSettled([
            executeThenCommit(
              tx,
            )`UPDATE "WorkforceUser" SET title = ${"leaked"} WHERE id = ${victim.id}::uuid`,
          ])),
        ]);
      },
    });
    // The next request's transaction, on the same (only) connection, commits after the leftovers.
    await retitle(single, second.id, "second", {
      before: async () => {
        secondStarted();
        await leftover;
      },
    });
    expect((await leftover).map((result) => result.status)).toStrictEqual([
      "rejected",
      "rejected",
      "rejected",
    ]);
    expect(await stateOf(victim.id)).toStrictEqual({
      title: victim.title,
      department: victim.department,
      events: 0,
    });
    expect(await stateOf(second.id)).toMatchObject({ title: "second", events: 1 });
    await poolServesClean(single);
  });

  it("HELD: a nested audited transaction inside the work commits on its own connection, before the outer append, and the outer one still commits with its event", async () => {
    const outer = await createWorkforceUser(db, { passkeys: 0 });
    const inner = await createWorkforceUser(db, { passkeys: 0 });
    await expect(
      retitle(app, outer.id, "outer", {
        before: async () => {
          await retitle(app, inner.id, "inner");
        },
      }),
    ).resolves.toBe("outer");
    expect(await stateOf(outer.id)).toMatchObject({ title: "outer", events: 1 });
    expect(await stateOf(inner.id)).toMatchObject({ title: "inner", events: 1 });
    await poolServesClean();
  });

  it("HELD: over another pool (PrismaPg over node-postgres's own), the append runs through Prisma, which commits; a refused append rolls the change back", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const before = statementsSentDirectly();
    await expect(retitle(plain as unknown as Client, user.id, "plain")).resolves.toBe("plain");
    expect(statementsSentDirectly() - before).toBe(0);
    expect(await stateOf(user.id)).toMatchObject({ title: "plain", events: 1 });
    // A NUL cannot be stored in jsonb: the append is refused, and the change with it.
    const refused = await createWorkforceUser(db, { passkeys: 0 });
    await expect(
      retitle(plain as unknown as Client, refused.id, "never", { name: "nul\u0000" }),
    ).rejects.toMatchObject({ code: "P2010" });
    expect(await stateOf(refused.id)).toMatchObject({ title: refused.title, events: 0 });
  });

  it("HELD: a NUL in an event is refused by the append on the app's pool too: nothing commits and the pool is clean", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    await expect(retitle(app, user.id, "never", { name: "nul\u0000" })).rejects.toMatchObject({
      code: "P2010",
    });
    expect(await stateOf(user.id)).toMatchObject({ title: user.title, events: 0 });
    await poolServesClean();
  });

  it("FIXED: a work that calls executeThenCommit itself and records its event afterwards commits neither, and is told so (its change once committed without the event while the caller was told of a failure)", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const outcome = await auditedTransaction(app, async (tx) => {
      await executeThenCommit(
        tx,
      )`UPDATE "WorkforceUser" SET title = ${"half"} WHERE id = ${user.id}::uuid`;
      await recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        reason: "FORBIDDEN",
        actor: { type: "SYSTEM", name: "decision 048 review" },
        subjectUserId: user.id,
        data: { permission: "case.approve", path: `/users/${user.id}` },
      });
      await tx.workforceUser.update({ where: { id: user.id }, data: { department: "after" } });
      return "done";
    }).then(
      (value) => ({ value }),
      (error: unknown) => ({ error }),
    );
    const state = await stateOf(user.id);
    // Together or not at all, and the caller told which: either the change with its event and
    // a success, or neither and a failure.
    if ("error" in outcome)
      expect(state).toStrictEqual({ title: user.title, department: user.department, events: 0 });
    else expect(state).toStrictEqual({ title: "half", department: "after", events: 1 });
  });
});
