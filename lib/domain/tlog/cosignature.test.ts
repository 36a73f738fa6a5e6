import { describe, expect, it } from "vitest";
import { formatCheckpoint } from "./checkpoint";
import {
  cosign,
  cosignatureKeyId,
  cosignatureMessage,
  cosignatureTime,
  cosignatureVerifier,
  verifyCosignature,
} from "./cosignature";
import { noteKeyId, noteVerifier, openNote, rawPublicKey, signNote, verifierKey } from "./note";
import { testKey } from "./test-keys";

const LOG = "recovery.example.com/audit";
const WITNESS = "witness.example.com/w1";
const body = formatCheckpoint({ origin: LOG, size: 20852163, rootHash: Buffer.alloc(32, 1) });
const witnessKey = testKey(9);
const witnessPub = rawPublicKey(witnessKey);

describe("cosignature v1", () => {
  it("signs the spec's message layout", () => {
    expect(cosignatureMessage(body, 1679315147).toString()).toBe(
      `cosignature/v1\ntime 1679315147\n${LOG}\n20852163\n${Buffer.alloc(32, 1).toString("base64")}\n`,
    );
  });

  it("uses signature type 0x04 for its key id, not the note type", () => {
    expect(cosignatureKeyId(WITNESS, witnessPub)).toBe(noteKeyId(WITNESS, witnessPub, 4));
    expect(cosignatureKeyId(WITNESS, witnessPub)).not.toBe(noteKeyId(WITNESS, witnessPub));
  });

  it("cosigns with a timestamp and verifies, deterministically", () => {
    const line = cosign(body, WITNESS, witnessKey, 1679315147);
    expect(line).toBe(
      "\u2014 witness.example.com/w1 S9x+qgAAAABkGFDLewJ1UwC8qiL87mN928xJeb+TO/Z1DvhWwNv9uyjiuXEoy6Ljc8zrexPyilzJMbZPfgfYk/+2UEAnT8zNziCLCA==\n",
    );
    expect(line.endsWith("\n")).toBe(true);
    const bytes = Buffer.from(line.trim().split(" ")[2]!, "base64");
    expect(bytes).toHaveLength(4 + 8 + 64);
    expect(bytes.readUInt32BE(0)).toBe(cosignatureKeyId(WITNESS, witnessPub));
    expect(bytes.readBigUInt64BE(4)).toBe(1679315147n);
    expect(cosignatureTime(bytes.subarray(4))).toBe(1679315147);
    expect(verifyCosignature(line, body, WITNESS, witnessPub)).toEqual({
      ok: true,
      time: 1679315147,
    });
    expect(verifyCosignature(line.trimEnd(), body, WITNESS, witnessPub).ok).toBe(true);
  });

  it("fails on another body, name, key or a changed timestamp", () => {
    const line = cosign(body, WITNESS, witnessKey, 1679315147);
    const other = body.replace("20852163", "20852164");
    expect(verifyCosignature(line, other, WITNESS, witnessPub).ok).toBe(false);
    expect(verifyCosignature(line, body, "witness.example.com/w2", witnessPub).ok).toBe(false);
    expect(verifyCosignature(line, body, WITNESS, rawPublicKey(testKey(10))).ok).toBe(false);
    const bytes = Buffer.from(line.trim().split(" ")[2]!, "base64");
    bytes.writeBigUInt64BE(1679315148n, 4);
    const forged = `\u2014 ${WITNESS} ${bytes.toString("base64")}\n`;
    expect(verifyCosignature(forged, body, WITNESS, witnessPub)).toEqual({ ok: false, time: null });
    expect(verifyCosignature("garbage", body, WITNESS, witnessPub).ok).toBe(false);
    expect(verifyCosignature(line, body, WITNESS, Buffer.alloc(31)).ok).toBe(false);
  });

  it("is checked by openNote through the witness vkey next to the log's signature", () => {
    const logKey = testKey(11);
    const note = signNote(body, LOG, logKey) + cosign(body, WITNESS, witnessKey, 1700000000);
    const logVkey = verifierKey(LOG, rawPublicKey(logKey));
    const witnessVkey = verifierKey(WITNESS, witnessPub, 4);
    const opened = openNote(note, [noteVerifier(logVkey), cosignatureVerifier(witnessVkey)]);
    expect(opened.signatures.map((s) => [s.name, s.verified])).toEqual([
      [LOG, true],
      [WITNESS, true],
    ]);
    // A witness key given as a plain note key does not match the cosignature's key id.
    expect(() => cosignatureVerifier(logVkey)).toThrow();
    expect(() => noteVerifier(witnessVkey)).toThrow();
  });

  it("refuses to cosign with a bad time", () => {
    expect(() => cosign(body, WITNESS, witnessKey, 0)).toThrow();
    expect(() => cosign(body, WITNESS, witnessKey, 1.5)).toThrow();
  });
});
