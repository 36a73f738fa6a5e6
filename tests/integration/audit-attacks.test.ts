/**
 * The audit log tried as an attacker with database access would (docs/decisions/017): rows the
 * application role can INSERT, and rows only the owner could change. Every one is named by the
 * verifier; none verifies.
 */
import { generateKeyPairSync, randomUUID } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainHashV1, GENESIS } from "@/lib/domain/audit-chain";
import { entryBytes, eventKeyId, signEntry } from "@/lib/domain/audit-entry";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { eventSigner, trustedEventKeys } from "@/lib/server/audit-keys";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import { forgedContent, insertV2 } from "@/tests/audit-tampering";
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

const verify = () => verifyAuditLog(db, { keys: trustedEventKeys() });

beforeAll(async () => {
  await Promise.all([app.connect(), owner.connect()]);
  for (let i = 0; i < 5; i++) await decide(i);
  expect((await verify()).ok).toBe(true);
});
afterAll(async () => {
  await Promise.all([app.end(), owner.end()]);
});

describe("rows the application role can insert", () => {
  it("names a forged append signed with a key the console does not trust", async () => {
    const { privateKey, publicKey } = generateKeyPairSync("ed25519");
    const content = forgedContent(eventKeyId(publicKey));
    const entry = entryBytes(content);
    const row = await insertV2(app, content, entry, signEntry(entry, privateKey));
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual({
      id: row.id,
      position: row.position,
      problem: `signed by an unknown key (${content.keyId})`,
    });
  });

  it("names a forged append that claims the console's key id", async () => {
    const { privateKey } = generateKeyPairSync("ed25519");
    const content = forgedContent(eventSigner().keyId);
    const entry = entryBytes(content);
    const row = await insertV2(app, content, entry, signEntry(entry, privateKey));
    expect((await verify()).problems).toContainEqual({
      id: row.id,
      position: row.position,
      problem: "the signature does not match the entry",
    });
  });

  it("names a genuine signed entry copied to a new row under another event id", async () => {
    const genuine = await db.auditEvent.findFirstOrThrow({ where: { position: 1 } });
    const content = { ...forgedContent(genuine.keyId!), eventId: randomUUID() };
    const row = await insertV2(
      app,
      content,
      Buffer.from(genuine.entry!),
      Buffer.from(genuine.signature!),
    );
    expect((await verify()).problems).toContainEqual(
      expect.objectContaining({
        id: row.id,
        problem: expect.stringMatching(/^columns differ from the signed entry: eventId, appTime/),
      }),
    );
  });

  it("cannot insert a second row with a genuine event id, nor take any position but the next", async () => {
    const genuine = await db.auditEvent.findFirstOrThrow({ where: { position: 1 } });
    const insertAt = (position: string, eventId: string) =>
      app.query(
        `INSERT INTO "AuditEvent" ("formatVersion", "position", "eventId", "appTime", "keyId", entry, signature, action, outcome, "actorType", "actorName")
         VALUES (2, ${position}, $1, now(), $2, $3, $4, 'x', 'ALLOWED', 'SYSTEM', 'x')`,
        [eventId, genuine.keyId, genuine.entry, genuine.signature],
      );
    const next = `(SELECT max("position") + 1 FROM "AuditEvent")`;
    await expect(insertAt(next, genuine.eventId!)).rejects.toThrow(
      /duplicate key value violates unique constraint "AuditEvent_eventId_key"/,
    );
    // A taken position, or a far one that would leave a hole no checkpoint could pass.
    await expect(insertAt("0", randomUUID())).rejects.toThrow(
      /audit position 0 is not the next one/,
    );
    await expect(insertAt("1000000000", randomUUID())).rejects.toThrow(
      /audit position 1000000000 is not the next one/,
    );
    // Nor can a row of another format take a position.
    await expect(
      app.query(
        `INSERT INTO "AuditEvent" ("formatVersion", "position", action, outcome, "actorType", "actorName") VALUES (1, ${next}, 'x', 'ALLOWED', 'SYSTEM', 'x')`,
      ),
    ).rejects.toThrow(/only a v2 audit event has a position/);
  });

  it("names a back-dated row with a negative id and no hash, which no scan from id 0 would read", async () => {
    const { rows } = await app.query<{ id: string }>(
      `INSERT INTO "AuditEvent" (id, "createdAt", action, outcome, "actorType", "actorName", data)
       VALUES (-42, now() - interval '300 days', 'approval.approved', 'ALLOWED', 'STAFF', 'Grace Okafor', '{}')
       RETURNING id`,
    );
    expect((await verify()).problems).toContainEqual({
      id: rows[0]!.id,
      position: null,
      problem: "a v1 row, but no v1 log was sealed into this one",
    });
  });

  it("names a correctly chained v1 row appended to a log that has none", async () => {
    const content = {
      createdAt: new Date().toISOString(),
      action: "approval.approved",
      outcome: "ALLOWED",
      reason: null,
      actorType: "STAFF",
      actorId: null,
      actorName: "Grace Okafor",
      actorRole: "SUPERVISOR",
      targetType: null,
      targetId: null,
      subjectUserId: null,
      caseId: null,
      requestId: null,
      ip: null,
      data: {},
    };
    const { rows } = await app.query<{ id: string }>(
      `INSERT INTO "AuditEvent" ("formatVersion", "createdAt", action, outcome, "actorType", "actorName", "actorRole", data, "prevHash", hash)
       VALUES (1, $1, $2, 'ALLOWED', 'STAFF', $3, 'SUPERVISOR', '{}', $4, $5) RETURNING id`,
      [
        content.createdAt,
        content.action,
        content.actorName,
        GENESIS,
        chainHashV1(GENESIS, content),
      ],
    );
    expect((await verify()).problems).toContainEqual({
      id: rows[0]!.id,
      position: null,
      problem: "a v1 row, but no v1 log was sealed into this one",
    });
  });

  it("names a row in a format it does not know", async () => {
    const { rows } = await app.query<{ id: string }>(
      `INSERT INTO "AuditEvent" ("formatVersion", action, outcome, "actorType", "actorName", data)
       VALUES (3, 'approval.approved', 'ALLOWED', 'STAFF', 'Grace Okafor', '{}') RETURNING id`,
    );
    expect((await verify()).problems).toContainEqual({
      id: rows[0]!.id,
      position: null,
      problem: "format version 3 is not 2",
    });
  });
});

describe("rows only the owner could change", () => {
  it("names a removed row by the position it leaves empty", async () => {
    const victim = await db.auditEvent.findFirstOrThrow({ where: { position: 2 } });
    await owner.query("BEGIN");
    await owner.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_no_update_or_delete"`);
    await owner.query(`DELETE FROM "AuditEvent" WHERE id = $1`, [victim.id.toString()]);
    await owner.query(
      `ALTER TABLE "AuditEvent" ENABLE ALWAYS TRIGGER "AuditEvent_no_update_or_delete"`,
    );
    await owner.query("COMMIT");
    expect((await verify()).problems).toContainEqual({
      id: "?",
      position: "2",
      problem: "no row holds position 2: an event was removed",
    });
  });
});
