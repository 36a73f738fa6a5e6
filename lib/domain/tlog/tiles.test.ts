import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  consistencyProof,
  inclusionProof,
  leafHash,
  readerFromLeaves,
  treeRoot,
  verifyInclusion,
} from "./merkle";
import {
  newTiles,
  tileHashReader,
  tileKey,
  tilePath,
  tilesForSize,
  TILE_WIDTH,
  type TileCoord,
  type TileFetcher,
} from "./tiles";

const leaves = (from: number, to: number) =>
  Array.from({ length: to - from }, (_, i) => leafHash(Buffer.from(`event ${from + i}`)));

/** An in-memory tile store that records what was fetched. */
function store() {
  const tiles = new Map<string, Buffer>();
  const fetches: TileCoord[][] = [];
  const fetch: TileFetcher = async (coords) => {
    fetches.push(coords);
    const out = new Map<string, Buffer>();
    for (const c of coords) {
      const t = tiles.get(tileKey(c));
      if (t) out.set(tileKey(c), t);
    }
    return out;
  };
  return { tiles, fetches, fetch };
}

describe("tilesForSize", () => {
  it("follows the spec's examples", () => {
    const t70000 = tilesForSize(70_000);
    const partial = t70000.filter((t) => t.width < TILE_WIDTH);
    expect(t70000.filter((t) => t.level === 0 && t.width === TILE_WIDTH)).toHaveLength(273);
    expect(partial).toEqual([
      { level: 0, index: 273, width: 112 },
      { level: 1, index: 1, width: 17 },
      { level: 2, index: 0, width: 1 },
    ]);
    expect(t70000.filter((t) => t.level === 1 && t.width === TILE_WIDTH)).toEqual([
      { level: 1, index: 0, width: 256 },
    ]);
    expect(tilesForSize(256)).toEqual([
      { level: 0, index: 0, width: 256 },
      { level: 1, index: 0, width: 1 },
    ]);
    expect(tilesForSize(0)).toEqual([]);
    expect(tilesForSize(1)).toEqual([{ level: 0, index: 0, width: 1 }]);
  });

  it("names tiles as the spec's paths", () => {
    expect(tilePath({ level: 0, index: 1234067, width: 256 })).toBe("tile/0/x001/x234/067");
    expect(tilePath({ level: 2, index: 0, width: 1 })).toBe("tile/2/000.p/1");
    expect(tilePath({ level: 1, index: 1000, width: 17 })).toBe("tile/1/x001/000.p/17");
  });
});

describe("growing a tiled tree in uneven steps", () => {
  const steps = [0, 1, 255, 256, 257, 600, 65_536 + 3, 65_536 + 300];
  const all = leaves(0, steps.at(-1)!);
  const reference = readerFromLeaves(all);

  it("stores exactly the spec's tiles, reading only the old partial tiles, and answers like the leaves", async () => {
    const { tiles, fetches, fetch } = store();
    for (let s = 1; s < steps.length; s++) {
      const [oldSize, newSize] = [steps[s - 1]!, steps[s]!];
      fetches.length = 0;
      const written = await newTiles(oldSize, newSize, fetch, all.slice(oldSize, newSize));
      expect(fetches.length).toBeLessThanOrEqual(1);
      for (const coord of fetches.flat()) expect(coord.width).toBeLessThan(TILE_WIDTH);
      for (const t of written) tiles.set(tileKey(t.coord), t.hashes);

      // Every tile the new size has is stored, with the hashes the spec defines.
      for (const coord of tilesForSize(newSize)) {
        const stored = tiles.get(tileKey(coord));
        expect(stored, tilePath(coord)).toBeDefined();
        const expected = await reference(
          Array.from({ length: coord.width }, (_, i) => ({
            level: 8 * coord.level,
            index: coord.index * TILE_WIDTH + i,
          })),
        );
        expect(stored!.equals(Buffer.concat(expected)), tilePath(coord)).toBe(true);
      }

      const fromTiles = tileHashReader(newSize, fetch);
      const prefix = readerFromLeaves(all.slice(0, newSize));
      expect(await treeRoot(newSize, fromTiles)).toEqual(await treeRoot(newSize, prefix));
      for (const m of steps.slice(0, s + 1)) {
        expect(await consistencyProof(m, newSize, fromTiles)).toEqual(
          await consistencyProof(m, newSize, prefix),
        );
        // Older sizes' roots from the tiles they left behind.
        expect(await treeRoot(m, tileHashReader(m, fetch))).toEqual(await treeRoot(m, prefix));
      }
      const root = await treeRoot(newSize, prefix);
      await fc.assert(
        fc.asyncProperty(fc.nat(newSize - 1), async (i) => {
          fetches.length = 0;
          const proof = await inclusionProof(i, newSize, fromTiles);
          expect(fetches).toHaveLength(newSize > 1 ? 1 : 0);
          expect(proof).toEqual(await inclusionProof(i, newSize, prefix));
          expect(verifyInclusion(all[i]!, i, newSize, proof, root)).toBe(true);
        }),
        { numRuns: 40 },
      );
    }
  }, 60_000); // thousands of hashes: seconds on a busy shared machine, never a timing assertion

  it("answers every subtree level, folding within a tile", async () => {
    const { tiles, fetch } = store();
    const size = 70_000;
    const own = leaves(0, size);
    for (const t of await newTiles(0, size, fetch, own)) tiles.set(tileKey(t.coord), t.hashes);
    const fromTiles = tileHashReader(size, fetch);
    const ref = readerFromLeaves(own);
    for (let level = 0; 2 ** level <= size; level++) {
      const count = Math.floor(size / 2 ** level);
      const indexes = [0, Math.floor(count / 2), count - 1];
      const requests = indexes.map((index) => ({ level, index }));
      expect(await fromTiles(requests)).toEqual(await ref(requests));
    }
  });

  it("grows one leaf at a time like all at once", async () => {
    const a = store();
    const b = store();
    const own = leaves(0, 700);
    for (let n = 0; n < 700; n++) {
      for (const t of await newTiles(n, n + 1, a.fetch, own.slice(n, n + 1))) {
        a.tiles.set(tileKey(t.coord), t.hashes);
      }
    }
    for (const t of await newTiles(0, 700, b.fetch, own)) b.tiles.set(tileKey(t.coord), t.hashes);
    for (const coord of tilesForSize(700)) {
      expect(a.tiles.get(tileKey(coord))).toEqual(b.tiles.get(tileKey(coord)));
    }
  });

  it("refuses what it cannot do", async () => {
    const { fetch } = store();
    await expect(newTiles(5, 4, fetch, [])).rejects.toThrow(RangeError);
    await expect(newTiles(0, 2, fetch, leaves(0, 1))).rejects.toThrow(RangeError);
    await expect(newTiles(3, 4, fetch, leaves(3, 4))).rejects.toThrow(/missing/);
    await expect(tileHashReader(3, fetch)([{ level: 0, index: 0 }])).rejects.toThrow(/missing/);
    await expect(tileHashReader(3, fetch)([{ level: 1, index: 1 }])).rejects.toThrow(RangeError);
  });
});
