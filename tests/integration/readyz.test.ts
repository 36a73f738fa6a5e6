/**
 * GET /readyz (docs/decisions/041) on PostgreSQL: ready on a migrated database with its queues
 * moving; not ready, saying nothing more, while a migration of this build is missing, the oldest
 * unsent message is older than READY_OUTBOX_LAG_SECONDS or a sink is further behind the audit
 * trail than READY_SINK_LAG_SECONDS; the reasons go to the log. One check per few seconds.
 */
import pg from "pg";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { GET } from "@/app/readyz/route";
import { createLogger, setLogger } from "@/lib/server/log";
import { checkReadiness, forgetReadiness, gatherReadinessFacts } from "@/lib/server/readiness";
import { db } from "@/tests/db";
import { verifiedStandardCase } from "@/tests/recovery";

const lines: string[] = [];
beforeEach(() => {
  lines.length = 0;
  setLogger(
    createLogger({ level: "info", destination: { write: (line) => void lines.push(line) } }),
  );
  forgetReadiness();
});
afterEach(() => {
  setLogger(createLogger({ level: "silent" }));
});

/** As the database's owner (migration bookkeeping and the audit trail are not the app's to change). */
async function asOwner<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function probe(): Promise<{ status: number; body: string }> {
  forgetReadiness();
  const response = await GET(new Request("http://localhost:3000/readyz"));
  expect(response.headers.get("cache-control")).toBe("no-store");
  return { status: response.status, body: await response.text() };
}

const READY = { status: 200, body: '{"status":"ready"}' };
const NOT_READY = { status: 503, body: '{"status":"not ready"}' };

function loggedReasons(): string[] {
  return lines
    .map((line) => JSON.parse(line) as { msg: string; reasons?: string[] })
    .filter((line) => line.msg === "readiness: not ready")
    .flatMap((line) => line.reasons ?? []);
}

describe("GET /readyz", () => {
  it("is ready on a migrated database with readable keys and nothing waiting", async () => {
    const facts = await gatherReadinessFacts();
    expect(facts).toMatchObject({
      databaseReachable: true,
      unappliedMigrations: [],
      outboxLagSeconds: expect.any(Number),
    });
    expect(facts.keyFiles).toEqual([
      { name: "AUDIT_EVENT_KEY_FILE", readable: true },
      { name: "SSF_SIGNING_KEY_FILE", readable: true },
    ]);
    expect(await probe()).toEqual(READY);
  });

  it("is not ready while a migration of this build is not applied, and names it only in the log", async () => {
    const [latest] = await asOwner(async (client) => {
      const { rows } = await client.query<{ name: string }>(
        `SELECT migration_name AS name FROM "_prisma_migrations" ORDER BY migration_name DESC LIMIT 1`,
      );
      await client.query(
        `UPDATE "_prisma_migrations" SET rolled_back_at = now() WHERE migration_name = $1`,
        [rows[0]!.name],
      );
      return rows.map((r) => r.name);
    });
    try {
      expect(await probe()).toEqual(NOT_READY);
      expect(loggedReasons()).toEqual([`migrations not applied: ${latest}`]);
    } finally {
      await asOwner((client) =>
        client.query(
          `UPDATE "_prisma_migrations" SET rolled_back_at = NULL WHERE migration_name = $1`,
          [latest],
        ),
      );
    }
    expect(await probe()).toEqual(READY);
  });

  it("is not ready while the oldest unsent message is older than the threshold; a message given up on is not lag", async () => {
    const old = await db.outboxMessage.create({
      data: {
        kind: "tap.issued",
        toAddress: "someone@example.test",
        subject: "waiting",
        body: "",
        createdAt: new Date(Date.now() - 3_600_000),
      },
    });
    expect(await probe()).toEqual(NOT_READY);
    expect(loggedReasons()).toEqual([expect.stringMatching(/^outbox lag \d+s over 300s$/)]);

    await db.outboxMessage.update({ where: { id: old.id }, data: { attempts: 8 } });
    expect(await probe()).toEqual(READY);
  });

  it("is not ready while an enabled sink is further behind the audit trail than the threshold", async () => {
    await verifiedStandardCase();
    const head = await db.auditEvent.findFirstOrThrow({
      where: { position: { not: null } },
      orderBy: { position: "desc" },
      select: { id: true, position: true },
    });
    const endpoint = await db.webhookEndpoint.create({
      data: {
        name: "ticketing",
        url: "https://tickets.example.test/hook",
        secretSealed: "unused",
        position: head.position! - 1n,
      },
    });
    // The event the endpoint has still to take, two hours old (as the owner, around the trigger
    // that keeps the trail unchanged).
    await asOwner(async (client) => {
      await client.query("BEGIN");
      await client.query(
        `ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_no_update_or_delete"`,
      );
      await client.query(
        `UPDATE "AuditEvent" SET "createdAt" = now() - interval '2 hours' WHERE id = $1`,
        [head.id],
      );
      await client.query(
        `ALTER TABLE "AuditEvent" ENABLE TRIGGER "AuditEvent_no_update_or_delete"`,
      );
      await client.query("COMMIT");
    });
    expect(await probe()).toEqual(NOT_READY);
    expect(loggedReasons()).toEqual([
      expect.stringMatching(new RegExp(`^sink webhook:${endpoint.id} lag \\d+s over 900s$`)),
    ]);

    await db.webhookEndpoint.update({ where: { id: endpoint.id }, data: { enabled: false } });
    expect(await probe()).toEqual(READY);
  });

  it("reads the database at most once per few seconds, however many probes arrive", async () => {
    const at = Date.now();
    expect(await checkReadiness(at)).toEqual({ ready: true });
    const waiting = await db.outboxMessage.create({
      data: {
        kind: "tap.issued",
        toAddress: "someone@example.test",
        subject: "waiting",
        body: "",
        createdAt: new Date(Date.now() - 3_600_000),
      },
    });
    // Within the few seconds: the kept answer, no new read.
    expect(await checkReadiness(at + 4_000)).toEqual({ ready: true });
    expect(await checkReadiness(at + 5_000)).toMatchObject({ ready: false });
    await db.outboxMessage.update({ where: { id: waiting.id }, data: { sentAt: new Date() } });
  });
});
