/**
 * Bulk reads (issue 11, item 5; docs/decisions/021-bulk-reads.md): the export and the full
 * verification walk every row. Printed beside floors measured in the same run:
 *
 * - export (JSON Lines, every event with its inclusion proof, the stream read as fast as it
 *   comes and written nowhere): events/s, MB/s and peak resident memory, beside
 *   `COPY (SELECT … FROM "AuditEvent") TO STDOUT` in text and `COPY (SELECT row_to_json(e) …)`
 *   on a connection of their own (pg-copy-streams);
 * - each twice: checking every signature (decision 021), and relying on the signer's check
 *   receipt for the signatures it vouches for (decision 049);
 * - the verification walk (verifyAuditLog: every row's signature, entry, columns, position),
 *   beside SHA-256 over the same bytes one leaf at a time and Ed25519 verification of as many
 *   signatures (on one core, and on the thread pool as the walk runs them);
 * - both beside the code they replaced ("before": Prisma findMany in keyset batches, one row's
 *   checks at a time, a proof read through the tile reader per event), kept here only to print
 *   before/after, over the first BULK_BEFORE_ROWS rows for the export, five times as many for the walk (default
 *   20,000: the old export hashed several hundred
 *   nodes per event's proof; 0 for all).
 *
 * `npx tsx scripts/bench/bulk-reads.ts` runs it alone against the benchmark database;
 * `npm run benchmark` runs it as the section `bulk`.
 */
import { createHash, randomBytes, verify as verifySignature, type KeyObject } from "node:crypto";
import path from "node:path";
import pg from "pg";
import { to as copyTo } from "pg-copy-streams";
import { createDb } from "../../lib/create-db.ts";
import {
  toExportedEvent,
  toJsonLine,
  type StoredExportRow,
} from "../../lib/domain/audit-export.ts";
import {
  columnsDisagreeing,
  entrySignatureValid,
  parseEntry,
} from "../../lib/domain/audit-entry.ts";
import {
  CLOCK_TOLERANCE_MS,
  PositionLedger,
  type RowCheck,
  type StoredRow,
} from "../../lib/domain/audit-log-check.ts";
import { AuditSearchSchema } from "../../lib/domain/audit-search.ts";
import { inclusionProof } from "../../lib/domain/tlog/merkle.ts";
import { eventLeafHash, formatProof } from "../../lib/domain/tlog/proof.ts";
import { tileHashReader } from "../../lib/domain/tlog/tiles.ts";
import { auditExportStream } from "../../lib/server/audit-export-stream.ts";
import { auditWhereSql } from "../../lib/server/audit-rows.ts";
import { auditCondition } from "../../lib/server/audit-where.ts";
import { trustedEventKeys } from "../../lib/server/audit-keys.ts";
import { cachingTileFetcher } from "../../lib/server/audit-tiles.ts";
import { verifyAuditLog } from "../../lib/server/verify-audit-log.ts";
import { openReceipt } from "../../lib/domain/check-receipt.ts";
import { auditConfig } from "../lib/audit-config.ts";
import { fmt, load, ratio, type BenchContext } from "./common.ts";

const BEFORE_ROWS = Number(process.env.BULK_BEFORE_ROWS ?? 20_000);

