/**
 * Inclusion proofs for many leaves of one tree, from its tiles (docs/tlog.md), for the export
 * (docs/decisions/021-bulk-reads.md): the same proofs as merkle.ts's inclusionProof over
 * tiles.ts's tileHashReader, without a query or a fold per leaf.
 *
 * - `prepare(positions)` fetches, in one call, the tiles the proofs of those positions need and
 *   does not yet hold; `proof(position)` then answers at once.
 * - Each tile's inner Merkle nodes are hashed once (255 hashes for a full tile), so a proof is a
 *   handful of lookups; the subtrees along the tree's right edge, which are not whole tiles'
 *   nodes, are hashed once for the whole walk.
 * - Memory stays flat: at most `keepLeafTiles` tiles of leaf hashes are kept (the export reads
 *   positions in rising order, so older ones are not asked for again); the higher tiles, one per
 * 65,536 leaves, are all kept.
 */
import {
  HASH_SIZE,
  inclusionRanges,
  nodeHash,
  subtreesOf,
  verifyInclusion,
  type Range,
} from "./merkle";
import { formatProof, MAX_PROOF_HASHES, PROOF_HEADER } from "./proof";
import {
  TILE_HEIGHT,
  TILE_WIDTH,
  tileKey,
  tilePath,
  type TileCoord,
  type TileFetcher,
} from "./tiles";

/**
 * A tile with its inner nodes: nodes[k] holds the roots of its aligned runs of 2^k hashes.
 * `under` remembers whether its hashes were found to lead up to a root (holds).
 */
type TileTree = { coord: TileCoord; nodes: Buffer[]; under?: { root: Buffer; ok: boolean } };

export class TileProofs {
  private readonly tiles = new Map<string, TileTree>();
  /** proofText's text after the hashes inside a whole tile, by the tile's index. */
  private readonly tails = new Map<number, { note: string; text: string }>();
  /** Hashes of ranges that end at `size` (the tree's right edge), by start. */
  private readonly edges = new Map<number, Buffer>();

  constructor(
    readonly size: number,
    private readonly fetchTiles: TileFetcher,
    private readonly keepLeafTiles = 64,
  ) {
    if (!Number.isSafeInteger(size) || size < 0) throw new RangeError(`bad tree size ${size}`);
  }

  /** Fetches what the proofs of `positions` (each below size) need, in one call. */
  async prepare(positions: readonly number[]): Promise<void> {
    const needed = new Map<string, TileCoord>();
    const blocks = new Set<number>();
    const fullBlocks = Math.floor(this.size / TILE_WIDTH);
    for (const position of positions) {
      if (!Number.isSafeInteger(position) || position < 0 || position >= this.size)
        throw new RangeError(`no leaf ${position} in a tree of size ${this.size}`);
      // Every leaf of a whole block of 256 needs the same tiles: one stands for all.
      const block = Math.floor(position / TILE_WIDTH);
      if (block < fullBlocks) {
        if (blocks.has(block)) continue;
        blocks.add(block);
      }
      // The leaf's own tile too, which a proof may not need (holds reads the leaf hash there).
      const own = this.tileOf(0, position).coord;
      needed.set(tileKey(own), own);
      for (const range of inclusionRanges(position, 0, this.size))
        for (const subtree of subtreesOf(range)) {
          const coord = this.tileOf(subtree.level, subtree.index).coord;
          needed.set(tileKey(coord), coord);
        }
    }
    const missing = [...needed.values()].filter((coord) => !this.tiles.has(tileKey(coord)));
    // Leaf tiles this batch does not need make room, oldest first.
    const incoming = missing.filter((coord) => coord.level === 0).length;
    let leafTiles = 0;
    for (const tile of this.tiles.values()) if (tile.coord.level === 0) leafTiles++;
    for (const [key, tile] of this.tiles) {
      if (leafTiles + incoming <= this.keepLeafTiles) break;
      if (tile.coord.level === 0 && !needed.has(key)) {
        this.tiles.delete(key);
        leafTiles--;
      }
    }
    if (missing.length === 0) return;
    const fetched = await this.fetchTiles(missing);
    for (const coord of missing) {
      const hashes = fetched.get(tileKey(coord));
      if (!hashes || hashes.length !== coord.width * HASH_SIZE)
        throw new Error(`the tile ${tilePath(coord)} is missing or the wrong length`);
      this.tiles.set(tileKey(coord), { coord, nodes: innerNodes(hashes, coord.width) });
    }
  }

