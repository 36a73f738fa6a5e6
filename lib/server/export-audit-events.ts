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
import { checkV2Rows } from "@/lib/domain/audit-log-check";
import { TileProofs } from "@/lib/domain/tlog/bulk-proofs";
import { formatProof } from "@/lib/domain/tlog/proof";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { recordAudit, staffActor, auditedTransaction } from "./audit";
import { trustedEventKeys } from "./audit-keys";
import { checkpointNote } from "./audit-proofs";
import { auditRowBatches, auditWhereSql, connectForBulkRead, type BulkAuditRow } from "./audit-rows";
import { tileFetcher } from "./audit-tiles";
import { auditFilters, markRows } from "./find-audit-events";
import type { RequestContext } from "./request-context";
import type { CurrentStaff } from "./resume-staff-session";

/** Rows per cursor read, and so per chunk of the stream. */
const BATCH = 2000;

/**
 * Exports the filtered audit trail, oldest first, as a stream of text chunks. The export is
 * recorded before it starts. Every row is read whatever its id; a row that is not part of the log
 * (decision 017) is left out and counted on the end line. In JSON Lines each v2 event carries its
 * inclusion proof against the latest checkpoint (with the witnesses' cosignatures), so it can be
 * checked with public keys only (npm run audit:verify-export, npm run audit:verify-proof).
 *
 * The rows are read through a cursor on a connection of the export's own (lib/server/
 * audit-rows.ts, docs/decisions/021-bulk-reads.md), one batch per chunk the reader asks for: the
 * stream pulls only as fast as the response is sent, so memory stays flat however many events
 * match. The next batch is read while this one is checked (signatures on every core) and
 * written. Proofs come from the tiles, fetched in one query per batch (TileProofs). The
 * connection is closed when the stream ends, fails or is cancelled.
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
  const filtered = Object.keys(auditFilters(input.search)).length > 0;
  const checkpoint = await checkpointNote();
  // CSV leaves the proofs out; OCSF has none.
  const proofs =
    checkpoint && input.format === "jsonl" ? new TileProofs(checkpoint.size, tileFetcher(db)) : null;
  const proofOf = (position: bigint | null) =>
    position !== null && proofs && checkpoint && position < BigInt(checkpoint.size)
      ? formatProof({
          index: Number(position),
          proof: proofs.proof(Number(position)),
          checkpointNote: checkpoint.note,
        })
      : null;
  const keys = trustedEventKeys();
  const encoder = new TextEncoder();
  const reader = await connectForBulkRead(env.DATABASE_URL);
  const batches = auditRowBatches(reader, { where: auditWhereSql(input.search), batch: BATCH });
  let next: Promise<IteratorResult<BulkAuditRow[]>> | null = null;
  let started = false;
  let events = 0;
  let excluded = 0;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    // Ending the connection ends the cursor with it; a read still under way fails quietly.
    next?.catch(() => {});
    await reader.end().catch(() => {});
  };

  async function chunk(rows: BulkAuditRow[]): Promise<string> {
    const v1 = rows.filter((row) => row.formatVersion === 1);
    const v2 = rows.filter((row) => row.formatVersion !== 1);
    const [v1Marks, v2Checks] = await Promise.all([
      v1.length > 0 ? markRows(v1) : [],
      checkV2Rows(v2, keys),
      proofs ? proofs.prepare(placedBelow(rows, proofs.size)) : null,
    ]);
    const marks = new Map<BulkAuditRow, string | null>();
    v1.forEach((row, i) => marks.set(row, v1Marks[i] ?? null));
    v2.forEach((row, i) => {
      const check = v2Checks[i]!;
      marks.set(row, check.ok ? null : check.problem);
    });
    let lines = "";
    for (const row of rows) {
      const mark = marks.get(row) ?? null;
      if (mark !== null) {
        excluded++;
        // A left-out row that holds a position is accounted for on its own line, with its
        // bytes and its proof: a reader checks it is in the tree and is not a genuine event.
        if (row.position !== null && input.format === "jsonl")
          lines += excludedLine({
            position: Number(row.position),
            reason: mark,
            entry: row.entry ? Buffer.from(row.entry).toString("base64") : null,
            signature: row.signature ? Buffer.from(row.signature).toString("base64") : null,
            proof: proofOf(row.position),
          });
        continue;
      }
      events++;
      if (input.format === "ocsf") lines += toOcsfLine(row);
      else if (input.format === "csv") lines += toCsvLine(toExportedEvent(row));
      else lines += toJsonLine(toExportedEvent(row, proofOf(row.position)));
    }
    return lines;
  }

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          if (!started && input.format === "csv") controller.enqueue(encoder.encode(CSV_HEADER));
          started = true;
          const current = await (next ?? batches.next());
          if (current.done) {
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
            await close();
            return controller.close();
          }
          // The next batch comes over the wire while this one is checked and written.
          next = batches.next();
          controller.enqueue(encoder.encode(await chunk(current.value)));
        } catch (error) {
          await close();
          throw error;
        }
      },
      cancel: close,
    },
    // One chunk (a batch) waits at most: the stream reads on only as the response is sent.
    { highWaterMark: 1 },
  );
}

/** The positions inside the checkpoint among the rows, for the proofs. */
function placedBelow(rows: readonly BulkAuditRow[], size: number): number[] {
  const positions: number[] = [];
  for (const row of rows)
    if (row.position !== null && row.position < BigInt(size)) positions.push(Number(row.position));
  return positions;
}