export async function run(ctx: BenchContext) {
  const { db } = ctx;
  const keys = trustedEventKeys();
  if (keys.size === 0) return console.log("\nbulk reads: needs the event keys, skipped");
  const rows = await db.auditEvent.count();
  const beforeRows = BEFORE_ROWS > 0 ? Math.min(BEFORE_ROWS, rows) : rows;
  console.log(`\nbulk reads over ${fmt(rows)} audit events (${load()})`);

  // ---- Export --------------------------------------------------------------------------------
  console.log(`\nexport, JSON Lines with inclusion proofs, read as fast as it comes (${load()})`);
  const line = (label: string, r: { rows: number; bytes: number; seconds: number }) =>
    `  ${label.padEnd(44)} ${fmt(r.rows).padStart(9)} rows ${fmt(r.bytes / 1e6).padStart(5)} MB in ${r.seconds.toFixed(1).padStart(5)} s: ${fmt(r.rows / r.seconds).padStart(7)} rows/s ${(r.bytes / 1e6 / r.seconds).toFixed(1).padStart(6)} MB/s`;
  const copyText = await copyFloor(
    ctx.databaseUrl,
    `COPY (SELECT * FROM "AuditEvent" ORDER BY id) TO STDOUT`,
  );
  console.log(line("floor: COPY … TO STDOUT (text)", copyText));
  const copyJson = await copyFloor(
    ctx.databaseUrl,
    `COPY (SELECT row_to_json(e) FROM "AuditEvent" e ORDER BY id) TO STDOUT`,
  );
  console.log(line("floor: COPY (SELECT row_to_json(e) …)", copyJson));
  const jsonRate = copyJson.rows / copyJson.seconds;
  const checkpointRow = await db.auditCheckpoint.findFirst({ orderBy: { size: "desc" } });
  const checkpoint = checkpointRow
    ? { size: Number(checkpointRow.size), note: checkpointRow.note, receipt: checkpointRow.receipt }
    : null;
  const before = await oldExport(db, keys, checkpoint, beforeRows);
  console.log(
    `${line(`before: findMany batches (first ${fmt(before.rows)})`, before)}   ${ratio(before.rows / before.seconds, jsonRate)} COPY JSON`,
  );
  const exportAll = (withReceipt: boolean) =>
    measureMemory(async () => {
      const stream = await auditExportStream({
        databaseUrl: ctx.databaseUrl,
        tiles: db,
        where: auditWhereSql(auditCondition({ ...AuditSearchSchema.parse({}), actorNames: null })),
        format: "jsonl",
        filtered: false,
        checkpoint: checkpoint && {
          ...checkpoint,
          receipt: withReceipt ? checkpoint.receipt : null,
        },
        keys,
        markV1Rows: async (v1) => v1.map(() => "a v1 row (not in the benchmark's data)"),
      });
      let bytes = 0;
      let lines = 0;
      const reader = stream.getReader();
      for (;;) {
        const { done, value: chunk } = await reader.read();
        if (done) break;
        bytes += chunk.length;
        lines += newlines(chunk);
      }
      return { bytes, rows: lines - 1 };
    });
  const everyOne = await exportAll(false);
  const everyExportRate = everyOne.rows / everyOne.seconds;
  console.log(
    `${line("after: every signature checked (decision 021)", everyOne)}   ${ratio(everyExportRate, jsonRate)} COPY JSON, ${ratio(everyExportRate, before.rows / before.seconds)} before`,
  );
  const receipted = openReceipt(checkpoint?.receipt, keys);
  if (!receipted || receipted.size !== checkpoint?.size)
    console.log("  (the newest checkpoint has no check receipt: decision 049's line is skipped)");
  const after = receipted ? await exportAll(true) : everyOne;
  const afterRate = after.rows / after.seconds;
  if (receipted)
    console.log(
      `${line(`after: check receipt (positions ${fmt(receipted.from)}–${fmt(receipted.size - 1)})`, after)}   ${ratio(afterRate, jsonRate)} COPY JSON, ${ratio(afterRate, copyText.rows / copyText.seconds)} COPY text, ${ratio(afterRate, before.rows / before.seconds)} before`,
    );
  console.log(
    `  resident memory: before ${fmt(before.rssBefore / 1e6)} MB → peak ${fmt(before.rssPeak / 1e6)} MB; after ${fmt(after.rssBefore / 1e6)} MB → peak ${fmt(after.rssPeak / 1e6)} MB (${fmt((after.rssPeak - after.rssBefore) / 1e6)} MB for ${fmt(after.bytes / 1e6)} MB streamed)`,
  );

  // ---- Verification ---------------------------------------------------------------------------
  console.log(
    `\nverification walk: every row's signature, entry, columns and position (${load()})`,
  );
  const oldWalk = await oldVerify(db, keys, Math.min(rows, beforeRows * 5));
  const walk = async (everySignature: boolean) => {
    const begun = performance.now();
    const report = await verifyAuditLog(db, { keys, databaseUrl: ctx.databaseUrl, everySignature });
    return { report, seconds: (performance.now() - begun) / 1000 };
  };
  const every = await walk(true);
  const { report, seconds: walkSeconds } = await walk(false);
  const [bytes] = await db.$queryRaw<{ total: bigint | null; rows: bigint }[]>`
    SELECT sum(octet_length(entry) + octet_length(signature)) AS total, count(*) AS rows
    FROM "AuditEvent" WHERE entry IS NOT NULL`;
  const total = Number(bytes?.total ?? 0n);
  const signed = Number(bytes?.rows ?? 0n);
  const sha = shaFloor(total, signed);
  const sample = await db.auditEvent.findMany({
    where: { entry: { not: null } },
    select: { entry: true, signature: true, keyId: true },
    orderBy: { id: "asc" },
    take: 5000,
  });
  const oneCore = edFloorOneCore(sample, keys, Math.min(signed, 30_000));
  const pool = await edFloorPool(sample, keys, signed);
  const rate = (n: number, s: number) => `${fmt(n / s).padStart(7)} rows/s`;
  console.log(
    `  floor: SHA-256, ${fmt(total / 1e6)} MB one leaf at a time          ${rate(signed, sha)}`,
  );
  console.log(
    `  floor: Ed25519 verify, one core (${fmt(Math.min(signed, 30_000))} of the signatures)   ${rate(oneCore.count, oneCore.seconds)}`,
  );
  console.log(
    `  floor: Ed25519 verify, thread pool, ${fmt(signed)} signatures  ${rate(signed, pool)}`,
  );
  console.log(
    `  before: findMany + checkV2Row (first ${fmt(oldWalk.rows)})            ${rate(oldWalk.rows, oldWalk.seconds)}`,
  );
  const verdict = (r: typeof report) =>
    r.ok ? "intact" : `NOT INTACT (${r.problemCount}: ${r.problems[0]?.problem})`;
  const everyRate = every.report.rows / every.seconds;
  console.log(
    `  after: every signature (decision 021), ${fmt(every.report.rows)} rows ${rate(every.report.rows, every.seconds)}   ${verdict(every.report)}   ${ratio(everyRate, oldWalk.rows / oldWalk.seconds)} before`,
  );
  const receipt = report.receipt;
  console.log(
    `  after: check receipt (decision 049), ${fmt(report.rows)} rows  ${rate(report.rows, walkSeconds)}   ${verdict(report)}   ` +
      (receipt
        ? `${fmt(receipt.vouched)} signatures vouched for (positions ${fmt(receipt.from)}–${fmt(receipt.size - 1)}${receipt.held ? "" : ", NOT HELD"})`
        : "no receipt in the database"),
  );
  const walkRate = report.rows / walkSeconds;
  console.log(
    `  after is ${ratio(walkRate, oldWalk.rows / oldWalk.seconds)} before, ${ratio(walkRate, everyRate)} every signature, ${ratio(walkRate, signed / pool)} Ed25519 on the thread pool, ${ratio(walkRate, signed / sha)} SHA-256`,
  );
}

