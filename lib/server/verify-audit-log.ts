/**
 * The full verification of the audit log (docs/decisions/017-verifiable-audit-log.md): reads
 * every row, whatever its id (negative ids included), in id order and in batches, and names every
 * row that is not part of the log: a v2 row that fails its signature or entry check, a position
 * repeated, out of range or missing, a v1 row outside the sealed v1 chain, a row in a format this
 * code does not know. It returns the leaf hashes by position, so the caller can compare the tree
 * with the signed checkpoints. Runs in the verify command and the verification worker, never in
 * a page request.
 *
 * NOTE: not marked "server-only" because the verify command (plain Node) runs it with its own client.
 */
import type { KeyObject } from "node:crypto";
import type pg from "pg";
import type { PrismaClient } from "@/generated/prisma/client";
import { verifyChainSegment, type ChainedEvent } from "@/lib/domain/audit-chain";
import { isoOrNull, parseEntry } from "@/lib/domain/audit-entry";
import {
  checkV2Row,
  checkV2Rows,
  PositionLedger,
  rowLeafHash,
  type StoredRow,
} from "@/lib/domain/audit-log-check";
import { openReceipt, type OpenedReceipt } from "@/lib/domain/check-receipt";
import { auditRowBatches, connectForBulkRead, type BulkAuditRow } from "./audit-rows";
import { sealOf, V1Digest, type V1Seal } from "./seal-v1-log";

const BATCH = 5000;
const MAX_PROBLEMS = 200;

export type LogProblem = { id: string; position: string | null; problem: string };

export type LogReport = {
  ok: boolean;
  /** Rows read, of every format. */
  rows: number;
  /** The v2 log's size when the walk began: positions 0 … size − 1. */
  size: number;
  v1: { rows: number; chained: number; sealed: boolean };
  problems: LogProblem[];
  problemCount: number;
  ledger: PositionLedger;
  /**
   * The check receipt the walk relied on (docs/decisions/049-check-receipts.md): the rows at its
   * positions whose signatures it vouched for (`vouched`) were not checked again. `held` is false
   * when the rows no longer hash to its root: the walk then checked every signature after all.
   */
  receipt: { from: number; size: number; vouched: number; held: boolean } | null;
};

type Client = Pick<PrismaClient, "$queryRaw">;

/**
 * `client` is the caller's Prisma client; the rows are read through a connection of the walk's
 * own to the same database (`databaseUrl`, by default DATABASE_URL: it must be the database
 * `client` reaches, which is checked), in one read-only snapshot. `onProgress` is awaited after
 * each batch of rows, so a caller can pace the walk.
 */
export async function verifyAuditLog(
  client: Client,
  input: {
    keys: ReadonlyMap<string, KeyObject>;
    /** Awaited between batches, so a caller can pace the walk. */
    onProgress?: (rows: number) => void | Promise<void>;
    databaseUrl?: string;
    /** Check every signature, whatever the check receipts say. */
    everySignature?: boolean;
  },
): Promise<LogReport> {
  const databaseUrl = input.databaseUrl ?? process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("verifyAuditLog: no database URL to read the rows with");
  const reader = await connectForBulkRead(databaseUrl);
  try {
    await sameDatabase(client, reader);
    // One snapshot: the log as it stood when the walk began (rows after it belong to the next run).
    await reader.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    const report = await walk(reader, input);
    await reader.query("COMMIT");
    return report;
  } finally {
    await reader.end().catch(() => {});
  }
}

type WalkInput = {
  keys: ReadonlyMap<string, KeyObject>;
  onProgress?: (rows: number) => void | Promise<void>;
  everySignature?: boolean;
};

/**
 * Reads the log once relying on the newest check receipt the snapshot holds, if any; if the rows
 * then turn out not to hash to the receipt's root, the receipt said nothing about them, and the
 * walk reads them again checking every signature.
 */
