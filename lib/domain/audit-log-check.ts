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
  entrySignatureValid,
  parseEntry,
  type StoredV2Row,
} from "./audit-entry";
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
  if (row.formatVersion !== AUDIT_FORMAT_V2)
    return { ok: false, problem: `format version ${row.formatVersion} is not 2` };
  if (row.position === null) return { ok: false, problem: "no position in the log" };
  if (!row.entry || !row.signature) return { ok: false, problem: "no signed entry" };
  const entry = Buffer.from(row.entry);
  const signature = Buffer.from(row.signature);
  const key = row.keyId === null ? undefined : keys.get(row.keyId);
  if (!key) return { ok: false, problem: `signed by an unknown key (${row.keyId ?? "none"})` };
  if (!entrySignatureValid(entry, signature, key))
    return { ok: false, problem: "the signature does not match the entry" };
  const parsed = parseEntry(entry);
  if (!parsed.ok) return { ok: false, problem: parsed.problem };
  const differing = columnsDisagreeing(parsed.content, row);
  if (differing.length > 0)
    return { ok: false, problem: `columns differ from the signed entry: ${differing.join(", ")}` };
  if (parsed.content.keyId !== row.keyId)
    return { ok: false, problem: "signed under another key id than the row says" };
  const skew = Math.abs(row.createdAt.getTime() - Date.parse(parsed.content.appTime));
  if (!(skew <= CLOCK_TOLERANCE_MS))
    return {
      ok: false,
      problem: `written at ${row.createdAt.toISOString()} by the database but signed at ${parsed.content.appTime}`,
    };
  return { ok: true, leafHash: eventLeafHash(signature, entry) };
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
}
