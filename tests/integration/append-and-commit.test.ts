/**
 * Decision 048: an audited transaction's append and its COMMIT go to PostgreSQL in one message, so
 * the append lock is released at the commit's flush without waiting on this process. What callers
 * depend on: the change and its events commit together or not at all (the append failing, the
 * COMMIT failing), nothing written for the transaction runs after it outside it, Prisma's own
 * ending is not sent again, a caller is told of a commit that happened, and the connection serves
 * the next transaction clean.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, poolOf } from "@/lib/create-db";
import { AUDIT_CHAIN_LOCK, auditedTransaction, recordAudit, type Tx } from "@/lib/server/audit";
import { inTransactionScope, PrimaryClient } from "@/lib/pg-connect";
import {
  executeThenCommit,
  statementsSentDirectly,
  transactionSlot,
  txSql,
} from "@/lib/server/tx-sql";
import { appendWaitsForLock, stateOf } from "@/tests/append-lock";
import { db } from "@/tests/db";
import { createWorkforceUser } from "@/tests/factories";

/** The app's kind of client, on a pool of 2, whose connections' notices are kept. */
const app = createDb(process.env.DATABASE_URL!, { poolSize: 2 });
const notices: string[] = [];
poolOf(app)!.on("connect", (client) => {
  client.on("notice", (notice) => notices.push(notice.message ?? ""));
});
/** The database's owner: adds the checks that refuse an append, holds the append lock. */
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL! });

beforeAll(async () => {
  await owner.connect();
  // A refusal at the append's INSERT, and one at COMMIT, each for one reason only.
  await owner.query(
    `ALTER TABLE "AuditEvent" ADD CONSTRAINT test_refused_in_append CHECK ("reason" IS DISTINCT FROM 'REFUSED_IN_APPEND') NOT VALID`,
  );
  await owner.query(`
    CREATE FUNCTION test_refused_at_commit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF NEW."reason" = 'REFUSED_AT_COMMIT' THEN RAISE EXCEPTION 'refused at commit'; END IF;
      RETURN NULL;
    END $$`);
  await owner.query(`
    CREATE CONSTRAINT TRIGGER test_refused_at_commit AFTER INSERT ON "AuditEvent"
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_refused_at_commit()`);
});
afterAll(async () => {
  await app.$disconnect();
  await owner.end();
});

/** A change to the person and one event, in one audited transaction on `client`. */
function retitle(
  client: typeof db,
  userId: string,
  title: string,
  options: { reason?: string; timeout?: number; before?: (tx: Tx) => Promise<void> } = {},
) {
  return auditedTransaction(
    client,
    async (tx) => {
      await options.before?.(tx);
      await tx.workforceUser.update({ where: { id: userId }, data: { title } });
      await txSql(tx)
        .execute`UPDATE "WorkforceUser" SET department = ${title} WHERE id = ${userId}::uuid`;
      await recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        reason: options.reason ?? "FORBIDDEN",
        actor: { type: "SYSTEM", name: "decision 048" },
        subjectUserId: userId,
        data: { permission: "case.approve", path: `/users/${userId}` },
      });
      return title;
    },
    options.timeout ? { timeout: options.timeout } : {},
  );
}

/** Every connection of the pool serves a transaction, and is clean: nothing open or aborted. */
async function poolServesClean() {
  const users = await Promise.all([1, 2, 3].map(() => createWorkforceUser(db, { passkeys: 0 })));
  await Promise.all(users.map((user) => retitle(app, user.id, "clean")));
  for (const user of users)
    expect(await stateOf(user.id)).toStrictEqual({
      title: "clean",
      department: "clean",
      events: 1,
    });
}

