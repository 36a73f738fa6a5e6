import "server-only";
import type { AuditSearch } from "@/lib/domain/audit-search";
import type { ExportFormat } from "@/lib/domain/audit-export";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import { auditExportStream } from "./audit-export-stream";
import { auditWhereSql } from "./audit-rows";
import { exportCondition, resolveAuditSearch } from "./audit-where";
import { trustedEventKeys } from "./audit-keys";
import { checkpointNote } from "./audit-proofs";
import { auditFilters, markRows } from "./find-audit-events";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/**
 * Exports the filtered audit trail, oldest first, as a stream of text chunks. The export is
 * recorded before it starts. Every row is read whatever its id; a row that is not part of the log
 * (decision 017) is left out and counted on the end line. In JSON Lines each v2 event carries its
 * inclusion proof against the latest checkpoint (with the witnesses' cosignatures), so it can be
 * checked with public keys only (npm run audit:verify-export, npm run audit:verify-proof).
 * Streamed from a cursor of its own, at the pace the response is sent (audit-export-stream.ts).
 */
export async function exportAuditEvents(input: {
  actor: CurrentStaff;
  search: AuditSearch;
  format: ExportFormat;
  request?: RequestContext;
}): Promise<ReadableStream<Uint8Array>> {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "audit.exported",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      data: { filters: auditFilters(input.search), format: input.format },
      request: input.request,
    }),
  );
  return auditExportStream({
    databaseUrl: env.DATABASE_URL,
    tiles: db,
    where: auditWhereSql(await exportCondition(db, await resolveAuditSearch(db, input.search))),
    format: input.format,
    filtered: Object.keys(auditFilters(input.search)).length > 0,
    checkpoint: await checkpointNote(),
    keys: trustedEventKeys(),
    markV1Rows: markRows,
  });
}
