/**
 * RFC 6962 Merkle trees for the audit log v2 (docs/decisions/010-audit-format-versions.md,
 * docs/tlog.md): leaf and node hashing, roots and inclusion/consistency proofs built from the
 * hashes of complete subtrees (read in one batch per call, so a database adapter makes one query),
 * and the RFC 9162 verification algorithms, which return false on any bad input rather than throw.
 *
 * Sizes and indexes are plain numbers, exact up to 2^53; no bitwise operators are used on them.
 */
import { createHash } from "node:crypto";

export const HASH_SIZE = 32;

/** The root of the empty tree: SHA-256 of nothing. */
export const EMPTY_ROOT: Buffer = createHash("sha256").digest();

export function leafHash(data: Uint8Array): Buffer {
  return createHash("sha256").update(Buffer.of(0x00)).update(data).digest();
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return createHash("sha256").update(Buffer.of(0x01)).update(left).update(right).digest();
}

/** A complete subtree: level L, index i is the root of leaves [i·2^L, (i+1)·2^L). */
export type SubtreeRequest = { level: number; index: number };

/** Answers the hashes of complete subtrees, in the order asked. */
export type HashReader = (requests: SubtreeRequest[]) => Promise<Buffer[]>;

export type Range = { start: number; end: number };

function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function isSize(n: number): boolean {
  return Number.isSafeInteger(n) && n >= 0;
}

/** The complete subtrees that make up [start, end), left to right (start aligned as RFC 6962 splits). */
export function subtreesOf({ start, end }: Range): SubtreeRequest[] {
  const out: SubtreeRequest[] = [];
  let position = start;
  let remaining = end - start;
  let level = 0;
  while (2 ** (level + 1) <= remaining) level++;
  for (; remaining > 0; level--) {
    const width = 2 ** level;
    if (remaining >= width) {
      out.push({ level, index: position / width });
      position += width;
      remaining -= width;
    }
  }
  return out;
}

/** The Merkle tree hashes of the given ranges, with one call to `read`. */
async function rangeHashes(ranges: Range[], read: HashReader): Promise<Buffer[]> {
  const parts = ranges.map(subtreesOf);
  const flat = parts.flat();
  const hashes = flat.length > 0 ? await read(flat) : [];
  if (hashes.length !== flat.length) throw new Error("the hash reader answered the wrong count");
  let next = 0;
  return parts.map((subtrees) => {
    const own = hashes.slice(next, (next += subtrees.length));
    // RFC 6962 splits off the largest power of two on the left, so the range's root folds right.
    return own.reduceRight((right, left) => nodeHash(left, right));
  });
}

export async function treeRoot(size: number, read: HashReader): Promise<Buffer> {
  if (!isSize(size)) throw new RangeError(`bad tree size ${size}`);
  if (size === 0) return EMPTY_ROOT;
  const [root] = await rangeHashes([{ start: 0, end: size }], read);
  return root!;
}

/** RFC 6962 §2.1.1 PATH(m, D[start:start+n]): the sibling ranges, leaf level first. */
export function inclusionRanges(m: number, start: number, n: number): Range[] {
  if (n <= 1) return [];
  const k = largestPowerOfTwoBelow(n);
  return m < k
    ? [...inclusionRanges(m, start, k), { start: start + k, end: start + n }]
    : [...inclusionRanges(m - k, start + k, n - k), { start, end: start + k }];
}

/** RFC 6962 §2.1.2 SUBPROOF(m, D[start:start+n], b). */
function consistencyRanges(m: number, start: number, n: number, whole: boolean): Range[] {
  if (m === n) return whole ? [] : [{ start, end: start + n }];
  const k = largestPowerOfTwoBelow(n);
  return m <= k
    ? [...consistencyRanges(m, start, k, whole), { start: start + k, end: start + n }]
    : [...consistencyRanges(m - k, start + k, n - k, false), { start, end: start + k }];
}

export async function inclusionProof(
  index: number,
  size: number,
  read: HashReader,
): Promise<Buffer[]> {
  if (!isSize(size) || !isSize(index) || index >= size) {
    throw new RangeError(`no leaf ${index} in a tree of size ${size}`);
  }
  return rangeHashes(inclusionRanges(index, 0, size), read);
}

export async function consistencyProof(
  oldSize: number,
  newSize: number,
  read: HashReader,
): Promise<Buffer[]> {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) {
    throw new RangeError(`no consistency proof from ${oldSize} to ${newSize}`);
  }
  if (oldSize === 0 || oldSize === newSize) return [];
  return rangeHashes(consistencyRanges(oldSize, 0, newSize, true), read);
}

function isHash(h: unknown): h is Uint8Array {
  return h instanceof Uint8Array && h.length === HASH_SIZE;
}

function sameHash(a: Uint8Array, b: Uint8Array): boolean {
  return Buffer.compare(a, b) === 0;
}

const half = (n: number) => Math.floor(n / 2);
const odd = (n: number) => n % 2 === 1;

/** RFC 9162 §2.1.3.2. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isSize(size) || !isSize(index) || index >= size) return false;
  if (!isHash(leaf) || !isHash(root) || !Array.isArray(proof) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = size - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      r = nodeHash(r, p);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && sameHash(r, root);
}

/** RFC 9162 §2.1.4.2, plus the trivial cases: from 0 (empty proof, empty root) and to the same size. */
export function verifyConsistency(
  oldSize: number,
  newSize: number,
  proof: readonly Uint8Array[],
  oldRoot: Uint8Array,
  newRoot: Uint8Array,
): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || oldSize > newSize) return false;
  if (!isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof) || !proof.every(isHash)) {
    return false;
  }
  if (oldSize === 0) return proof.length === 0 && sameHash(oldRoot, EMPTY_ROOT);
  if (oldSize === newSize) return proof.length === 0 && sameHash(oldRoot, newRoot);
  if (proof.length === 0) return false;
  const path = Number.isInteger(Math.log2(oldSize)) ? [oldRoot, ...proof] : [...proof];
  let fn = oldSize - 1;
  let sn = newSize - 1;
  while (odd(fn)) [fn, sn] = [half(fn), half(sn)];
  let fr: Uint8Array = path[0]!;
  let sr: Uint8Array = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) [fn, sn] = [half(fn), half(sn)];
    } else {
      sr = nodeHash(sr, c);
    }
    [fn, sn] = [half(fn), half(sn)];
  }
  return sn === 0 && sameHash(fr, oldRoot) && sameHash(sr, newRoot);
}

/** A HashReader over leaf hashes held in memory (tests, small trees); it refuses incomplete subtrees. */
export function readerFromLeaves(leafHashes: readonly Buffer[]): HashReader {
  const memo = new Map<string, Buffer>();
  const hashAt = (level: number, index: number): Buffer => {
    if (level === 0) return leafHashes[index]!;
    const key = `${level}/${index}`;
    let hash = memo.get(key);
    if (!hash) {
      hash = nodeHash(hashAt(level - 1, 2 * index), hashAt(level - 1, 2 * index + 1));
      memo.set(key, hash);
    }
    return hash;
  };
  return async (requests) =>
    requests.map(({ level, index }) => {
      const ok = isSize(level) && isSize(index) && (index + 1) * 2 ** level <= leafHashes.length;
      if (!ok) throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
      return hashAt(level, index);
    });
}