async function walk(reader: pg.Client, input: WalkInput): Promise<LogReport> {
  const head = await readHead(reader);
  const receipt = input.everySignature ? null : await newestReceipt(reader, input.keys, head.size);
  const report = await readRows(reader, input, head, receipt);
  if (!receipt) return report;
  const held =
    receipt.size <= report.ledger.size &&
    (await report.ledger.rootAt(receipt.size)).equals(receipt.root);
  if (held) return { ...report, receipt: { ...report.receipt!, held } };
  const again = await readRows(reader, input, head, null);
  return { ...again, receipt: { from: receipt.from, size: receipt.size, vouched: 0, held } };
}

type Head = { size: number; lastIdAtStart: bigint };

async function readHead(reader: pg.Client): Promise<Head> {
  const {
    rows: [head],
  } = await reader.query<{ max: string | null; placed: string; lastId: string | null }>(
    `SELECT max("position") AS max, count("position") AS placed, max(id) AS "lastId"
     FROM "AuditEvent"`,
  );
  // n rows with a position can fill at most positions 0 … n − 1: a row placed beyond (only the
  // owner, with the triggers off, can) is named as outside the log, not allocated for.
  const size =
    head?.max === null || head?.max === undefined
      ? 0
      : Math.min(Number(head.max) + 1, Number(head.placed));
  const lastIdAtStart = head?.lastId ? BigInt(head.lastId) : -(2n ** 62n);
  return { size, lastIdAtStart };
}

/**
 * The newest check receipt in the snapshot that is signed by a trusted event key and is for a
 * tree no larger than the log (a receipt anyone could have planted opens to nothing).
 */
async function newestReceipt(
  reader: pg.Client,
  keys: ReadonlyMap<string, KeyObject>,
  size: number,
): Promise<OpenedReceipt | null> {
  const { rows } = await reader.query<{ receipt: string }>(
    `SELECT receipt FROM "AuditCheckpoint" WHERE receipt IS NOT NULL AND size <= $1
     ORDER BY size DESC LIMIT 10`,
    [size],
  );
  for (const row of rows) {
    const receipt = openReceipt(row.receipt, keys);
    if (receipt && receipt.size <= size) return receipt;
  }
  return null;
}

async function readRows(
  reader: pg.Client,
  input: WalkInput,
  { size, lastIdAtStart }: Head,
  receipt: OpenedReceipt | null,
): Promise<LogReport> {
  const ledger = new PositionLedger(size);
  let vouched = 0;
  const vouchedFor = receipt
    ? (row: StoredRow) => {
        const covered = receipt.covers(Number(row.position));
        if (covered) vouched++;
        return covered;
      }
    : undefined;
  const problems: LogProblem[] = [];
  let problemCount = 0;
  const name = (row: { id: bigint; position: bigint | null }, problem: string) => {
    problemCount++;
    if (problems.length < MAX_PROBLEMS)
      problems.push({ id: row.id.toString(), position: row.position?.toString() ?? null, problem });
  };

  const v1Rows: (ChainedEvent & { position: bigint | null })[] = [];
  const seals: { seal: V1Seal; row: StoredRow }[] = [];
  let rows = 0;
  const batches = auditRowBatches(reader, { batch: BATCH });
  // The next batch is read while this one is checked.
  let next = batches.next();
  for (;;) {
    const current = await next;
    if (current.done) break;
    next = batches.next();
    const batch = current.value;
    rows += batch.length;
    const v2 = batch.filter((row) => row.formatVersion !== 1 && row.id <= lastIdAtStart);
    const checks = await checkV2Rows(v2, input.keys, { vouched: vouchedFor });
    for (const row of batch) if (row.formatVersion === 1) v1Rows.push(asV1(row));
    for (const [i, row] of v2.entries()) {
      const check = checks[i]!;
      if (!check.ok) {
        name(row, check.problem);
        // Still in the tree as it stands: the checkpoints committed to it (rowLeafHash).
        if (row.position !== null) ledger.take(row.position, rowLeafHash(row));
        continue;
      }
      const taken = ledger.take(row.position!, check.leafHash);
      if (taken) {
        // A second row at a position: the receipt vouched for the leaf there, which is the first
        // row's, not this one's. Its signature is checked, so it is named for what it is.
        const own = receipt ? checkV2Row(row, input.keys) : check;
        name(row, own.ok ? taken : own.problem);
      }
      if (row.action === "audit.format_changed") {
        const parsed = parseEntry(Buffer.from(row.entry!));
        const stated = parsed.ok ? sealOf(parsed.content.data) : null;
        if (stated) seals.push({ seal: stated, row });
      }
    }
    await input.onProgress?.(rows);
  }
  for (const position of ledger.missing()) {
    problemCount++;
    if (problems.length < MAX_PROBLEMS)
      problems.push({
        id: "?",
        position: String(position),
        problem: `no row holds position ${position}: an event was removed`,
      });
  }
  // Only the first seal counts: a later one (signed with a leaked key, say) would re-open v1.
  seals.sort((a, b) => Number(a.row.position! - b.row.position!));
  for (const later of seals.slice(1))
    name(later.row, "a second seal of the v1 log: only the first counts");
  const v1 = checkV1(v1Rows, seals[0]?.seal ?? null, name);
  return {
    ok: problemCount === 0,
    rows,
    size,
    v1,
    problems,
    problemCount,
    ledger,
    receipt: receipt ? { from: receipt.from, size: receipt.size, vouched, held: true } : null,
  };
}

