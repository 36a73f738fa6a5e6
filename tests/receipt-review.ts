/**
 * What the reviews of the check receipts (docs/decisions/049-check-receipts.md) share: forged
 * events, rows planted as the owner, and the event ids an export gives. Test support only.
 */
import type { KeyObject } from "node:crypto";
import type pg from "pg";
import { entryBytes, signEntry, type EntryContent } from "@/lib/domain/audit-entry";
import type { ExportFormat } from "@/lib/domain/audit-export";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { auditExportStream } from "@/lib/server/audit-export-stream";
import { eventSigner, trustedEventKeys } from "@/lib/server/audit-keys";
import { auditWhereSql } from "@/lib/server/audit-rows";
import { auditCondition } from "@/lib/server/audit-where";
import { forgedContent, v2Values } from "@/tests/audit-tampering";
import { db } from "@/tests/db";

export type Forgery = { content: EntryContent; entry: Buffer; sig: Buffer };

/** A forged event under the console's key id, signed by an impostor (no event key). */
export function forgery(impostorKey: KeyObject): Forgery {
  const content = forgedContent(eventSigner().keyId);
  const entry = entryBytes(content);
  return { content, entry, sig: signEntry(entry, impostorKey) };
}

/** As the owner: a row with this id and position, whatever the sequence and triggers say. */
export function plantSql(
  id: number,
  position: number,
  { content, entry, sig }: Forgery,
): [string, unknown[]] {
  return [
    `INSERT INTO "AuditEvent" (id, "formatVersion", "position", "eventId", "appTime", "keyId",
       entry, signature, action, outcome, reason, "actorType", "actorId", "actorName",
       "actorRole", "targetType", "targetId", data)
     VALUES ($1, 2, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)`,
    [id, position, ...v2Values(content, entry, sig)],
  ];
}

export type CheckpointRow = { size: number; note: string; receipt: string | null };

/** The event ids an export (of everything, or of `search`) gives as events, sorted. */
export async function exportEventIds(
  owner: pg.Client,
  format: ExportFormat,
  checkpoint: CheckpointRow | null,
  options: { search?: Record<string, unknown>; batch?: number } = {},
): Promise<string[]> {
  const search = options.search ?? {};
  const stream = await auditExportStream({
    databaseUrl: process.env.DATABASE_URL!,
    tiles: db,
    where: auditWhereSql(auditCondition({ ...AuditSearchSchema.parse(search), actorNames: null })),
    format,
    filtered: Object.keys(search).length > 0,
    checkpoint,
    keys: trustedEventKeys(),
    markV1Rows: async (v1) => v1.map(() => "a v1 row"),
    batch: options.batch ?? 3,
  });
  const text = await new Response(stream).text();
  const ids = (await owner.query<{ eventId: string }>(`SELECT "eventId" FROM "AuditEvent"`)).rows
    .map((row) => row.eventId)
    .filter((id) => id !== null);
  return ids.filter((id) => text.includes(id)).sort();
}