describe("the append and its COMMIT in one message (decision 048)", () => {
  it("commits the change with its event, sends the append straight, and does not send Prisma's COMMIT again", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    notices.length = 0;
    const before = statementsSentDirectly();
    await expect(retitle(app, user.id, "Retitled")).resolves.toBe("Retitled");
    expect(await stateOf(user.id)).toStrictEqual({
      title: "Retitled",
      department: "Retitled",
      events: 1,
    });
    // The department's UPDATE and the append went straight.
    expect(statementsSentDirectly() - before).toBe(2);
    // A second COMMIT would have drawn "there is no transaction in progress".
    expect(notices).toStrictEqual([]);
  });

  it("commits nothing when the append is refused, and raises the refusal as Prisma raises it", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const failure = await retitle(app, user.id, "Never", { reason: "REFUSED_IN_APPEND" }).catch(
      (error: unknown) => error as { code?: string; message: string },
    );
    expect(failure).toMatchObject({ code: "P2010" });
    expect(String((failure as Error).message)).toContain("test_refused_in_append");
    expect(await stateOf(user.id)).toStrictEqual({
      title: user.title,
      department: user.department,
      events: 0,
    });
    await poolServesClean();
  });

  it("commits nothing when the COMMIT itself is refused, and says so", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    await expect(
      retitle(app, user.id, "Never", { reason: "REFUSED_AT_COMMIT" }),
    ).rejects.toMatchObject({
      code: "P2010",
      message: expect.stringContaining("refused at commit"),
    });
    expect(await stateOf(user.id)).toStrictEqual({
      title: user.title,
      department: user.department,
      events: 0,
    });
    await poolServesClean();
  });

  it("refuses a statement written for the transaction once its append is on its way, and nothing of it lands", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const other = await createWorkforceUser(db, { passkeys: 0 });
    await owner.query(`SELECT pg_advisory_lock($1)`, [AUDIT_CHAIN_LOCK]);
    let sendLate: (late: Promise<PromiseSettledResult<unknown>[]>) => void = () => undefined;
    const late = new Promise<PromiseSettledResult<unknown>[]>((resolve) => (sendLate = resolve));
    const done = retitle(app, user.id, "Committed", {
      before: async (tx) => {
        // Not awaited by the work: sent once the append waits for the lock, before the COMMIT.
        sendLate(
          appendWaitsForLock(owner).then(async () => [
            // One after the other: Prisma runs a transaction's statements in turn.
            ...(await Promise.allSettled([
              tx.workforceUser.update({ where: { id: other.id }, data: { title: "late, Prisma" } }),
            ])),
            ...(await Promise.allSettled([
              txSql(tx)
                .execute`UPDATE "WorkforceUser" SET department = 'late, straight' WHERE id = ${other.id}::uuid`,
            ])),
          ]),
        );
      },
    });
    const settled = await late;
    await owner.query(`SELECT pg_advisory_unlock($1)`, [AUDIT_CHAIN_LOCK]);
    await expect(done).resolves.toBe("Committed");
    expect(settled.map((result) => result.status)).toStrictEqual(["rejected", "rejected"]);
    expect(await stateOf(other.id)).toStrictEqual({
      title: other.title,
      department: other.department,
      events: 0,
    });
    expect(await stateOf(user.id)).toMatchObject({ title: "Committed", events: 1 });
    await poolServesClean();
  });

  it("tells the caller of a commit that happened, though Prisma's time for the transaction ran out while the append waited", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    await owner.query(`SELECT pg_advisory_lock($1)`, [AUDIT_CHAIN_LOCK]);
    const done = retitle(app, user.id, "Late but made", { timeout: 300 });
    await appendWaitsForLock(owner);
    // Past the transaction's timeout: Prisma's manager rolls it back behind the append.
    await new Promise((resolve) => setTimeout(resolve, 600));
    await owner.query(`SELECT pg_advisory_unlock($1)`, [AUDIT_CHAIN_LOCK]);
    await expect(done).resolves.toBe("Late but made");
    expect(await stateOf(user.id)).toStrictEqual({
      title: "Late but made",
      department: "Late but made",
      events: 1,
    });
    await poolServesClean();
  });

  it("is the append's alone: called in the work it is refused, and the work commits nothing", async () => {
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const before = statementsSentDirectly();
    await expect(
      auditedTransaction(app, async (tx) => {
        await tx.workforceUser.update({ where: { id: user.id }, data: { title: "half done" } });
        await executeThenCommit(
          tx,
        )`UPDATE "WorkforceUser" SET department = ${"half done"} WHERE id = ${user.id}::uuid`;
        return "told made";
      }),
    ).rejects.toThrow("the audit append's alone");
    expect(statementsSentDirectly() - before).toBe(0);
    expect(await stateOf(user.id)).toStrictEqual({
      title: user.title,
      department: user.department,
      events: 0,
    });
  });

  it("is committed only when PostgreSQL answers the COMMIT: a statement that swallows it leaves nothing committed", async () => {
    const client = new PrimaryClient({ connectionString: process.env.DATABASE_URL! });
    await client.connect();
    try {
      const user = await createWorkforceUser(db, { passkeys: 0 });
      const slot = transactionSlot();
      await inTransactionScope(slot, () => client.query("BEGIN"));
      await client.query(`UPDATE "WorkforceUser" SET title = 'swallowed' WHERE id = $1`, [user.id]);
      // A trailing comment makes the message one statement: the COMMIT never runs.
      await expect(client.runAndCommit(slot, "SELECT 1 --")).rejects.toThrow(
        "did not answer the COMMIT",
      );
      expect(slot.committed).toBe(false);
      // The caller's ROLLBACK reaches PostgreSQL, and the connection serves on.
      await client.query("ROLLBACK");
      await expect(client.query("SELECT 1 AS one")).resolves.toMatchObject({ rows: [{ one: 1 }] });
      expect(await stateOf(user.id)).toMatchObject({ title: user.title });
    } finally {
      await client.end();
    }
  });

  it("writes its values as literals that stay literals", async () => {
    // A quote in a value stays inside its literal.
    const user = await createWorkforceUser(db, { passkeys: 0 });
    const title = `O'Brien'); DROP TABLE "AuditEvent"; --`;
    await auditedTransaction(app, async (tx) => {
      await recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        reason: "FORBIDDEN",
        actor: { type: "SYSTEM", name: title },
        subjectUserId: user.id,
        data: { permission: "case.approve", path: `/users/${user.id}` },
      });
    });
    const event = await db.auditEvent.findFirstOrThrow({ where: { subjectUserId: user.id } });
    expect(event.actorName).toBe(title);
  });
});
