/**
 * C2SP signed notes (docs/tlog.md): a text ending in a newline, a blank line, then signature
 * lines `— <key name> base64(4-byte key id || signature)`. Checkpoints and witness cosignatures
 * are notes. Ed25519 keys (signature type 0x01) are handled here; cosignature.ts adds type 0x04.
 *
 * Parsing is strict and throws NoteError on a malformed note; signatures from unknown keys are
 * reported, never thrown, and a known key's signature is always checked.
 */
import { createHash, createPublicKey, sign, verify, type KeyObject } from "node:crypto";

export const SIG_ED25519 = 0x01;

/** Far more than the 16 signatures the spec asks verifiers to accept. */
export const MAX_SIGNATURES = 100;
export const MAX_NOTE_BYTES = 1 << 20;

const EM_DASH = "\u2014";

export class NoteError extends Error {
  override name = "NoteError";
}

/** Checks a signature over the note text: `signature` is what follows the 4-byte key id. */
export type NoteVerifier = {
  name: string;
  keyId: number;
  verify(text: Buffer, signature: Buffer): boolean;
};

export type NoteSignature = {
  name: string;
  keyId: number;
  /** The signature bytes after the key id. */
  signature: Buffer;
  /** A verifier with this name and key id was given. */
  known: boolean;
  verified: boolean;
};

export type OpenedNote = { text: string; signatures: NoteSignature[] };

/** A key name: non-empty, no Unicode space and no plus. */
export function isKeyName(name: string): boolean {
  return name.length > 0 && !/[\s\u0085+]/u.test(name) && !hasControl(name);
}

function isWellFormed(text: string): boolean {
  return !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(text);
}

function hasControl(text: string): boolean {
  return /[\u0000-\u0009\u000b-\u001f]/.test(text);
}

/** SHA-256(name || 0x0A || type || public key)[:4], big-endian. */
export function noteKeyId(name: string, publicKey: Uint8Array, type = SIG_ED25519): number {
  const digest = createHash("sha256")
    .update(Buffer.from(`${name}\n`, "utf8"))
    .update(Buffer.of(type))
    .update(publicKey)
    .digest();
  return digest.readUInt32BE(0);
}

const hex8 = (n: number) => n.toString(16).padStart(8, "0");

/** `<name>+<hex key id>+base64(type || public key)`. */
export function verifierKey(name: string, publicKey: Uint8Array, type = SIG_ED25519): string {
  if (!isKeyName(name)) throw new NoteError(`bad key name ${JSON.stringify(name)}`);
  const material = Buffer.concat([Buffer.of(type), publicKey]).toString("base64");
  return `${name}+${hex8(noteKeyId(name, publicKey, type))}+${material}`;
}

export type ParsedVerifierKey = { name: string; keyId: number; type: number; publicKey: Buffer };

/** Strict base64 (RFC 4648 §4, padded), or null. */
export function decodeBase64(text: string): Buffer | null {
  if (text.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(text)) return null;
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : null;
}

/** Parses a vkey; throws NoteError unless it is well formed and its key id matches its key. */
export function parseVerifierKey(vkey: string): ParsedVerifierKey {
  const parts = vkey.split("+");
  // The base64 part may itself contain '+', so split off the first two fields only.
  const [name, id] = parts;
  const material = decodeBase64(parts.slice(2).join("+"));
  if (parts.length < 3 || !name || !isKeyName(name) || !id || !/^[0-9a-f]{8}$/.test(id)) {
    throw new NoteError("malformed verifier key");
  }
  if (!material || material.length < 2) throw new NoteError("malformed verifier key material");
  const type = material[0]!;
  const publicKey = material.subarray(1);
  if ((type === SIG_ED25519 || type === 0x04) && publicKey.length !== 32) {
    throw new NoteError("an Ed25519 verifier key must hold 32 bytes");
  }
  const keyId = Number.parseInt(id, 16);
  if (keyId !== noteKeyId(name, publicKey, type)) {
    throw new NoteError("the verifier key's id does not match its key");
  }
  return { name, keyId, type, publicKey };
}

export function ed25519PublicKey(raw: Uint8Array): KeyObject {
  if (raw.length !== 32) throw new NoteError("an Ed25519 public key is 32 bytes");
  const x = Buffer.from(raw).toString("base64url");
  return createPublicKey({ key: { kty: "OKP", crv: "Ed25519", x }, format: "jwk" });
}

/** The 32-byte public key of an Ed25519 key (private or public). */
export function rawPublicKey(key: KeyObject): Buffer {
  const publicKey = key.type === "private" ? createPublicKey(key) : key;
  if (publicKey.asymmetricKeyType !== "ed25519") throw new NoteError("not an Ed25519 key");
  const { x } = publicKey.export({ format: "jwk" });
  return Buffer.from(x!, "base64url");
}

