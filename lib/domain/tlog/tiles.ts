/**
 * The tlog-tiles storage layout for the audit log's Merkle tree (docs/tlog.md): tiles of height 8
 * (up to 256 hashes). A level-0 tile holds leaf hashes; an entry of a level-k tile is the root of
 * a full level-(k-1) tile, that is a subtree at Merkle level 8k. The rightmost tiles of a tree are
 * partial (width 1–255) and are never hashed into the level above.
 *
 * This module says which tiles a tree has, which to store when it grows, and answers
 * complete-subtree requests (merkle.ts's HashReader) from stored tiles, fetching them in one
 * batch per request batch.
 */
import { HASH_SIZE, nodeHash, type HashReader, type SubtreeRequest } from "./merkle";

export const TILE_HEIGHT = 8;
export const TILE_WIDTH = 2 ** TILE_HEIGHT;

/** Tile `index` of `level`, holding `width` hashes (256 when full). */
export type TileCoord = { level: number; index: number; width: number };

/** A tile's coordinates with its hashes, concatenated (width × 32 bytes). */
export type Tile = { coord: TileCoord; hashes: Buffer };

/** Fetches stored tiles; the answer is keyed by `tileKey`. Missing tiles are simply absent. */
export type TileFetcher = (coords: TileCoord[]) => Promise<Map<string, Buffer>>;

export function tileKey({ level, index, width }: TileCoord): string {
  return `${level}/${index}/${width}`;
}

/** The tile's path in the spec's static layout: `tile/<L>/<N>[.p/<W>]`, N in 3-digit parts. */
export function tilePath({ level, index, width }: TileCoord): string {
  const parts: string[] = [];
  let n = index;
  do {
    parts.unshift(String(n % 1000).padStart(3, "0"));
    n = Math.floor(n / 1000);
  } while (n > 0);
  const name = parts.map((p, i) => (i < parts.length - 1 ? `x${p}` : p)).join("/");
  return `tile/${level}/${name}${width < TILE_WIDTH ? `.p/${width}` : ""}`;
}

