import { createHash } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  consistencyProof,
  EMPTY_ROOT,
  inclusionProof,
  leafHash,
  readerFromLeaves,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type HashReader,
} from "./merkle";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const unhex = (s: string) => Buffer.from(s, "hex");

// The classic inputs of the certificate-transparency reference implementation's tests.
const LEAVES = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(unhex);
const LEAF_HASHES = LEAVES.map(leafHash);

const ROOTS = [
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];

// Leaf indexes are 0-based here (the reference's tables count leaves from 1).
const INCLUSION = [
  {
    index: 0,
    size: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    index: 5,
    size: 8,
    path: [
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    index: 2,
    size: 3,
    path: ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"],
  },
  {
    index: 1,
    size: 5,
    path: [
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
  { index: 0, size: 1, path: [] },
];

const CONSISTENCY = [
  { m: 1, n: 1, path: [] },
  {
    m: 1,
    n: 8,
    path: [
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ],
  },
  {
    m: 6,
    n: 8,
    path: [
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ],
  },
  {
    m: 2,
    n: 5,
    path: [
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ],
  },
];

// An independent implementation, straight from RFC 6962 §2.1 over the data itself.
const sha = (...parts: Uint8Array[]) => {
  const h = createHash("sha256");
  for (const p of parts) h.update(p);
  return h.digest();
};
const split = (n: number) => {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
};
function mth(d: Buffer[]): Buffer {
  if (d.length === 0) return sha();
  if (d.length === 1) return sha(Buffer.of(0), d[0]!);
  const k = split(d.length);
  return sha(Buffer.of(1), mth(d.slice(0, k)), mth(d.slice(k)));
}
function path(m: number, d: Buffer[]): Buffer[] {
  if (d.length <= 1) return [];
  const k = split(d.length);
  return m < k
    ? [...path(m, d.slice(0, k)), mth(d.slice(k))]
    : [...path(m - k, d.slice(k)), mth(d.slice(0, k))];
}
function subproof(m: number, d: Buffer[], b: boolean): Buffer[] {
  if (m === d.length) return b ? [] : [mth(d)];
  const k = split(d.length);
  return m <= k
    ? [...subproof(m, d.slice(0, k), b), mth(d.slice(k))]
    : [...subproof(m - k, d.slice(k), false), mth(d.slice(0, k))];
}

const dataOf = (n: number) => Array.from({ length: n }, (_, i) => Buffer.from(`leaf ${i}`));

describe("the brute-force reference agrees with the published vectors", () => {
  it("roots", () => {
    ROOTS.forEach((root, i) => expect(hex(mth(LEAVES.slice(0, i + 1)))).toBe(root));
    expect(hex(mth([]))).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  });
  it("inclusion paths", () => {
    for (const v of INCLUSION) {
      expect(path(v.index, LEAVES.slice(0, v.size)).map(hex)).toEqual(v.path);
    }
  });
  it("consistency proofs", () => {
    for (const v of CONSISTENCY) {
      const proof = v.m === v.n ? [] : subproof(v.m, LEAVES.slice(0, v.n), true);
      expect(proof.map(hex)).toEqual(v.path);
    }
  });
});

describe("merkle known answers", () => {
  const read = readerFromLeaves(LEAF_HASHES);

  it("hashes the empty tree and each size's root", async () => {
    expect(hex(EMPTY_ROOT)).toBe(
      "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
    );
    expect(await treeRoot(0, read)).toEqual(EMPTY_ROOT);
    for (let size = 1; size <= 8; size++) {
      expect(hex(await treeRoot(size, read))).toBe(ROOTS[size - 1]);
    }
  });

  it("builds and verifies the inclusion vectors", async () => {
    for (const v of INCLUSION) {
      const proof = await inclusionProof(v.index, v.size, read);
      expect(proof.map(hex)).toEqual(v.path);
      const root = unhex(ROOTS[v.size - 1]!);
      expect(verifyInclusion(LEAF_HASHES[v.index]!, v.index, v.size, proof, root)).toBe(true);
    }
  });

  it("builds and verifies the consistency vectors", async () => {
    for (const v of CONSISTENCY) {
      const proof = await consistencyProof(v.m, v.n, read);
      expect(proof.map(hex)).toEqual(v.path);
      const [oldRoot, newRoot] = [unhex(ROOTS[v.m - 1]!), unhex(ROOTS[v.n - 1]!)];
      expect(verifyConsistency(v.m, v.n, proof, oldRoot, newRoot)).toBe(true);
    }
  });

  it("reads each proof in one batch", async () => {
    const calls: number[] = [];
    const counting: HashReader = (requests) => {
      calls.push(requests.length);
      return read(requests);
    };
    await inclusionProof(5, 8, counting);
    await consistencyProof(6, 8, counting);
    await treeRoot(7, counting);
    expect(calls).toEqual([3, 3, 3]);
  });

  it("refuses impossible requests", async () => {
    await expect(inclusionProof(8, 8, read)).rejects.toThrow(RangeError);
    await expect(consistencyProof(5, 4, read)).rejects.toThrow(RangeError);
    await expect(treeRoot(9, read)).rejects.toThrow(RangeError);
    await expect(treeRoot(-1, read)).rejects.toThrow(RangeError);
  });
});

describe("merkle proofs for every shape up to 70 leaves", () => {
  const N = 70;
  const data = dataOf(N);
  const leaves = data.map(leafHash);
  const read = readerFromLeaves(leaves);
  const roots = Array.from({ length: N + 1 }, (_, n) => mth(data.slice(0, n)));

  it("roots and proofs equal the reference, and verify", async () => {
    for (let n = 0; n <= N; n++) {
      expect(await treeRoot(n, read)).toEqual(roots[n]);
      for (let i = 0; i < n; i++) {
        const proof = await inclusionProof(i, n, read);
        expect(proof).toEqual(path(i, data.slice(0, n)));
        expect(verifyInclusion(leaves[i]!, i, n, proof, roots[n]!)).toBe(true);
      }
      for (let m = 0; m <= n; m++) {
        const proof = await consistencyProof(m, n, read);
        const expected = m === 0 || m === n ? [] : subproof(m, data.slice(0, n), true);
        expect(proof).toEqual(expected);
        expect(verifyConsistency(m, n, proof, roots[m]!, roots[n]!)).toBe(true);
      }
    }
  });

  it("an altered inclusion proof, leaf, index, size or root fails", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: N }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1))),
        fc.nat(),
        fc.nat(255),
        async ([n, i], pick, bit) => {
          const proof = await inclusionProof(i, n, read);
          const root = roots[n]!;
          const flip = (h: Buffer) => {
            const c = Buffer.from(h);
            c[pick % 32]! ^= 1 << (bit % 8);
            return c;
          };
          expect(verifyInclusion(flip(leaves[i]!), i, n, proof, root)).toBe(false);
          expect(verifyInclusion(leaves[i]!, i, n, proof, flip(root))).toBe(false);
          if (proof.length > 0) {
            const k = pick % proof.length;
            const bad = proof.map((h, j) => (j === k ? flip(h) : h));
            expect(verifyInclusion(leaves[i]!, i, n, bad, root)).toBe(false);
            expect(verifyInclusion(leaves[i]!, i, n, proof.slice(0, -1), root)).toBe(false);
          }
          expect(verifyInclusion(leaves[i]!, i, n, [...proof, leaves[0]!], root)).toBe(false);
          for (let j = 0; j < n; j++) {
            if (j !== i) expect(verifyInclusion(leaves[i]!, j, n, proof, root)).toBe(false);
          }
          // Another size can share the proof's shape (19 and 20 leaves, leaf 0): RFC 9162 binds the
          // size through the signed checkpoint, not the path. A different path length must fail.
          for (let other = i + 1; other <= N; other++) {
            if (other !== n && (await inclusionProof(i, other, read)).length !== proof.length) {
              expect(verifyInclusion(leaves[i]!, i, other, proof, root)).toBe(false);
            }
          }
          expect(verifyInclusion(leaves[i]!, n, n, proof, root)).toBe(false);
        },
      ),
      { numRuns: 300 },
    );
  });

  it("an altered consistency proof, size or root fails", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 2, max: N }).chain((n) => fc.tuple(fc.constant(n), fc.nat(n - 1))),
        fc.nat(),
        fc.nat(255),
        async ([n, m0], pick, bit) => {
          const m = Math.max(1, m0);
          const proof = await consistencyProof(m, n, read);
          const flip = (h: Buffer) => {
            const c = Buffer.from(h);
            c[pick % 32]! ^= 1 << (bit % 8);
            return c;
          };
          const [oldRoot, newRoot] = [roots[m]!, roots[n]!];
          expect(verifyConsistency(m, n, proof, flip(oldRoot), newRoot)).toBe(false);
          expect(verifyConsistency(m, n, proof, oldRoot, flip(newRoot))).toBe(false);
          const k = pick % proof.length;
          expect(
            verifyConsistency(
              m,
              n,
              proof.map((h, j) => (j === k ? flip(h) : h)),
              oldRoot,
              newRoot,
            ),
          ).toBe(false);
          expect(verifyConsistency(m, n, proof.slice(0, -1), oldRoot, newRoot)).toBe(false);
          expect(verifyConsistency(m, n, [...proof, oldRoot], oldRoot, newRoot)).toBe(false);
          // As for inclusion, only a size whose proof has another length is sure to fail.
          const length = async (a: number, b: number) =>
            (await consistencyProof(a, b, read)).length;
          for (let other = m + 1; other <= N; other++) {
            if (other !== n && (await length(m, other)) !== proof.length) {
              expect(verifyConsistency(m, other, proof, oldRoot, newRoot)).toBe(false);
            }
          }
          for (let other = 1; other < n; other++) {
            if (other !== m && (await length(other, n)) !== proof.length) {
              expect(verifyConsistency(other, n, proof, oldRoot, newRoot)).toBe(false);
            }
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it("never throws on nonsense", () => {
    const h = leaves[0]!;
    expect(verifyInclusion(h, -1, 3, [], h)).toBe(false);
    expect(verifyInclusion(h, 0.5, 3, [], h)).toBe(false);
    expect(verifyInclusion(h, 0, Number.NaN, [], h)).toBe(false);
    expect(verifyInclusion(Buffer.alloc(31), 0, 1, [], Buffer.alloc(31))).toBe(false);
    expect(verifyInclusion(h, 0, 2, [Buffer.alloc(33)], h)).toBe(false);
    expect(verifyInclusion(h, 0, 2, null as unknown as Buffer[], h)).toBe(false);
    expect(verifyConsistency(0, 5, [], EMPTY_ROOT, h)).toBe(true);
    expect(verifyConsistency(0, 5, [h], EMPTY_ROOT, h)).toBe(false);
    expect(verifyConsistency(0, 5, [], h, h)).toBe(false);
    expect(verifyConsistency(3, 3, [], h, h)).toBe(true);
    expect(verifyConsistency(3, 3, [h], h, h)).toBe(false);
    expect(verifyConsistency(3, 2, [h], h, h)).toBe(false);
    expect(verifyConsistency(2 ** 53, 2 ** 53 + 2, [h], h, h)).toBe(false);
    expect(verifyConsistency(1, 2, [undefined as unknown as Buffer], h, h)).toBe(false);
  });

  it("handles indexes beyond 32 bits", () => {
    // A tree of 2^40 + 1 leaves: the last leaf's proof is the single root of the first 2^40.
    const left = leaves[1]!;
    const last = leaves[2]!;
    const size = 2 ** 40 + 1;
    const root = sha(Buffer.of(1), left, last);
    expect(verifyInclusion(last, size - 1, size, [left], root)).toBe(true);
    expect(verifyInclusion(last, size - 2, size, [left], root)).toBe(false);
    // Consistency from 2^40 to 2^40 + 1: the proof is the new leaf alone.
    expect(verifyConsistency(2 ** 40, size, [last], left, root)).toBe(true);
  });
});
