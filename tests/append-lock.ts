/**
 * For tests of the audit append's commit (decision 048): what the database holds for a person the
 * tests change, and the append lock held from outside so an append waits where a test wants it.
 */
import type pg from "pg";
import { AUDIT_CHAIN_LOCK } from "@/lib/server/audit";
import { db } from "@/tests/db";

/** What the database holds for the person: the columns the tests change and the events about them. */
export async function stateOf(userId: string) {
  const user = await db.workforceUser.findUniqueOrThrow({ where: { id: userId } });
  const events = await db.auditEvent.count({ where: { subjectUserId: userId } });
  return { title: user.title, department: user.department, events };
}

/** The backend waiting for the append lock, once there is one (seen by `owner`). */
export async function appendWaitsForLock(owner: pg.Client): Promise<number> {
  for (;;) {
    const { rows } = await owner.query<{ pid: number }>(
      `SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND objid = $1`,
      [AUDIT_CHAIN_LOCK],
    );
    if (rows[0]) return rows[0].pid;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs `run` while `owner` holds the append lock: appends wait until it returns. */
export async function holdingTheAppendLock<T>(owner: pg.Client, run: () => Promise<T>): Promise<T> {
  await owner.query(`SELECT pg_advisory_lock($1)`, [AUDIT_CHAIN_LOCK]);
  try {
    return await run();
  } finally {
    await owner.query(`SELECT pg_advisory_unlock($1)`, [AUDIT_CHAIN_LOCK]);
  }
}
