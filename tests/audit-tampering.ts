/**
 * Tampering with the audit tables as someone with the owner's powers would, for the attack tests
 * (docs/decisions/017): run statements with the tables' own triggers off, then turn every one of
 * them back on, ENABLE ALWAYS, whatever triggers the migrations add; and a log from before v2.
 */
import { randomUUID } from "node:crypto";
import type pg from "pg";
import type { EntryContent } from "@/lib/domain/audit-entry";
import { chainHashV1, GENESIS, type ChainedContent } from "@/lib/domain/audit-chain";

export const AUDIT_TABLES = ["AuditEvent", "AuditTile", "AuditCheckpoint", "AuditCosignature"];

/** As the owner: statements run with the audit tables' triggers off, in one transaction. */
export async function asOwner(owner: pg.Client, statements: [string, unknown[]?][]) {
  await owner.query("BEGIN");
  try {
    const { rows: triggers } = await owner.query<{ table: string; name: string }>(
      `SELECT c.relname AS table, t.tgname AS name FROM pg_trigger t
         JOIN pg_class c ON c.oid = t.tgrelid
        WHERE NOT t.tgisinternal AND c.relname = ANY($1)`,
      [AUDIT_TABLES],
    );
    for (const table of AUDIT_TABLES)
      await owner.query(`ALTER TABLE "${table}" DISABLE TRIGGER USER`);
    for (const [sql, params] of statements) await owner.query(sql, params ?? []);
    for (const { table, name } of triggers)
      await owner.query(`ALTER TABLE "${table}" ENABLE ALWAYS TRIGGER "${name}"`);
    await owner.query("COMMIT");
  } catch (error) {
    await owner.query("ROLLBACK");
    throw error;
  }
}

/**
 * A log from before v2, written as the v1 console did (as the owner, like a restore): two legacy
 * rows without a hash (the trail before the chain existed) with an id between them that a
 * rolled-back transaction used up, then a chain of three. The id sequence is moved past them.
 */
/** The content of the i-th v1 event the tests write (chained as the v1 console did). */
export function v1Content(i: number): ChainedContent {
  return {
    createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString(),
    action: "access.denied",
    outcome: "REFUSED",
    reason: "FORBIDDEN",
    actorType: "SYSTEM",
    actorId: null,
    actorName: `v1 writer ${i}`,
    actorRole: null,
    targetType: null,
    targetId: null,
    subjectUserId: null,
    caseId: null,
    requestId: null,
    ip: null,
    data: { permission: "audit:read", path: `/${i}` },
  };
}

/** Appends the i-th v1 row chained to `prev` the way the v1 console did (as the owner, like a restore). */
export async function appendV1(owner: pg.Client, i: number, prev: string): Promise<string> {
  const content = v1Content(i);
  const hash = chainHashV1(prev, content);
  await owner.query(
    `INSERT INTO "AuditEvent" ("formatVersion", "createdAt", action, outcome, reason, "actorType", "actorName", data, "prevHash", hash)
     VALUES (1, $1, $2, 'REFUSED', $3, 'SYSTEM', $4, $5, $6, $7)`,
    [
      content.createdAt,
      content.action,
      content.reason,
      content.actorName,
      JSON.stringify(content.data),
      prev,
      hash,
    ],
  );
  return hash;
}

export const V1_FIRST = 1_000_000;
export async function buildV1Log(owner: pg.Client): Promise<{ head: string; headId: number }> {
  const insert = `INSERT INTO "AuditEvent" (id, "formatVersion", "createdAt", action, outcome, reason, "actorType", "actorName", data, "prevHash", hash)
     VALUES ($1, 1, $2, $3, $4, $5, 'SYSTEM', $6, $7, $8, $9)`;
  await owner.query(insert, [
    V1_FIRST,
    "2025-12-01T00:00:00.000Z",
    "system.demo_seeded",
    "ALLOWED",
    null,
    "seed",
    "{}",
    null,
    null,
  ]);
  // id V1_FIRST + 1 is a gap (a rolled-back insert used it).
  await owner.query(insert, [
    V1_FIRST + 2,
    "2025-12-02T00:00:00.000Z",
    "access.denied",
    "REFUSED",
    "FORBIDDEN",
    "legacy writer",
    JSON.stringify({ permission: "audit:read", path: "/legacy" }),
    null,
    null,
  ]);
  let prev = GENESIS;
  for (let i = 0; i < 3; i++) {
    const content = v1Content(i);
    const hash = chainHashV1(prev, content);
    await owner.query(insert, [
      V1_FIRST + 3 + i,
      content.createdAt,
      content.action,
      content.outcome,
      content.reason,
      content.actorName,
      JSON.stringify(content.data),
      prev,
      hash,
    ]);
    prev = hash;
  }
  await owner.query(`SELECT setval(pg_get_serial_sequence('"AuditEvent"', 'id'), 2000000)`);
  return { head: prev, headId: V1_FIRST + 5 };
}

/** A forged "approval.approved by Grace Okafor", as the application role could INSERT it. */
export function forgedContent(keyId: string, appTime = new Date()): EntryContent {
  return {
    eventId: randomUUID(),
    appTime: appTime.toISOString(),
    keyId,
    action: "approval.approved",
    outcome: "ALLOWED",
    reason: null,
    actorType: "STAFF",
    actorId: randomUUID(),
    actorName: "Grace Okafor",
    actorRole: "SUPERVISOR",
    targetType: "Approval",
    targetId: randomUUID(),
    subjectUserId: null,
    caseId: null,
    requestId: null,
    ip: null,
    data: { note: "approved on the phone" },
  };
}

/** A v2 row as the application role can INSERT it, at the next position. */
export async function insertV2(
  client: pg.Client,
  content: EntryContent,
  entry: Buffer,
  sig: Buffer,
) {
  const result = await client.query<{ id: string; position: string }>(
    `INSERT INTO "AuditEvent" ("formatVersion", "position", "eventId", "appTime", "keyId", entry,
       signature, action, outcome, reason, "actorType", "actorId", "actorName", "actorRole",
       "targetType", "targetId", data)
     SELECT 2, coalesce(max("position"), -1) + 1, $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11,
       $12, $13, $14, $15 FROM "AuditEvent" RETURNING id, "position"`,
    v2Values(content, entry, sig),
  );
  return result.rows[0]!;
}

/**
 * A v2 row's values in the order insertV2 (and the reviews' planted rows) list its columns:
 * eventId, appTime, keyId, entry, signature, action, outcome, reason, actorType, actorId,
 * actorName, actorRole, targetType, targetId, data.
 */
export function v2Values(content: EntryContent, entry: Buffer, sig: Buffer): unknown[] {
  return [
    content.eventId,
    content.appTime,
    content.keyId,
    entry,
    sig,
    content.action,
    content.outcome,
    content.reason,
    content.actorType,
    content.actorId,
    content.actorName,
    content.actorRole,
    content.targetType,
    content.targetId,
    JSON.stringify(content.data),
  ];
}