/** A COPY … TO STDOUT read to the end on a connection of its own; the bytes are counted only. */
async function copyFloor(databaseUrl: string, sql: string) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    const started = performance.now();
    let bytes = 0;
    let rows = 0;
    for await (const chunk of client.query(copyTo(sql)) as AsyncIterable<Buffer>) {
      bytes += chunk.length;
      rows += newlines(chunk);
    }
    return { rows, bytes, seconds: (performance.now() - started) / 1000 };
  } finally {
    await client.end();
  }
}

function newlines(chunk: Uint8Array): number {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  let count = 0;
  for (let at = bytes.indexOf(10); at !== -1; at = bytes.indexOf(10, at + 1)) count++;
  return count;
}

async function measureMemory(run: () => Promise<{ rows: number; bytes: number }>) {
  globalThis.gc?.();
  const rssBefore = process.memoryUsage().rss;
  let rssPeak = rssBefore;
  const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 25);
  const started = performance.now();
  try {
    const result = await run();
    return { ...result, seconds: (performance.now() - started) / 1000, rssBefore, rssPeak };
  } finally {
    clearInterval(sampler);
  }
}

function shaFloor(total: number, rows: number): number {
  const buffer = randomBytes(Math.max(1, Math.round(total / Math.max(rows, 1))));
  const begun = performance.now();
  for (let i = 0; i < rows; i++) createHash("sha256").update(buffer).digest();
  return (performance.now() - begun) / 1000;
}

type Signed = { entry: Uint8Array | null; signature: Uint8Array | null; keyId: string | null };
const PREFIX = Buffer.from("audit-event/v2\n", "utf8");

function edFloorOneCore(sample: Signed[], keys: ReadonlyMap<string, unknown>, count: number) {
  const messages = sample.map((row) => Buffer.concat([PREFIX, row.entry!]));
  const begun = performance.now();
  for (let i = 0; i < count; i++) {
    const row = sample[i % sample.length]!;
    verifySignature(
      null,
      messages[i % sample.length]!,
      keys.get(row.keyId!) as never,
      row.signature!,
    );
  }
  return { count, seconds: (performance.now() - begun) / 1000 };
}

