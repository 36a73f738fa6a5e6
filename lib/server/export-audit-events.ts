import "server-only";
import type { AuditSearch } from "@/lib/domain/audit-search";
import {
  CSV_HEADER,
  endLine,
  excludedLine,
  toCsvLine,
  toJsonLine,
  toOcsfLine,
  toExportedEvent,
  type ExportFormat,
} from "@/lib/domain/audit-export";
import { inclusionProof } from "@/lib/domain/tlog/merkle";
import { formatProof } from "@/lib/domain/tlog/proof";
import { tileHashReader } from "@/lib/domain/tlog/tiles";
import { db } from "@/lib/db";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import { checkpointNote } from "./audit-proofs";
import { cachingTileFetcher } from "./audit-tiles";
import { readAuditBatches } from "./audit-where";
import { auditFilters, markRows } from "./find-audit-events";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

const BATCH = 2000;

/**
 * Exports the filtered audit trail, oldest first by id, as a stream of text chunks: keyset
 * batches (audit-where.ts), so memory stays flat however many events match. The export is
 * recorded before it starts. Every row is read whatever its id; a row that is not part of the
 * log (decision 017) is left out and counted on the end line. In JSON Lines each v2 event carries
 * its inclusion proof against the latest checkpoint (with the witnesses' cosignatures), so it can
 * be checked with public keys only (npm run audit:verify-export, npm run audit:verify-proof).
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
  const batches = readAuditBatches(db, input.search, BATCH);
  const filtered = Object.keys(auditFilters(input.search)).length > 0;
  const checkpoint = await checkpointNote();
  const read = checkpoint ? tileHashReader(checkpoint.size, cachingTileFetcher(db)) : null;
  const encoder = new TextEncoder();
  let started = false;
  let events = 0;
  let excluded = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started && input.format === "csv") controller.enqueue(encoder.encode(CSV_HEADER));
      started = true;
      const next = await batches.next();
      const rows = next.done ? [] : next.value;
      if (rows.length === 0) {
        if (input.format === "jsonl")
          controller.enqueue(
            encoder.encode(
              endLine({
                events,
                checkpointSize: checkpoint?.size ?? null,
                checkpoint: checkpoint?.note ?? null,
                filtered,
                excluded,
              }),
            ),
          );
        return controller.close();
      }
      const marks = await markRows(rows);
      const lines: string[] = [];
      for (const [i, row] of rows.entries()) {
        if (marks[i] !== null) {
          excluded++;
          // A left-out row that holds a position is accounted for on its own line, with its
          // bytes and its proof: a reader checks it is in the tree and is not a genuine event.
          if (row.position !== null && input.format === "jsonl")
            lines.push(
              excludedLine({
                position: Number(row.position),
                reason: marks[i]!,
                entry: row.entry ? Buffer.from(row.entry).toString("base64") : null,
                signature: row.signature ? Buffer.from(row.signature).toString("base64") : null,
                proof:
                  checkpoint && read && row.position < BigInt(checkpoint.size)
                    ? formatProof({
                        index: Number(row.position),
                        proof: await inclusionProof(Number(row.position), checkpoint.size, read),
                        checkpointNote: checkpoint.note,
                      })
                    : null,
              }),
            );
          continue;
        }
        events++;
        if (input.format === "ocsf") {
          lines.push(toOcsfLine(row));
          continue;
        }
        const position = row.position === null ? null : Number(row.position);
        const proof =
          position !== null && checkpoint && read && position < checkpoint.size
            ? formatProof({
                index: position,
                proof: await inclusionProof(position, checkpoint.size, read),
                checkpointNote: checkpoint.note,
              })
            : null;
        const event = toExportedEvent(row, proof);
        lines.push(input.format === "csv" ? toCsvLine(event) : toJsonLine(event));
      }
      controller.enqueue(encoder.encode(lines.join("")));
    },
  });
}
