import "server-only";
import type { AuditSearch } from "@/lib/domain/audit-search";
import {
  CSV_HEADER,
  toCsvLine,
  toJsonLine,
  toOcsfLine,
  type ExportedEvent,
  type ExportFormat,
} from "@/lib/domain/audit-export";
import { db } from "@/lib/db";
import { recordAudit, staffActor } from "./audit";
import { auditWhere } from "./audit-where";
import { auditFilters } from "./find-audit-events";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

const BATCH = 2000;

/**
 * Exports the filtered audit trail, oldest first, as a stream of text chunks: keyset batches, so
 * memory stays flat however many events match. The export is recorded before it starts.
 */
export async function exportAuditEvents(input: {
  actor: CurrentStaff;
  search: AuditSearch;
  format: ExportFormat;
  request?: RequestContext;
}): Promise<ReadableStream<Uint8Array>> {
  await db.$transaction((tx) =>
    recordAudit(tx, {
      action: "audit.exported",
      outcome: "ALLOWED",
      actor: staffActor(input.actor),
      data: { filters: auditFilters(input.search), format: input.format },
      request: input.request,
    }),
  );
  const where = auditWhere(input.search);
  const encoder = new TextEncoder();
  const line = input.format === "csv" ? toCsvLine : toJsonLine;
  let after = -1n;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started && input.format === "csv") controller.enqueue(encoder.encode(CSV_HEADER));
      started = true;
      const rows = await db.auditEvent.findMany({
        where: { ...where, id: { gt: after } },
        orderBy: { id: "asc" },
        take: BATCH,
      });
      if (rows.length === 0) return controller.close();
      after = rows.at(-1)!.id;
      const text = rows
        .map((row) =>
          input.format === "ocsf"
            ? toOcsfLine(row)
            : line({
                ...row,
                id: row.id.toString(),
                createdAt: row.createdAt.toISOString(),
              } satisfies ExportedEvent),
        )
        .join("");
      controller.enqueue(encoder.encode(text));
    },
  });
}
