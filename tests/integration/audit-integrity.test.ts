/**
 * docs/security-requirements.md H3 and H4 against PostgreSQL: the audit table is append-only for the application
 * role (and, by trigger, for its owner), positions stay gapless under concurrent decisions, and
 * tampering by someone with the owner's powers is found by the verifier (docs/decisions/017).
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHECKPOINT_CHANNEL, recordAudit, auditedTransaction } from "@/lib/server/audit";
import { trustedEventKeys } from "@/lib/server/audit-keys";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import { db } from "@/tests/db";

const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });

async function decide(n: number) {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      reason: "FORBIDDEN",
      actor: { type: "SYSTEM", name: `worker ${n}` },
      data: { permission: "audit:read", path: `/audit/${n}` },
    }),
  );
}

beforeAll(async () => {
  await Promise.all([app.connect(), owner.connect()]);
  for (let i = 0; i < 3; i++) await decide(i);
});
afterAll(async () => {
  await Promise.all([app.end(), owner.end()]);
});

describe("append-only audit table", () => {
  it.each([
    [`UPDATE "AuditEvent" SET "actorName" = 'someone else'`, /permission denied/],
    [`DELETE FROM "AuditEvent"`, /permission denied/],
    [`TRUNCATE "AuditEvent"`, /permission denied/],
    [`ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL`, /must be owner/],
    [`SET session_replication_role = replica`, /permission denied/],
    [`DROP TRIGGER "AuditEvent_no_update_or_delete" ON "AuditEvent"`, /must be owner/],
  ])("refuses the application role: %s", async (sql, error) => {
    await expect(app.query(sql)).rejects.toThrow(error);
  });

  it("lets the application role append and read", async () => {
    const before = await db.auditEvent.count();
    await decide(99);
    expect(await db.auditEvent.count()).toBe(before + 1);
  });

  it.each([
    [`UPDATE "AuditEvent" SET "actorName" = 'someone else'`],
    [`DELETE FROM "AuditEvent"`],
    [`TRUNCATE "AuditEvent"`],
  ])("refuses even the owner, by trigger, in replica mode too: %s", async (sql) => {
    await owner.query("BEGIN");
    try {
      await owner.query("SET LOCAL session_replication_role = replica");
      await expect(owner.query(sql)).rejects.toThrow(/AuditEvent is append-only/);
    } finally {
      await owner.query("ROLLBACK");
    }
  });
});

describe("the log's positions and signatures", () => {
  it("stays gapless and unforked under 30 concurrent decisions", async () => {
    await Promise.all(Array.from({ length: 30 }, (_, i) => decide(100 + i)));
    const report = await verifyAuditLog(db, { keys: trustedEventKeys() });
    expect(report).toMatchObject({ ok: true, problemCount: 0 });
    const count = await db.auditEvent.count();
    expect(report.size).toBe(count);
    const positions = await db.auditEvent.findMany({
      select: { position: true },
      orderBy: { position: "asc" },
    });
    expect(positions.map((row) => Number(row.position))).toEqual(
      Array.from({ length: count }, (_, i) => i),
    );
  });

  it("finds an edited row even when the owner bypassed the triggers, and names it", async () => {
    const target = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "asc" }, skip: 2 });
    await owner.query("BEGIN");
    await owner.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_no_update_or_delete"`);
    await owner.query(`UPDATE "AuditEvent" SET outcome = 'ALLOWED', reason = NULL WHERE id = $1`, [
      target.id.toString(),
    ]);
    await owner.query(
      `ALTER TABLE "AuditEvent" ENABLE ALWAYS TRIGGER "AuditEvent_no_update_or_delete"`,
    );
    await owner.query("COMMIT");
    const report = await verifyAuditLog(db, { keys: trustedEventKeys() });
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      {
        id: target.id.toString(),
        position: target.position!.toString(),
        problem: "columns differ from the signed entry: outcome, reason",
      },
    ]);
  });
});

describe("asking the signer for a checkpoint", () => {
  it("a high-risk decision notifies every listener when, and only if, it commits", async () => {
    const listener = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await listener.connect();
    const heard: string[] = [];
    listener.on("notification", (message) => heard.push(message.channel));
    await listener.query(`LISTEN ${CHECKPOINT_CHANNEL}`);
    const approve = (fail: boolean) =>
      auditedTransaction(db, async (tx) => {
        await recordAudit(tx, {
          action: "audit.exported",
          outcome: "ALLOWED",
          actor: { type: "SYSTEM", name: "reviewer" },
          data: { filters: {}, format: "jsonl" },
        });
        if (fail) throw new Error("the decision fails after recording");
      });
    await expect(approve(true)).rejects.toThrow("the decision fails after recording");
    await approve(false);
    // A round trip on the listener's own connection delivers what is pending.
    await expect
      .poll(async () => (await listener.query("SELECT 1"), heard))
      .toEqual([CHECKPOINT_CHANNEL]);
    await listener.end();
  });
});
