/**
 * The export's stream (lib/server/export-audit-events.ts records the export and passes what it
 * read: the checkpoint, the keys, how v1 rows are marked), docs/decisions/021-bulk-reads.md.
 *
 * The rows are read through a cursor on a connection of the export's own (audit-rows.ts), one
 * batch per chunk the reader asks for: the stream pulls only as fast as the response is sent, so
 * memory stays flat however many events match. The next batch is read while this one is checked
 * (checkV2Rows: signatures on every core, except those the signer's check receipt vouches for,
 * docs/decisions/049-check-receipts.md) and written. Proofs come from the tiles, fetched in one
 * query per batch (TileProofs). The connection is closed when the stream ends, fails or is
 * cancelled.
 *
 * NOTE: not marked "server-only": the benchmark (plain Node) runs the same stream.
 */
import type { KeyObject } from "node:crypto";
import type { PrismaClient } from "@/generated/prisma/client";
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
import { checkV2Rows, type StoredRow } from "@/lib/domain/audit-log-check";
import { openReceipt } from "@/lib/domain/check-receipt";
import { TileProofs } from "@/lib/domain/tlog/bulk-proofs";
import {
  auditRowBatches,
  type SqlWhere,
  connectForBulkRead,
  type BulkAuditRow,
} from "./audit-rows";
import { tileFetcher } from "./audit-tiles";

/** Rows per cursor read, and so per chunk of the stream. */
const BATCH = 2000;

export async function auditExportStream(input: {
  /** Where the rows are read (a connection of the export's own). */
  databaseUrl: string;
  /** Reads the tiles the proofs need. */
  tiles: Pick<PrismaClient, "auditTile">;
  /** The rows to export (audit-where.ts's exportCondition, as SQL). */
  where: SqlWhere;
  format: ExportFormat;
  /** Whether a filter chose the events (said on the end line). */
  filtered: boolean;
  /**
   * The signed checkpoint the proofs are against, or none yet, with the signer's check receipt
   * stored beside it (unchecked: openReceipt decides what it is worth).
   */
  checkpoint: { size: number; note: string; receipt?: string | null } | null;
  keys: ReadonlyMap<string, KeyObject>;
  /** Why each v1 row is not part of the log, or null (find-audit-events.ts's markRows). */
  markV1Rows: (rows: StoredRow[]) => Promise<(string | null)[]>;
  /** Rows per cursor read (default BATCH). */
  batch?: number;
}): Promise<ReadableStream<Uint8Array>> {
  const { checkpoint, filtered, keys } = input;
  // The signer's receipt for the checkpoint's tree (docs/decisions/049-check-receipts.md): a row
  // it vouches for whose leaf is in that tree (its root) is not checked for its signature again.
  const opened = checkpoint ? openReceipt(checkpoint.receipt, keys) : null;
  const receipt = opened && opened.size === checkpoint?.size ? opened : null;
  // The tiles give the proofs (CSV leaves them out; OCSF has none) and show the leaves are in the
  // receipt's tree.
  const tiles =
    checkpoint && (input.format === "jsonl" || receipt)
      ? new TileProofs(checkpoint.size, tileFetcher(input.tiles))
      : null;
  const proofs = input.format === "jsonl" ? tiles : null;
  const vouched =
    receipt && tiles
      ? (row: StoredRow, leafHash: Buffer) =>
          receipt.covers(Number(row.position)) &&
          tiles.holds(Number(row.position), leafHash, receipt.root)
      : undefined;
  const proofOf = (position: bigint | null) =>
    position !== null &&
    position >= 0n &&
    proofs &&
    checkpoint &&
    position < BigInt(checkpoint.size)
      ? proofs.proofText(Number(position), checkpoint.note)
      : null;
  const encoder = new TextEncoder();
  const reader = await connectForBulkRead(input.databaseUrl);
  const batches = auditRowBatches(reader, { where: input.where, batch: input.batch ?? BATCH });
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

  /**
   * The tiles this batch's rows need. JSON Lines cannot go on without them (its proofs); CSV and
   * OCSF read them only to rely on the receipt, so without them they check every signature.
   */
  async function prepareTiles(tiles: TileProofs, rows: BulkAuditRow[]): Promise<boolean> {
    try {
      await tiles.prepare(placedBelow(rows, tiles.size));
      return true;
    } catch (error) {
      if (proofs) throw error;
      return false;
    }
  }

  async function chunk(rows: BulkAuditRow[]): Promise<string> {
    const v1 = rows.filter((row) => row.formatVersion === 1);
    const v2 = rows.filter((row) => row.formatVersion !== 1);
    const [v1Marks, tilesReady] = await Promise.all([
      v1.length > 0 ? input.markV1Rows(v1) : [],
      tiles ? prepareTiles(tiles, rows) : false,
    ]);
    const v2Checks = await checkV2Rows(v2, keys, { vouched: tilesReady ? vouched : undefined });
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
    if (row.position !== null && row.position >= 0n && row.position < BigInt(size))
      positions.push(Number(row.position));
  return positions;
}
