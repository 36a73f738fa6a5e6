import { createHash, createPublicKey } from "node:crypto";
import { describe, expect, it } from "vitest";
import { eventKeyId } from "./audit-entry";
import {
  extendedBack,
  MAX_RECEIPT_FLAGGED,
  nextReceipt,
  openReceipt,
  signReceipt,
  type CheckReceipt,
} from "./check-receipt";
import { testKey } from "./tlog/test-keys";

const key = testKey(7);
const signer = { privateKey: key, keyId: eventKeyId(createPublicKey(key)) };
const keys = new Map([[signer.keyId, createPublicKey(key)]]);
const other = testKey(8);
const otherSigner = { privateKey: other, keyId: eventKeyId(createPublicKey(other)) };
const root = (label: string) => createHash("sha256").update(label).digest();

const receipt: CheckReceipt = { from: 0, size: 10, root: root("a"), flagged: [3, 7] };

describe("check receipts", () => {
  it("opens what it signed, and covers exactly the checked positions that passed", () => {
    const text = signReceipt(receipt, signer);
    expect(text).toMatch(
      /^audit-check-receipt\/v1\nfrom 0\nsize 10\nroot .+\nflagged 2\n3 7\nkey [0-9a-f]{16}\nsignature .+\n$/,
    );
    const opened = openReceipt(text, keys)!;
    expect(opened).toMatchObject({ from: 0, size: 10, flagged: [3, 7], keyId: signer.keyId });
    expect(opened.root.equals(receipt.root)).toBe(true);
    const covered = Array.from({ length: 12 }, (_, i) => i).filter((i) => opened.covers(i));
    expect(covered).toEqual([0, 1, 2, 4, 5, 6, 8, 9]);
    const later = openReceipt(signReceipt({ ...receipt, from: 4, flagged: [] }, signer), keys)!;
    expect([3, 4, 9, 10].map((i) => later.covers(i))).toEqual([false, true, true, false]);
  });

  it("is no receipt when it is signed by a key the reader does not trust", () => {
    expect(openReceipt(signReceipt(receipt, otherSigner), keys)).toBeNull();
    // Naming a trusted key does not help a signature made with another.
    const forged = signReceipt(receipt, otherSigner).replace(otherSigner.keyId, signer.keyId);
    expect(openReceipt(forged, keys)).toBeNull();
  });

  it("is no receipt once any line is changed, dropped or written another way", () => {
    const text = signReceipt(receipt, signer);
    const variants = [
      text.replace("from 0", "from 1"),
      text.replace("size 10", "size 11"),
      text.replace("flagged 2\n3 7", "flagged 1\n3"),
      text.replace("flagged 2\n3 7", "flagged 2\n7 3"),
      text.replace("flagged 2\n3 7", "flagged 2\n3  7"),
      text.replace("flagged 2\n3 7", "flagged 2\n03 7"),
      text.replace(
        `root ${receipt.root.toString("base64")}`,
        `root ${root("b").toString("base64")}`,
      ),
      text.replace("\nkey", "\nextra line\nkey"),
      text.slice(0, -1),
      `${text}\n`,
      text.replace("audit-check-receipt/v1", "audit-check-receipt/v2"),
      "",
      null,
      undefined,
    ];
    for (const variant of variants) expect(openReceipt(variant, keys)).toBeNull();
  });

  it("signs only receipts in shape", () => {
    const bad: CheckReceipt[] = [
      { ...receipt, from: 11 },
      { ...receipt, flagged: [10] },
      { ...receipt, flagged: [7, 3] },
      { ...receipt, flagged: [3, 3] },
      { ...receipt, from: 4, flagged: [3] },
      { ...receipt, root: Buffer.alloc(31) },
    ];
    for (const shape of bad) expect(() => signReceipt(shape, signer)).toThrow(RangeError);
  });

  it("follows on from the receipt of exactly the tree a round extends, else starts afresh", () => {
    const previous = { from: 0, size: 10, root: root("a"), flagged: [3] };
    const round = {
      previousSize: 10,
      previousRoot: root("a"),
      size: 15,
      root: root("c"),
      flagged: [12, 11],
    };
    expect(nextReceipt(previous, round)).toEqual({
      from: 0,
      size: 15,
      root: root("c"),
      flagged: [3, 11, 12],
    });
    // Another size, another root, or none: the new receipt covers only this round's positions.
    for (const other of [{ ...previous, size: 9 }, { ...previous, root: root("x") }, null])
      expect(nextReceipt(other, round)).toEqual({
        from: 10,
        size: 15,
        root: root("c"),
        flagged: [11, 12],
      });
    expect(nextReceipt(previous, { ...round, previousRoot: null })?.from).toBe(10);
  });

  it("stops when the failed positions would not fit", () => {
    const many = Array.from({ length: MAX_RECEIPT_FLAGGED }, (_, i) => i);
    const previous = { from: 0, size: MAX_RECEIPT_FLAGGED, root: root("a"), flagged: many };
    const round = {
      previousSize: MAX_RECEIPT_FLAGGED,
      previousRoot: root("a"),
      size: MAX_RECEIPT_FLAGGED + 5,
      root: root("b"),
    };
    expect(nextReceipt(previous, { ...round, flagged: [] })?.flagged).toHaveLength(
      MAX_RECEIPT_FLAGGED,
    );
    expect(nextReceipt(previous, { ...round, flagged: [MAX_RECEIPT_FLAGGED] })).toBeNull();
    const full = nextReceipt(previous, { ...round, flagged: [] })!;
    expect(openReceipt(signReceipt(full, signer), keys)?.flagged).toHaveLength(MAX_RECEIPT_FLAGGED);
  });

  it("reaches back over positions checked later, keeping the failed ones in order", () => {
    const later = { from: 10, size: 20, root: root("a"), flagged: [12] };
    expect(extendedBack(later, { from: 4, flagged: [9, 5] })).toEqual({
      from: 4,
      size: 20,
      root: root("a"),
      flagged: [5, 9, 12],
    });
    expect(() => extendedBack(later, { from: 11, flagged: [] })).toThrow(RangeError);
    expect(() => extendedBack(later, { from: 4, flagged: [10] })).toThrow(RangeError);
    expect(() => extendedBack(later, { from: 4, flagged: [3] })).toThrow(RangeError);
    const many = Array.from({ length: MAX_RECEIPT_FLAGGED }, (_, i) => 2000 + i);
    const full = { from: 2000, size: 4000, root: root("a"), flagged: many };
    expect(extendedBack(full, { from: 1990, flagged: [] })?.from).toBe(1990);
    expect(extendedBack(full, { from: 1990, flagged: [1999] })).toBeNull();
  });
});