  /**
   * formatProof's text for `position` (prepared) against `checkpointNote`, made faster for an
   * export: the hashes above a whole tile are the same for its 256 leaves, so the text after the
   * leaf's hashes inside its tile is written once per tile (and note).
   */
  proofText(position: number, checkpointNote: string): string {
    if (!Number.isSafeInteger(position) || position < 0 || position >= this.size)
      throw new RangeError(`no leaf ${position} in a tree of size ${this.size}`);
    const block = Math.floor(position / TILE_WIDTH);
    if (block >= Math.floor(this.size / TILE_WIDTH))
      return formatProof({ index: position, proof: this.proof(position), checkpointNote });
    // Inside a whole tile (an aligned complete subtree), the first eight sibling ranges are the
    // leaf's neighbours in the tile, leaf level first; the rest lie outside it.
    const ranges = inclusionRanges(position, 0, this.size);
    let tail = this.tails.get(block);
    if (!tail || tail.note !== checkpointNote) {
      const above = ranges.slice(TILE_HEIGHT).map((range) => this.rangeHash(range));
      if (above.length > MAX_PROOF_HASHES - TILE_HEIGHT)
        return formatProof({ index: position, proof: this.proof(position), checkpointNote });
      let text = "";
      for (const hash of above) text += `${hash.toString("base64")}\n`;
      tail = { note: checkpointNote, text: `${text}\n${checkpointNote}` };
      this.tails.set(block, tail);
      // One tail per tile of leaves kept: older ones are not asked for again.
      if (this.tails.size > this.keepLeafTiles) this.tails.delete(this.tails.keys().next().value!);
    }
    let text = `${PROOF_HEADER}\nindex ${position}\n`;
    for (let i = 0; i < TILE_HEIGHT; i++)
      text += `${this.rangeHash(ranges[i]!).toString("base64")}\n`;
    return text + tail.text;
  }

  /** The inclusion proof of `position` (prepared): what inclusionProof gives, leaf level first. */
  proof(position: number): Buffer[] {
    if (!Number.isSafeInteger(position) || position < 0 || position >= this.size)
      throw new RangeError(`no leaf ${position} in a tree of size ${this.size}`);
    return inclusionRanges(position, 0, this.size).map((range) => this.rangeHash(range));
  }

  /**
   * Whether the tree of this size whose root is `root` has `leaf` at `position` (prepared): the
   * stored leaf hash there is `leaf`, and the stored tile holding it leads up to `root`. The
   * tile is checked once, by its first leaf's inclusion proof: that proof's hashes are made from
   * every leaf hash the tile stores (with the stored hashes of the rest of the tree), so if it
   * reaches the root, each of the tile's leaf hashes is the tree's.
   */
  holds(position: number, leaf: Uint8Array, root: Buffer): boolean {
    const { coord, offset } = this.tileOf(0, position);
    const tile = this.tiles.get(tileKey(coord));
    if (!tile) throw new Error(`the tile ${tilePath(coord)} was not prepared`);
    const stored = tile.nodes[0]!.subarray(offset * HASH_SIZE, (offset + 1) * HASH_SIZE);
    if (!stored.equals(leaf)) return false;
    if (!tile.under || !tile.under.root.equals(root)) {
      const first = coord.index * TILE_WIDTH;
      const firstLeaf = tile.nodes[0]!.subarray(0, HASH_SIZE);
      const ok = verifyInclusion(firstLeaf, first, this.size, this.proof(first), root);
      tile.under = { root, ok };
    }
    return tile.under.ok;
  }

  private rangeHash(range: Range): Buffer {
    const width = range.end - range.start;
    if (isPowerOfTwo(width) && range.start % width === 0)
      return this.subtree(Math.log2(width), range.start / width);
    // Only the ranges along the right edge are not complete subtrees (they end at size).
    let hash = this.edges.get(range.start);
    if (!hash) {
      const parts = subtreesOf(range).map(({ level, index }) => this.subtree(level, index));
      hash = parts.reduceRight((right, left) => nodeHash(left, right));
      this.edges.set(range.start, hash);
    }
    return hash;
  }

  /** The root of the complete subtree at Merkle level `level`, index `index`. */
  private subtree(level: number, index: number): Buffer {
    const { coord, height, offset } = this.tileOf(level, index);
    const tile = this.tiles.get(tileKey(coord));
    if (!tile) throw new Error(`the tile ${tilePath(coord)} was not prepared`);
    const at = (offset / 2 ** height) * HASH_SIZE;
    return tile.nodes[height]!.subarray(at, at + HASH_SIZE);
  }

  /** Which tile holds a subtree's root, at which inner height and offset (as tiles.ts reads it). */
  private tileOf(level: number, index: number) {
    const tileLevel = Math.floor(level / TILE_HEIGHT);
    const height = level % TILE_HEIGHT;
    const first = index * 2 ** height;
    const tileIndex = Math.floor(first / TILE_WIDTH);
    const entries = Math.floor(this.size / TILE_WIDTH ** tileLevel);
    const full = (tileIndex + 1) * TILE_WIDTH <= entries;
    const coord = {
      level: tileLevel,
      index: tileIndex,
      width: full ? TILE_WIDTH : entries % TILE_WIDTH,
    };
    return { coord, height, offset: first % TILE_WIDTH };
  }
}

/** nodes[0] is the tile's hashes; nodes[k][j] the root of hashes j·2^k … (j+1)·2^k − 1. */
function innerNodes(hashes: Buffer, width: number): Buffer[] {
  const nodes = [hashes];
  for (
    let count = Math.floor(width / 2), below = hashes;
    count >= 1;
    count = Math.floor(count / 2)
  ) {
    const level = Buffer.alloc(count * HASH_SIZE);
    for (let j = 0; j < count; j++)
      nodeHash(
        below.subarray(2 * j * HASH_SIZE, (2 * j + 1) * HASH_SIZE),
        below.subarray((2 * j + 1) * HASH_SIZE, (2 * j + 2) * HASH_SIZE),
      ).copy(level, j * HASH_SIZE);
    nodes.push(level);
    below = level;
  }
  return nodes;
}

function isPowerOfTwo(n: number): boolean {
  return n > 0 && Number.isInteger(Math.log2(n));
}