/** As many verifications as the walk makes, 64 in flight on libuv's pool (as checkV2Rows). */
async function edFloorPool(sample: Signed[], keys: ReadonlyMap<string, unknown>, count: number) {
  const messages = sample.map((row) => Buffer.concat([PREFIX, row.entry!]));
  const begun = performance.now();
  let issued = 0;
  const lane = async () => {
    while (issued < count) {
      const i = issued++ % sample.length;
      await new Promise<boolean>((resolve, reject) =>
        verifySignature(
          null,
          messages[i]!,
          keys.get(sample[i]!.keyId!) as never,
          sample[i]!.signature!,
          (error, ok) => (error ? reject(error) : resolve(ok)),
        ),
      );
    }
  };
  await Promise.all(Array.from({ length: 64 }, lane));
  return (performance.now() - begun) / 1000;
}

// ---- "Before": the code these paths replaced, for the before/after figures only. ---------------

type Db = BenchContext["db"];

/** checkV2Row as it was: the signature, then the entry parsed and every column compared. */
function oldCheckV2Row(row: StoredRow, keys: ReadonlyMap<string, KeyObject>): RowCheck {
  if (row.formatVersion !== 2) return { ok: false, problem: "format" };
  if (row.position === null) return { ok: false, problem: "no position in the log" };
  if (!row.entry || !row.signature) return { ok: false, problem: "no signed entry" };
  const entry = Buffer.from(row.entry);
  const signature = Buffer.from(row.signature);
  const key = row.keyId === null ? undefined : keys.get(row.keyId);
  if (!key) return { ok: false, problem: "unknown key" };
  if (!entrySignatureValid(entry, signature, key)) return { ok: false, problem: "signature" };
  const parsed = parseEntry(entry);
  if (!parsed.ok) return { ok: false, problem: parsed.problem };
  if (columnsDisagreeing(parsed.content, row).length > 0) return { ok: false, problem: "columns" };
  if (parsed.content.keyId !== row.keyId) return { ok: false, problem: "key id" };
  const skew = Math.abs(row.createdAt.getTime() - Date.parse(parsed.content.appTime));
  if (!(skew <= CLOCK_TOLERANCE_MS)) return { ok: false, problem: "clock" };
  return { ok: true, leafHash: eventLeafHash(signature, entry) };
}

async function oldVerify(db: Db, keys: ReadonlyMap<string, KeyObject>, limit: number) {
  const ledger = new PositionLedger(limit + 1);
  const started = performance.now();
  let rows = 0;
  let after: bigint | null = null;
  while (rows < limit) {
    const batch: StoredRow[] = await db.auditEvent.findMany({
      where: after === null ? {} : { id: { gt: after } },
      orderBy: { id: "asc" },
      take: Math.min(5000, limit - rows),
    });
    if (batch.length === 0) break;
    after = batch.at(-1)!.id;
    rows += batch.length;
    for (const row of batch) {
      const check = oldCheckV2Row(row, keys);
      if (check.ok && row.position! < BigInt(ledger.size))
        ledger.take(row.position!, check.leafHash);
    }
  }
  return { rows, seconds: (performance.now() - started) / 1000 };
}

async function oldExport(
  db: Db,
  keys: ReadonlyMap<string, KeyObject>,
  checkpoint: { size: number; note: string } | null,
  limit: number,
) {
  return measureMemory(async () => {
    const read = checkpoint ? tileHashReader(checkpoint.size, cachingTileFetcher(db)) : null;
    let rows = 0;
    let bytes = 0;
    let after: bigint | null = null;
    while (rows < limit) {
      const batch: (StoredRow & StoredExportRow)[] = await db.auditEvent.findMany({
        where: after === null ? {} : { id: { gt: after } },
        orderBy: { id: "asc" },
        take: Math.min(2000, limit - rows),
      });
      if (batch.length === 0) break;
      after = batch.at(-1)!.id;
      rows += batch.length;
      const lines: string[] = [];
      for (const row of batch) {
        if (!oldCheckV2Row(row, keys).ok) continue;
        const position = row.position === null ? null : Number(row.position);
        const proof =
          position !== null && checkpoint && read && position < checkpoint.size
            ? formatProof({
                index: position,
                proof: await inclusionProof(position, checkpoint.size, read),
                checkpointNote: checkpoint.note,
              })
            : null;
        lines.push(toJsonLine(toExportedEvent(row, proof)));
      }
      bytes += Buffer.byteLength(lines.join(""));
    }
    return { rows, bytes };
  });
}

// Alone: `npx tsx scripts/bench/bulk-reads.ts` against the benchmark database.
if (process.argv[1] && import.meta.filename === path.resolve(process.argv[1])) {
  const { databaseUrl } = auditConfig();
  if (!databaseUrl) {
    console.error("Set DATABASE_URL, or start the demo first.");
    process.exit(2);
  }
  const db = createDb(databaseUrl);
  await run({ databaseUrl, db, baseUrl: null, cookie: null });
  await db.$disconnect();
}