/** The walk's own connection must reach the database the caller's client does. */
async function sameDatabase(client: Client, reader: pg.Client) {
  type Probe = { name: string; port: number | null; started: string };
  const [theirs] = await client.$queryRaw<Probe[]>`SELECT current_database()::text AS name,
    inet_server_port() AS port, pg_postmaster_start_time()::text AS started`;
  const {
    rows: [ours],
  } = await reader.query<Probe>(`SELECT current_database()::text AS name,
    inet_server_port() AS port, pg_postmaster_start_time()::text AS started`);
  if (
    !theirs ||
    !ours ||
    theirs.name !== ours.name ||
    Number(theirs.port) !== Number(ours.port) ||
    theirs.started !== ours.started
  )
    throw new Error(
      `verifyAuditLog: the database URL reaches ${ours?.name ?? "?"}, not the client's ${theirs?.name ?? "?"}`,
    );
}

function asV1(row: BulkAuditRow) {
  return {
    ...row,
    createdAt: isoOrNull(row.createdAt)!,
    prevHash: row.prevHash ?? null,
    hash: row.hash ?? null,
  } as ChainedEvent & { position: bigint | null };
}

/**
 * v1 rows predate the tree: they are part of the log only as the chain the first v2 event
 * sealed (its id range, its head and counts). Anything else in v1 is named.
 */
function checkV1(
  rows: (ChainedEvent & { position: bigint | null })[],
  seal: V1Seal | null,
  name: (row: { id: bigint; position: bigint | null }, problem: string) => void,
): LogReport["v1"] {
  if (rows.length === 0) return { rows: 0, chained: 0, sealed: seal !== null };
  if (!seal) {
    for (const row of rows) name(row, "a v1 row, but no v1 log was sealed into this one");
    return { rows: rows.length, chained: 0, sealed: false };
  }
  const inside = rows.filter((row) => {
    const within = row.id >= BigInt(seal.firstId) && row.id <= BigInt(seal.headId);
    if (!within) name(row, "a v1 row outside the sealed v1 chain");
    return within;
  });
  const result = verifyChainSegment(inside, null);
  if (result.break) name({ id: result.break.id, position: null }, `v1: ${result.break.problem}`);
  else if (result.checked !== seal.chained || (result.last ?? "") !== seal.headHash)
    name(
      { id: BigInt(seal.headId), position: null },
      `the v1 chain ends at ${result.checked} events, but ${seal.chained} were sealed`,
    );
  if (inside.length !== seal.rows)
    name(
      { id: BigInt(seal.firstId), position: null },
      `${inside.length} v1 rows in the sealed range, but ${seal.rows} were sealed`,
    );
  const digest = new V1Digest();
  for (const row of inside) digest.add(row);
  if (digest.hex() !== seal.digest)
    name(
      { id: BigInt(seal.firstId), position: null },
      "the v1 rows no longer match the seal's digest: a v1 row was changed, added or removed",
    );
  return { rows: rows.length, chained: result.checked, sealed: true };
}