/** How many hashes the tree has at tile level `level` (Merkle level 8·level). */
function entriesAt(level: number, size: number): number {
  return Math.floor(size / TILE_WIDTH ** level);
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad tree size ${size}`);
}

/** Every tile, full and partial, of a tree of `size` leaves, level by level. */
export function tilesForSize(size: number): TileCoord[] {
  checkSize(size);
  const tiles: TileCoord[] = [];
  for (let level = 0; entriesAt(level, size) > 0; level++) {
    const entries = entriesAt(level, size);
    const full = Math.floor(entries / TILE_WIDTH);
    for (let index = 0; index < full; index++) tiles.push({ level, index, width: TILE_WIDTH });
    if (entries % TILE_WIDTH > 0) tiles.push({ level, index: full, width: entries % TILE_WIDTH });
  }
  return tiles;
}

/** The Merkle root of a full tile's 256 hashes (or any power-of-two run of hashes). */
function foldHashes(hashes: Buffer, count: number): Buffer {
  let layer = Array.from({ length: count }, (_, i) =>
    hashes.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE),
  );
  while (layer.length > 1) {
    layer = Array.from({ length: layer.length / 2 }, (_, i) =>
      nodeHash(layer[2 * i]!, layer[2 * i + 1]!),
    );
  }
  return Buffer.from(layer[0]!);
}

/** The partial tiles of a tree of `size` leaves, which growing must start from. */
function partialTiles(size: number): TileCoord[] {
  const tiles: TileCoord[] = [];
  for (let level = 0; entriesAt(level, size) > 0; level++) {
    const entries = entriesAt(level, size);
    const width = entries % TILE_WIDTH;
    if (width > 0) tiles.push({ level, index: Math.floor(entries / TILE_WIDTH), width });
  }
  return tiles;
}

/**
 * The tiles to store when the tree grows from `oldSize` to `newSize` with `newLeafHashes` (the
 * leaves at positions oldSize … newSize−1): tiles that became full, and the partial tiles of
 * newSize. Only the old partial tiles are read, in one call.
 */
export async function newTiles(
  oldSize: number,
  newSize: number,
  readTile: TileFetcher,
  newLeafHashes: readonly Buffer[],
): Promise<Tile[]> {
  checkSize(oldSize);
  checkSize(newSize);
  if (newSize < oldSize) throw new RangeError(`a tree cannot shrink (${oldSize} → ${newSize})`);
  if (newLeafHashes.length !== newSize - oldSize) {
    throw new RangeError(`expected ${newSize - oldSize} new leaf hashes`);
  }
  if (!newLeafHashes.every((h) => h.length === HASH_SIZE)) throw new RangeError("bad leaf hash");
  if (newSize === oldSize) return [];

  const needed = partialTiles(oldSize).filter(
    (t) => entriesAt(t.level, newSize) > entriesAt(t.level, oldSize),
  );
  const stored = needed.length > 0 ? await readTile(needed) : new Map<string, Buffer>();

  const out: Tile[] = [];
  let added = Buffer.concat(newLeafHashes); // the new hashes at the current level
  for (let level = 0; added.length > 0; level++) {
    const before = entriesAt(level, oldSize);
    const firstTile = Math.floor(before / TILE_WIDTH);
    let prefix: Buffer = Buffer.alloc(0);
    if (before % TILE_WIDTH > 0) {
      const coord = { level, index: firstTile, width: before % TILE_WIDTH };
      const old = stored.get(tileKey(coord));
      if (!old || old.length !== coord.width * HASH_SIZE) {
        throw new Error(`the stored tile ${tilePath(coord)} is missing or the wrong length`);
      }
      prefix = old;
    }
    const run = Buffer.concat([prefix, added]);
    const nextAdded: Buffer[] = [];
    for (let offset = 0; offset < run.length; offset += TILE_WIDTH * HASH_SIZE) {
      const hashes = run.subarray(offset, offset + TILE_WIDTH * HASH_SIZE);
      const width = hashes.length / HASH_SIZE;
      const index = firstTile + offset / (TILE_WIDTH * HASH_SIZE);
      out.push({ coord: { level, index, width }, hashes: Buffer.from(hashes) });
      if (width === TILE_WIDTH) nextAdded.push(foldHashes(hashes, TILE_WIDTH));
    }
    added = Buffer.concat(nextAdded);
  }
  return out;
}

/** Which tile of a tree of `size` holds the Merkle-level-(8·level) hash at `position`. */
function tileHolding(level: number, position: number, size: number): TileCoord {
  const index = Math.floor(position / TILE_WIDTH);
  const entries = entriesAt(level, size);
  const full = (index + 1) * TILE_WIDTH <= entries;
  return { level, index, width: full ? TILE_WIDTH : entries % TILE_WIDTH };
}

/**
 * A HashReader for the tree of `size` leaves, answered from its tiles (full tiles, and the
 * partial tiles of exactly this size). A request at a Merkle level that is not a multiple of 8 is
 * the fold of 2^r consecutive entries of the tile below.
 */
export function tileHashReader(size: number, fetchTiles: TileFetcher): HashReader {
  checkSize(size);
  return async (requests: SubtreeRequest[]) => {
    const plans = requests.map(({ level, index }) => {
      const complete =
        Number.isSafeInteger(level) &&
        Number.isSafeInteger(index) &&
        level >= 0 &&
        index >= 0 &&
        (index + 1) * 2 ** level <= size;
      if (!complete) throw new RangeError(`no complete subtree at level ${level}, index ${index}`);
      const tileLevel = Math.floor(level / TILE_HEIGHT);
      const count = 2 ** (level % TILE_HEIGHT);
      const first = index * count; // position among the hashes at Merkle level 8·tileLevel
      const coord = tileHolding(tileLevel, first, size);
      return { coord, offset: first % TILE_WIDTH, count };
    });
    const unique = new Map(plans.map((p) => [tileKey(p.coord), p.coord]));
    const tiles = unique.size > 0 ? await fetchTiles([...unique.values()]) : new Map();
    return plans.map(({ coord, offset, count }) => {
      const tile = tiles.get(tileKey(coord));
      if (!tile || tile.length !== coord.width * HASH_SIZE) {
        throw new Error(`the tile ${tilePath(coord)} is missing or the wrong length`);
      }
      const run = tile.subarray(offset * HASH_SIZE, (offset + count) * HASH_SIZE);
      return foldHashes(run, count);
    });
  };
}
