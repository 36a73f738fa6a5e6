/**
 * What makes a stored audit row part of the log (docs/decisions/017-verifiable-audit-log.md),
 * checked one row at a time: a v2 row is signed by a trusted event key, its searchable columns
 * are copies of its signed entry, it has a position, and the database's clock agrees with the
 * application's within a tolerance. Every verifier (the full walk, the signer's incremental
 * check, the reviewer page's marks) uses this one check. A row that fails is named with why.
 */
import type { KeyObject } from "node:crypto";
import {
  AUDIT_FORMAT_V2,
  columnsDisagreeing,
  entryBytes,
  entrySignatureValid,
  entrySignatureValidAsync,
  isoOrNull,
  parseEntry,
  type EntryContent,
  type StoredV2Row,
} from "./audit-entry";
import { nodeHash, treeRoot } from "./tlog/merkle";
import { eventLeafHash } from "./tlog/proof";

/** How far the database's createdAt may be from the signed appTime (clock skew plus a slow transaction). */
export const CLOCK_TOLERANCE_MS = 5 * 60 * 1000;

export type StoredRow = StoredV2Row & {
  id: bigint;
  formatVersion: number;
  position: bigint | null;
  createdAt: Date;
  entry: Uint8Array | null;
  signature: Uint8Array | null;
};

export type RowCheck = { ok: true; leafHash: Buffer } | { ok: false; problem: string };

export function checkV2Row(row: StoredRow, keys: ReadonlyMap<string, KeyObject>): RowCheck {
  const signed = signedParts(row, keys);
  if ("problem" in signed) return { ok: false, problem: signed.problem };
  if (!entrySignatureValid(signed.entry, signed.signature, signed.key))
    return { ok: false, problem: "the signature does not match the entry" };
  return checkEntry(row, signed.entry, eventLeafHash(signed.signature, signed.entry));
}

/**
 * checkV2Row over many rows, with the same answer for each: the signatures are checked on the
 * thread pool, `window` at a time (every core verifies while this thread compares entries with
 * columns), the rest here. For the bulk walks (the full verification, the export).
 *
 * `vouched` names the rows whose signature a check receipt vouches for (lib/domain/check-receipt.ts),
 * given each row with its leaf hash: their signature is not checked again, everything else is.
 * The caller answers for the receipt: it applies only to rows whose leaves hash to its root.
 */
export async function checkV2Rows(
  rows: readonly StoredRow[],
  keys: ReadonlyMap<string, KeyObject>,
  options: { window?: number; vouched?: (row: StoredRow, leafHash: Buffer) => boolean } = {},
): Promise<RowCheck[]> {
  const { window = 64, vouched } = options;
  const results = new Array<RowCheck>(rows.length);
  let inFlight = 0;
  let failure: unknown = null;
  let wake: (() => void) | null = null;
  const settled = () => {
    inFlight--;
    wake?.();
    wake = null;
  };
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i]!;
    const signed = signedParts(row, keys);
    if ("problem" in signed) {
      results[i] = { ok: false, problem: signed.problem };
      continue;
    }
    // The entry is compared while its signature is checked; a bad signature is named first.
    const leafHash = eventLeafHash(signed.signature, signed.entry);
    const entryCheck = checkEntry(row, signed.entry, leafHash);
    // Only a row that passes every other check and whose signature has a signature's length:
    // the leaf hashes the signature and the entry run together, so the same leaf could be split
    // into another entry and another signature, and that row must be named for its signature.
    if (entryCheck.ok && signed.signature.length === 64 && vouched?.(row, leafHash)) {
      results[i] = entryCheck;
      continue;
    }
    inFlight++;
    entrySignatureValidAsync(signed.entry, signed.signature, signed.key).then(
      (valid) => {
        results[i] = valid
          ? entryCheck
          : { ok: false, problem: "the signature does not match the entry" };
        settled();
      },
      (error: unknown) => {
        failure ??= error;
        settled();
      },
    );
    while (inFlight >= window) await new Promise<void>((resolve) => (wake = resolve));
  }
  while (inFlight > 0) await new Promise<void>((resolve) => (wake = resolve));
  if (failure !== null) throw failure;
  return results;
}

/** The checks before the signature: format, position, signed bytes, a trusted key. */
function signedParts(
  row: StoredRow,
  keys: ReadonlyMap<string, KeyObject>,
): { entry: Buffer; signature: Buffer; key: KeyObject } | { problem: string } {
  if (row.formatVersion !== AUDIT_FORMAT_V2)
    return { problem: `format version ${row.formatVersion} is not 2` };
  if (row.position === null) return { problem: "no position in the log" };
  if (!row.entry || !row.signature) return { problem: "no signed entry" };
  const key = row.keyId === null ? undefined : keys.get(row.keyId);
  if (!key) return { problem: `signed by an unknown key (${row.keyId ?? "none"})` };
  return { entry: asBuffer(row.entry), signature: asBuffer(row.signature), key };
}