/** Ed25519 verification that returns false, never throws. */
export function ed25519Verify(publicKey: KeyObject, message: Buffer, signature: Buffer): boolean {
  try {
    return signature.length === 64 && verify(null, message, publicKey, signature);
  } catch {
    return false;
  }
}

/** A verifier for an Ed25519 note signer (signature type 0x01) from its vkey. */
export function noteVerifier(vkey: string): NoteVerifier {
  const { name, keyId, type, publicKey } = parseVerifierKey(vkey);
  if (type !== SIG_ED25519) throw new NoteError(`${name}: not an Ed25519 note key`);
  const key = ed25519PublicKey(publicKey);
  return { name, keyId, verify: (text, signature) => ed25519Verify(key, text, signature) };
}

/** `— <name> base64(key id || signature)` followed by a newline. */
export function signatureLine(name: string, keyId: number, signature: Uint8Array): string {
  if (!isKeyName(name)) throw new NoteError(`bad key name ${JSON.stringify(name)}`);
  const id = Buffer.alloc(4);
  id.writeUInt32BE(keyId);
  return `${EM_DASH} ${name} ${Buffer.concat([id, signature]).toString("base64")}\n`;
}

function checkText(text: string): void {
  if (!text.endsWith("\n")) throw new NoteError("a note's text must end with a newline");
  if (hasControl(text)) throw new NoteError("a note must not hold control characters");
  if (!isWellFormed(text)) throw new NoteError("a note must be valid UTF-8");
}

/** Signs `text` with an Ed25519 key under `name`: the whole signed note. */
export function signNote(text: string, name: string, privateKey: KeyObject): string {
  checkText(text);
  const keyId = noteKeyId(name, rawPublicKey(privateKey));
  const signature = sign(null, Buffer.from(text, "utf8"), privateKey);
  return `${text}\n${signatureLine(name, keyId, signature)}`;
}

/** Parses one signature line (without its newline). */
export function parseSignatureLine(line: string): {
  name: string;
  keyId: number;
  signature: Buffer;
} {
  const fields = line.split(" ");
  const [dash, name, encoded] = fields;
  if (fields.length !== 3 || dash !== EM_DASH || !name || !isKeyName(name)) {
    throw new NoteError("malformed signature line");
  }
  const bytes = decodeBase64(encoded ?? "");
  if (!bytes || bytes.length < 5) throw new NoteError("malformed signature");
  return { name, keyId: bytes.readUInt32BE(0), signature: bytes.subarray(4) };
}

function decodeNote(note: string | Uint8Array): string {
  if (typeof note === "string") {
    if (!isWellFormed(note)) throw new NoteError("a note must be valid UTF-8");
    if (Buffer.byteLength(note, "utf8") > MAX_NOTE_BYTES) throw new NoteError("note too large");
    return note;
  }
  if (note.length > MAX_NOTE_BYTES) throw new NoteError("note too large");
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(note);
  } catch {
    throw new NoteError("a note must be valid UTF-8");
  }
}

/** Splits a signed note into its text and signature lines; throws NoteError when malformed. */
export function splitNote(note: string | Uint8Array): { text: string; lines: string[] } {
  const whole = decodeNote(note);
  if (hasControl(whole)) throw new NoteError("a note must not hold control characters");
  const split = whole.lastIndexOf("\n\n");
  if (split < 0) throw new NoteError("a note needs a blank line before its signatures");
  const text = whole.slice(0, split + 1);
  const block = whole.slice(split + 2);
  if (!block.endsWith("\n")) throw new NoteError("a signature line must end with a newline");
  const lines = block.slice(0, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) throw new NoteError("too many signatures");
  return { text, lines };
}

/**
 * Parses a signed note and checks each signature from a known key (same name and key id).
 * Unknown signatures are reported with `known: false`. Whether the note is acceptable (a trusted
 * signature verified, none failed) is the caller's policy: see `trustedBy`.
 */
export function openNote(
  note: string | Uint8Array,
  verifiers: readonly NoteVerifier[],
): OpenedNote {
  const { text, lines } = splitNote(note);
  const textBytes = Buffer.from(text, "utf8");
  const signatures = lines.map((line) => {
    const { name, keyId, signature } = parseSignatureLine(line);
    const matching = verifiers.filter((v) => v.name === name && v.keyId === keyId);
    const verified = matching.some((v) => v.verify(textBytes, signature));
    return { name, keyId, signature, known: matching.length > 0, verified };
  });
  return { text, signatures };
}

/**
 * The spec's acceptance rule for one signer: some signature by it verified and none of its
 * signatures failed.
 */
export function trustedBy(opened: OpenedNote, verifier: Pick<NoteVerifier, "name" | "keyId">) {
  const own = opened.signatures.filter(
    (s) => s.name === verifier.name && s.keyId === verifier.keyId,
  );
  return own.length > 0 && own.every((s) => s.verified);
}
