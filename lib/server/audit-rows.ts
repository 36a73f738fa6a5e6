/**
 * The audit trail read in bulk (docs/decisions/021-bulk-reads.md): the full verification and the
 * export walk every row, and read them here through a cursor on a dedicated node-postgres
 * connection, outside Prisma's pool and without Prisma's row mapping. One query, one snapshot:
 * the walk sees the log as it stood when it began.
 *
 * A row comes back exactly as Prisma's findMany gives it (bigint ids and positions, Dates cut to
 * the millisecond as Prisma cuts them, Buffers, parsed JSON), so the same per-row checks and
 * export lines apply; tests/integration/audit-bulk-reads.test.ts compares the two.
 *
 * NOTE: not marked "server-only": the verify command (plain Node) reads through it too.
 */
import type pg from "pg";
import { pgClient } from "@/lib/pg-connect";
import Cursor from "pg-cursor";
import type { Prisma } from "@/generated/prisma/client";
import type { StoredRow } from "@/lib/domain/audit-log-check";

/** A stored row, every column, as Prisma's AuditEvent model gives it. */
export type BulkAuditRow = StoredRow & {
  outcome: "ALLOWED" | "REFUSED";
  data: unknown;
  prevHash: string | null;
  hash: string | null;
  appTime: Date | null;
  eventId: string | null;
  keyId: string | null;
};

// Times as whole milliseconds since the epoch, cut (not rounded) as Prisma's Date is: createdAt
// has microseconds. int8 comes back as text (node-postgres's default) and is made a bigint here.
const COLUMNS = `id, "formatVersion",
  floor(extract(epoch FROM "createdAt") * 1000)::float8 AS "createdAt",
  action, outcome::text AS outcome, reason, "actorType", "actorId", "actorName", "actorRole",
  "targetType", "targetId", "subjectUserId", "caseId", "requestId", ip, data, "prevHash", hash,
  position, "eventId", floor(extract(epoch FROM "appTime") * 1000)::float8 AS "appTime",
  "keyId", entry, signature`;

type RawRow = Omit<BulkAuditRow, "id" | "position" | "createdAt" | "appTime"> & {
  id: string;
  position: string | null;
  createdAt: number;
  appTime: number | null;
};

function toRow(raw: RawRow): BulkAuditRow {
  return {
    id: BigInt(raw.id),
    formatVersion: raw.formatVersion,
    createdAt: new Date(raw.createdAt),
    action: raw.action,
    outcome: raw.outcome,
    reason: raw.reason,
    actorType: raw.actorType,
    actorId: raw.actorId,
    actorName: raw.actorName,
    actorRole: raw.actorRole,
    targetType: raw.targetType,
    targetId: raw.targetId,
    subjectUserId: raw.subjectUserId,
    caseId: raw.caseId,
    requestId: raw.requestId,
    ip: raw.ip,
    data: raw.data,
    prevHash: raw.prevHash,
    hash: raw.hash,
    position: raw.position === null ? null : BigInt(raw.position),
    eventId: raw.eventId,
    appTime: raw.appTime === null ? null : new Date(raw.appTime),
    keyId: raw.keyId,
    entry: raw.entry,
    signature: raw.signature,
  };
}

/** A condition on AuditEvent in SQL, with its parameters ($1 … in order). */
export type SqlWhere = { sql: string; params: unknown[] };

/** A condition built by lib/server/audit-where.ts, as text with $1 … placeholders and its parameters. */
export function auditWhereSql(condition: Prisma.Sql): SqlWhere {
  return { sql: condition.text, params: condition.values };
}

/** What the walks' connections are called in pg_stat_activity. */
export const BULK_READ_APPLICATION = "audit-bulk-read";

/** A connection of its own for one walk; end it when done (`client.end()`). */
export async function connectForBulkRead(databaseUrl: string): Promise<pg.Client> {
  const client = pgClient(databaseUrl, { application_name: BULK_READ_APPLICATION });
  await client.connect();
  return client;
}

/**
 * Every row matching `where`, in id order, `batch` rows at a time, from one cursor. The client
 * must be free (a cursor holds its connection until closed); the cursor is closed when the
 * iteration ends, early or not.
 */
export async function* auditRowBatches(
  client: pg.Client,
  options: { where?: SqlWhere; batch: number },
): AsyncGenerator<BulkAuditRow[]> {
  const where = options.where ?? { sql: "TRUE", params: [] };
  const cursor = client.query(
    new Cursor<RawRow>(
      `SELECT ${COLUMNS} FROM "AuditEvent" WHERE ${where.sql} ORDER BY id`,
      where.params,
    ),
  );
  try {
    for (;;) {
      const raw = await cursor.read(options.batch);
      if (raw.length === 0) return;
      yield raw.map(toRow);
    }
  } finally {
    await cursor.close().catch(() => {});
  }
}
