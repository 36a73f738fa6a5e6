import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { TileProofs } from "./bulk-proofs";
import { formatProof } from "./proof";
import { inclusionProof, readerFromLeaves, treeRoot, verifyInclusion } from "./merkle";
import { newTiles, tileHashReader, tileKey, type TileCoord } from "./tiles";

function leaves(n: number): Buffer[] {
  return Array.from({ length: n }, (_, i) => createHash("sha256").update(`leaf ${i}`).digest());
}

const NOTE = "console.test/audit\n5\nAAAA\n\n— console.test/audit AAAA\n";
const hex = (hashes: Buffer[]) => hashes.map((h) => h.toString("hex"));

async function storedTiles(hashes: Buffer[]) {
  const tiles = await newTiles(0, hashes.length, async () => new Map(), hashes);
  const store = new Map(tiles.map((tile) => [tileKey(tile.coord), tile.hashes]));
  const asked: TileCoord[][] = [];
  const fetch = async (coords: TileCoord[]) => {
    asked.push(coords);
    return new Map(
      coords.flatMap((c) => (store.has(tileKey(c)) ? [[tileKey(c), store.get(tileKey(c))!]] : [])),
    );
  };
  return { fetch, asked };
}

describe("inclusion proofs for many leaves from tiles", () => {
  it.each([1, 2, 3, 255, 256, 257, 511, 512, 1000, 65_536, 70_001])(
    "gives the same proofs as inclusionProof over the tiles, size %i",
    async (size) => {
      const hashes = leaves(size);
      const { fetch, asked } = await storedTiles(hashes);
      const proofs = new TileProofs(size, fetch, 4);
      const reader = tileHashReader(size, fetch);
      const root = await treeRoot(size, readerFromLeaves(hashes));
      const step = Math.max(1, Math.floor(size / 120));
      const positions = Array.from({ length: Math.ceil(size / step) }, (_, i) => i * step).concat(
        size > 1 ? [size - 2, size - 1] : [],
      );
      // In batches, as the export reads them.
      for (let i = 0; i < positions.length; i += 100) {
        const batch = positions.slice(i, i + 100).filter((p) => p < size);
        asked.length = 0;
        await proofs.prepare(batch);
        expect(asked.length).toBeLessThanOrEqual(1);
        for (const position of batch) {
          const proof = proofs.proof(position);
          expect(hex(proof)).toEqual(hex(await inclusionProof(position, size, reader)));
          // The export's text, written a tile at a time, is formatProof's to the byte.
          for (const note of [NOTE, `${NOTE}— another cosigner AAAA\n`])
            expect(proofs.proofText(position, note)).toBe(
              formatProof({ index: position, proof, checkpointNote: note }),
            );
          expect(verifyInclusion(hashes[position]!, position, size, proof, root)).toBe(true);
        }
      }
    },
    30_000,
  );

  it("keeps a bounded number of leaf tiles, and refetches one asked for again", async () => {
    const size = 4096;
    const { fetch, asked } = await storedTiles(leaves(size));
    const proofs = new TileProofs(size, fetch, 2);
    for (let block = 0; block < 16; block++) await proofs.prepare([block * 256]);
    asked.length = 0;
    await proofs.prepare([0]);
    expect(asked.flat().some((c) => c.level === 0 && c.index === 0)).toBe(true);
    expect(() => new TileProofs(size, fetch).proof(5)).toThrow(/not prepared/);
  });

  it("refuses a position outside the tree, and names a tile that is missing", async () => {
    const proofs = new TileProofs(10, async () => new Map());
    await expect(proofs.prepare([10])).rejects.toThrow(RangeError);
    for (const position of [-1, 10, 2.5])
      expect(() => proofs.proofText(position, "")).toThrow(RangeError);
    await expect(proofs.prepare([3])).rejects.toThrow(/tile\/0\/000\.p\/10 is missing/);
  });

  it.each([1, 3, 256, 257, 70_001])(
    "says a leaf is in the tree with a root only if every stored hash it rests on leads there, size %i",
    async (size) => {
      const hashes = leaves(size);
      const root = await treeRoot(size, readerFromLeaves(hashes));
      const other = createHash("sha256").update("another root").digest();
      const step = Math.max(1, Math.floor(size / 60));
      const positions = Array.from({ length: Math.ceil(size / step) }, (_, i) => i * step);
      const { fetch } = await storedTiles(hashes);
      const proofs = new TileProofs(size, fetch);
      await proofs.prepare(positions);
      for (const position of positions) {
        expect(proofs.holds(position, hashes[position]!, root)).toBe(true);
        expect(proofs.holds(position, hashes[(position + 1) % size]!, root)).toBe(size === 1);
        expect(proofs.holds(position, hashes[position]!, other)).toBe(false);
      }
      // One stored leaf hash changed (with the row it stands for, as a database writer could):
      // nothing in its tile holds any more, whether the row matches the stored hash or not.
      const target = positions[Math.floor(positions.length / 2)]!;
      const forged = createHash("sha256").update("forged").digest();
      const altered = hashes.map((h, i) => (i === target ? forged : h));
      const rewritten = await storedTiles(altered);
      const onlyThatTile = async (coords: TileCoord[]) => {
        const [original, changed] = await Promise.all([fetch(coords), rewritten.fetch(coords)]);
        const tile = coords.find((c) => c.level === 0 && c.index === Math.floor(target / 256));
        if (tile) original.set(tileKey(tile), changed.get(tileKey(tile))!);
        return original;
      };
      const afterwards = new TileProofs(size, onlyThatTile);
      await afterwards.prepare(positions);
      for (const position of positions) {
        const sameTile = Math.floor(position / 256) === Math.floor(target / 256);
        expect(afterwards.holds(position, altered[position]!, root)).toBe(!sameTile);
      }
      // Every tile rewritten to match: a tree with another root, in which nothing of this one holds.
      const otherTree = new TileProofs(size, rewritten.fetch);
      await otherTree.prepare(positions);
      const newRoot = await treeRoot(size, readerFromLeaves(altered));
      for (const position of positions) {
        expect(otherTree.holds(position, altered[position]!, root)).toBe(false);
        expect(otherTree.holds(position, altered[position]!, newRoot)).toBe(true);
      }
    },
    30_000,
  );
});
