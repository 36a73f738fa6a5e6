/**
 * The signer's check receipt (docs/decisions/049-check-receipts.md): with each checkpoint, the
 * signer states which positions of that tree it checked row by row (signature, entry, columns,
 * clock), `from` up to the checkpoint's size, and which of them failed. The statement names the
 * tree by its root, so it says nothing about any other tree: the bulk readers (the full
 * verification, the export) rely on it only for rows whose leaves hash to that root.
 *
 * It is signed with the event key, the key whose signatures it vouches for. Whoever could sign a
 * false receipt could sign the events themselves, so a reader that trusts a receipt in place of
 * checking the signatures it covers trusts no key it did not trust before.
 *
 * The text, each line ending in a newline:
 *
 *   audit-check-receipt/v1
 *   from <first position checked>
 *   size <the checkpoint's size>
 *   root <the tree's root at that size, base64>
 *   flagged <how many failed>
 *   <the failed positions, rising, space-separated>      (only when there are any)
 *   key <event key id>
 *   signature <Ed25519 over every line above, base64>
 */
import { sign, verify, type KeyObject } from "node:crypto";
import { HASH_SIZE } from "./tlog/merkle";
import { parseDecimal } from "./tlog/checkpoint";
import { decodeBase64 } from "./tlog/note";

export type CheckReceipt = {
  /** Positions from … size − 1 were checked. */
  from: number;
  size: number;
  root: Buffer;
  /** The positions in that range whose rows failed the check, rising. */
  flagged: readonly number[];
};

export type OpenedReceipt = CheckReceipt & { keyId: string; covers(position: number): boolean };

const HEADER = "audit-check-receipt/v1";

/**
 * At most this many failed positions in one receipt (a few kilobytes of text). A log with more
 * has been tampered with at scale: the signer stops issuing receipts and the readers check every
 * signature again, as before receipts.
 */
export const MAX_RECEIPT_FLAGGED = 1000;

function body({ from, size, root, flagged }: CheckReceipt): string {
  const lines = [HEADER, `from ${from}`, `size ${size}`, `root ${root.toString("base64")}`];
  lines.push(`flagged ${flagged.length}`);
  if (flagged.length > 0) lines.push(flagged.join(" "));
  return lines.map((line) => `${line}\n`).join("");
}

function validShape({ from, size, root, flagged }: CheckReceipt): boolean {
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(size)) return false;
  if (from < 0 || from > size || root.length !== HASH_SIZE) return false;
  if (flagged.length > MAX_RECEIPT_FLAGGED) return false;
  for (let i = 0; i < flagged.length; i++) {
    const position = flagged[i]!;
    if (!Number.isSafeInteger(position) || position < from || position >= size) return false;
    if (i > 0 && position <= flagged[i - 1]!) return false;
  }
  return true;
}

/** The receipt's text, signed with the event key (`keyId` is that key's id). */
export function signReceipt(
  receipt: CheckReceipt,
  signer: { privateKey: KeyObject; keyId: string },
): string {
  if (!validShape(receipt)) throw new RangeError("a check receipt out of shape");
  if (!/^[0-9a-f]{16}$/.test(signer.keyId)) throw new RangeError("a bad event key id");
  const text = body(receipt);
  const signature = sign(null, Buffer.from(text, "utf8"), signer.privateKey);
  return `${text}key ${signer.keyId}\nsignature ${signature.toString("base64")}\n`;
}

/**
 * The receipt a text holds if it is well formed, canonical and signed by one of `keys` (event key
 * ids to public keys); null otherwise. Never throws: a planted or damaged receipt is no receipt.
 */
export function openReceipt(
  text: string | null | undefined,
  keys: ReadonlyMap<string, KeyObject>,
): OpenedReceipt | null {
  if (typeof text !== "string" || text.length > 64 * 1024 || !text.endsWith("\n")) return null;
  const lines = text.slice(0, -1).split("\n");
  const signatureLine = lines.pop();
  const keyLine = lines.pop();
  if (!signatureLine?.startsWith("signature ") || !keyLine?.startsWith("key ")) return null;
  const [header, fromLine, sizeLine, rootLine, flaggedLine, listLine, ...rest] = lines;
  if (header !== HEADER || rest.length > 0) return null;
  const number = (line: string | undefined, name: string) =>
    line?.startsWith(`${name} `) ? parseDecimal(line.slice(name.length + 1)) : null;
  const from = number(fromLine, "from");
  const size = number(sizeLine, "size");
  const count = number(flaggedLine, "flagged");
  const root = rootLine?.startsWith("root ") ? decodeBase64(rootLine.slice(5)) : null;
  if (from === null || size === null || count === null || !root) return null;
  const flagged =
    listLine === undefined ? [] : listLine.split(" ").map((part) => parseDecimal(part) ?? -1);
  if (flagged.length !== count || (count === 0) !== (listLine === undefined)) return null;
  const receipt: CheckReceipt = { from, size, root, flagged };
  if (!validShape(receipt)) return null;
  const signed = body(receipt);
  // Canonical only: the text is exactly what signReceipt writes for these values.
  if (`${signed}${keyLine}\n${signatureLine}\n` !== text) return null;
  const keyId = keyLine.slice(4);
  const key = keys.get(keyId);
  const signature = decodeBase64(signatureLine.slice(10));
  if (!key || !signature || signature.length !== 64) return null;
  if (!verify(null, Buffer.from(signed, "utf8"), key, signature)) return null;
  const failed = new Set(flagged);
  return {
    ...receipt,
    keyId,
    covers: (position) => position >= from && position < size && !failed.has(position),
  };
}

/**
 * The receipt for a checkpoint of `size` with `root`, following on from the previous one: it
 * starts where the previous receipt started if that one was for exactly the tree this round
 * extends (`previousSize` and `previousRoot`, the latest checkpoint's, whose leaves the new tree
 * keeps), else at `previousSize`. Null when the failed positions would not fit.
 */
export function nextReceipt(
  previous: CheckReceipt | null,
  round: {
    previousSize: number;
    previousRoot: Buffer | null;
    size: number;
    root: Buffer;
    flagged: readonly number[];
  },
): CheckReceipt | null {
  const continues =
    previous !== null &&
    previous.size === round.previousSize &&
    round.previousRoot !== null &&
    previous.root.equals(round.previousRoot);
  const flagged = [...(continues ? previous.flagged : []), ...round.flagged].sort((a, b) => a - b);
  if (flagged.length > MAX_RECEIPT_FLAGGED) return null;
  return {
    from: continues ? previous.from : round.previousSize,
    size: round.size,
    root: round.root,
    flagged,
  };
}

/**
 * The receipt reaching further back: positions `from` … receipt.from − 1 of the same tree were
 * checked too, and `flagged` of them failed (or are not the tree's leaves). Null when the failed
 * positions would not fit; the receipt as it was is still good then.
 */
export function extendedBack(
  receipt: CheckReceipt,
  below: { from: number; flagged: readonly number[] },
): CheckReceipt | null {
  if (below.from > receipt.from) throw new RangeError("a receipt extends back, not forward");
  const flagged = [...below.flagged].sort((a, b) => a - b);
  if (flagged.some((p) => p < below.from || p >= receipt.from))
    throw new RangeError("a failed position outside the positions checked");
  if (flagged.length + receipt.flagged.length > MAX_RECEIPT_FLAGGED) return null;
  return { ...receipt, from: below.from, flagged: [...flagged, ...receipt.flagged] };
}
