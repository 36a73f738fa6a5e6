/**
 * C2SP tlog-cosignature v1 with Ed25519 (docs/tlog.md): a witness's timestamped signature on a
 * checkpoint. The key id uses signature type 0x04; the signed message is `cosignature/v1\n`,
 * `time <seconds>\n`, then the checkpoint body; the signature line carries the 8-byte
 * big-endian timestamp followed by the 64-byte Ed25519 signature.
 */
import { sign, type KeyObject } from "node:crypto";
import {
  ed25519PublicKey,
  ed25519Verify,
  NoteError,
  noteKeyId,
  parseSignatureLine,
  parseVerifierKey,
  rawPublicKey,
  signatureLine,
  type NoteVerifier,
} from "./note";

export const SIG_COSIGNATURE_V1 = 0x04;

const MAX_TIMESTAMP = 2n ** 63n - 1n;

export function cosignatureKeyId(name: string, publicKey: Uint8Array): number {
  return noteKeyId(name, publicKey, SIG_COSIGNATURE_V1);
}

export function cosignatureMessage(body: string, time: number): Buffer {
  return Buffer.from(`cosignature/v1\ntime ${time}\n${body}`, "utf8");
}

/** The cosignature line (ending in a newline) for a checkpoint body at `time` (POSIX seconds). */
export function cosign(body: string, name: string, key: KeyObject, time: number): string {
  if (!Number.isSafeInteger(time) || time <= 0) throw new NoteError(`bad timestamp ${time}`);
  if (!body.endsWith("\n")) throw new NoteError("a checkpoint body ends with a newline");
  const stamp = Buffer.alloc(8);
  stamp.writeBigUInt64BE(BigInt(time));
  const signature = sign(null, cosignatureMessage(body, time), key);
  const keyId = cosignatureKeyId(name, rawPublicKey(key));
  return signatureLine(name, keyId, Buffer.concat([stamp, signature]));
}

/** Reads and checks the timestamped signature after the key id; `time` is null when it fails. */
function checkTimestamped(key: KeyObject, body: Buffer, signature: Buffer): number | null {
  if (signature.length !== 72) return null;
  const stamp = signature.readBigUInt64BE(0);
  if (stamp > MAX_TIMESTAMP || stamp > BigInt(Number.MAX_SAFE_INTEGER)) return null;
  const time = Number(stamp);
  const message = Buffer.concat([Buffer.from(`cosignature/v1\ntime ${time}\n`), body]);
  return ed25519Verify(key, message, signature.subarray(8)) ? time : null;
}

/** Verifies one cosignature line (with or without its newline) on a checkpoint body. */
export function verifyCosignature(
  line: string,
  body: string,
  name: string,
  publicKey: Uint8Array,
): { ok: boolean; time: number | null } {
  let parsed;
  try {
    parsed = parseSignatureLine(line.endsWith("\n") ? line.slice(0, -1) : line);
  } catch {
    return { ok: false, time: null };
  }
  if (publicKey.length !== 32) return { ok: false, time: null };
  if (parsed.name !== name || parsed.keyId !== cosignatureKeyId(name, publicKey)) {
    return { ok: false, time: null };
  }
  const time = checkTimestamped(ed25519PublicKey(publicKey), Buffer.from(body), parsed.signature);
  return { ok: time !== null, time };
}

/** A note verifier for a witness's cosignatures, from its vkey (type 0x04). */
export function cosignatureVerifier(vkey: string): NoteVerifier {
  const { name, keyId, type, publicKey } = parseVerifierKey(vkey);
  if (type !== SIG_COSIGNATURE_V1) throw new NoteError(`${name}: not a cosignature v1 key`);
  const key = ed25519PublicKey(publicKey);
  return {
    name,
    keyId,
    verify: (text, signature) => checkTimestamped(key, text, signature) !== null,
  };
}

/** The time in a cosignature's signature bytes (after the key id), or null. */
export function cosignatureTime(signature: Buffer): number | null {
  if (signature.length !== 72) return null;
  const stamp = signature.readBigUInt64BE(0);
  return stamp <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(stamp) : null;
}