function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes);
}

/**
 * The checks after the signature: the entry is a canonical v2 entry, the columns are its copies,
 * its key id is the row's, and the two clocks agree.
 *
 * Most rows are read back as written, so the entry is first compared with the entry the row's
 * columns make (entryBytes): equal bytes say at once that the entry parses, is canonical, has
 * exactly the v2 fields and that every column copies it (canonical JSON re-read is the same
 * text), without parsing it or writing each field twice. Only a row that differs takes the long
 * way, which names what is wrong.
 */
function checkEntry(row: StoredRow, entry: Buffer, leafHash: Buffer): RowCheck {
  const fromColumns = contentOfColumns(row);
  let content: EntryContent;
  if (entryBytes(fromColumns).equals(entry)) content = fromColumns;
  else {
    const parsed = parseEntry(entry);
    if (!parsed.ok) return { ok: false, problem: parsed.problem };
    const differing = columnsDisagreeing(parsed.content, row);
    if (differing.length > 0)
      return {
        ok: false,
        problem: `columns differ from the signed entry: ${differing.join(", ")}`,
      };
    content = parsed.content;
  }
  if (content.keyId !== row.keyId)
    return { ok: false, problem: "signed under another key id than the row says" };
  const skew = Math.abs(row.createdAt.getTime() - Date.parse(content.appTime));
  if (!(skew <= CLOCK_TOLERANCE_MS))
    return {
      ok: false,
      problem: `written at ${isoOrNull(row.createdAt)} by the database but signed at ${content.appTime}`,
    };
  return { ok: true, leafHash };
}

/** The entry content a row's columns state (as columnsDisagreeing reads them). */
function contentOfColumns(row: StoredRow): EntryContent {
  return {
    eventId: row.eventId as string,
    appTime: isoOrNull(row.appTime) as string,
    keyId: row.keyId as string,
    action: row.action,
    outcome: row.outcome,
    reason: row.reason,
    actorType: row.actorType,
    actorId: row.actorId,
    actorName: row.actorName,
    actorRole: row.actorRole,
    targetType: row.targetType,
    targetId: row.targetId,
    subjectUserId: row.subjectUserId,
    caseId: row.caseId,
    requestId: row.requestId,
    ip: row.ip,
    data: row.data,
  };
}

/**
 * The leaf a row puts in the tree, whether or not it is part of the log: the tree commits to
 * whatever occupies each position, so a planted or altered row is recorded as it stands (and
 * named by the check above) instead of stopping every later event from being checkpointed.
 */
export function rowLeafHash(row: Pick<StoredRow, "entry" | "signature">): Buffer {
  return eventLeafHash(row.signature ?? new Uint8Array(), row.entry ?? new Uint8Array());
}

/**
 * Accounts for positions as rows are read in any order: n rows with distinct positions all
 * inside 0 … n−1 are exactly the gapless sequence. Reports repeats, and at the end what is
 * missing (a deleted row) or out of range (an inserted one).
 */
export class PositionLedger {
  private readonly seen: Uint8Array;
  readonly leaves: Buffer;
  constructor(readonly size: number) {
    this.seen = new Uint8Array(size);
    this.leaves = Buffer.alloc(size * 32);
  }
  /** Records a row's position; returns a problem if the position is out of range or repeated. */
  take(position: bigint, leafHash: Buffer | null): string | null {
    if (position < 0n || position >= BigInt(this.size))
      return `position ${position} is outside the log (0 to ${this.size - 1})`;
    const index = Number(position);
    if (this.seen[index]) return `position ${position} is taken by another row`;
    this.seen[index] = 1;
    if (leafHash) leafHash.copy(this.leaves, index * 32);
    return null;
  }
  missing(limit = 20): number[] {
    const gaps: number[] = [];
    for (let i = 0; i < this.size && gaps.length < limit; i++) if (!this.seen[i]) gaps.push(i);
    return gaps;
  }
  leaf(position: number): Buffer {
    return this.leaves.subarray(position * 32, position * 32 + 32);
  }
  private readonly roots = new Map<number, Buffer>();
  /** The root of the tree of the first `size` leaves taken (size at most this ledger's). */
  async rootAt(size: number): Promise<Buffer> {
    if (!Number.isSafeInteger(size) || size < 0 || size > this.size)
      throw new RangeError(`no tree of size ${size} in a ledger of ${this.size}`);
    let root = this.roots.get(size);
    if (!root) {
      const subtree = (level: number, index: number): Buffer =>
        level === 0
          ? this.leaf(index)
          : nodeHash(subtree(level - 1, 2 * index), subtree(level - 1, 2 * index + 1));
      root = await treeRoot(size, async (requests) =>
        requests.map(({ level, index }) => subtree(level, index)),
      );
      this.roots.set(size, root);
    }
    return root;
  }
}
