/**
 * C2SP tlog-proof bundles for audit events (docs/tlog.md): one event's inclusion proof with the
 * signed checkpoint it leads to, verifiable offline with the log's and witnesses' public keys.
 * An audit event's leaf is `signature (64 bytes) || entry`, so its leaf hash is
 * SHA-256(0x00 || signature || entry).
 */
import { parseCheckpoint, parseDecimal, type Checkpoint } from "./checkpoint";
import { cosignatureVerifier } from "./cosignature";
import { HASH_SIZE, leafHash, verifyInclusion } from "./merkle";
import { decodeBase64, NoteError, noteVerifier, openNote, trustedBy } from "./note";

export const PROOF_HEADER = "c2sp.org/tlog-proof@v1";
/** At most this many hashes in a proof (a tree of up to 2^63 leaves). */
export const MAX_PROOF_HASHES = 63;

export type ProofBundle = {
  index: number;
  proof: Buffer[];
  /** The signed checkpoint, verbatim. */
  checkpointNote: string;
  extra?: Buffer;
};

export function eventLeafHash(signature: Uint8Array, entry: Uint8Array): Buffer {
  return leafHash(Buffer.concat([signature, entry]));
}

export function formatProof({ index, proof, checkpointNote, extra }: ProofBundle): string {
  if (!Number.isSafeInteger(index) || index < 0) throw new NoteError(`bad index ${index}`);
  if (proof.length > MAX_PROOF_HASHES || proof.some((h) => h.length !== HASH_SIZE)) {
    throw new NoteError("bad inclusion proof");
  }
  const lines = [
    PROOF_HEADER,
    ...(extra ? [`extra ${extra.toString("base64")}`] : []),
    `index ${index}`,
    ...proof.map((h) => h.toString("base64")),
    "",
  ];
  return `${lines.join("\n")}\n${checkpointNote}`;
}

/** Parses a proof bundle; throws NoteError. The checkpoint note is returned unverified. */
export function parseProof(text: string): ProofBundle {
  const blank = text.indexOf("\n\n");
  if (blank < 0) throw new NoteError("a proof needs a blank line before its checkpoint");
  const lines = text.slice(0, blank).split("\n");
  const checkpointNote = text.slice(blank + 2);
  let next = 0;
  if (lines[next++] !== PROOF_HEADER) throw new NoteError("not a c2sp.org/tlog-proof@v1 proof");
  let extra: Buffer | undefined;
  if (lines[next]?.startsWith("extra ")) {
    const decoded = decodeBase64(lines[next++]!.slice("extra ".length));
    if (!decoded) throw new NoteError("bad extra line");
    extra = decoded;
  }
  const indexLine = lines[next++];
  const index = indexLine?.startsWith("index ") ? parseDecimal(indexLine.slice(6)) : null;
  if (index === null) throw new NoteError("bad index line");
  const proof = lines.slice(next).map((line) => {
    const hash = decodeBase64(line);
    if (!hash || hash.length !== HASH_SIZE) throw new NoteError("bad inclusion proof line");
    return hash;
  });
  if (proof.length > MAX_PROOF_HASHES) throw new NoteError("too many inclusion proof lines");
  return { index, proof, checkpointNote, ...(extra ? { extra } : {}) };
}

export type ProofFailure =
  | "malformed-proof"
  | "malformed-checkpoint"
  | "bad-key"
  | "origin"
  | "log-signature"
  | "witness-signature"
  | "witness-quorum"
  | "inclusion";

export type ProofResult =
  | { ok: true; index: number; checkpoint: Checkpoint; witnesses: string[] }
  | { ok: false; failed: ProofFailure; message: string };

const fail = (failed: ProofFailure, message: string): ProofResult => ({
  ok: false,
  failed,
  message,
});

/**
 * Verifies a proof bundle for one leaf (given as its hash, or as the event's signature and
 * entry) against the log's vkey and, optionally, witness vkeys (type 0x04). The checkpoint's
 * origin must be the log key's name unless `origin` says otherwise. With witness keys, at least
 * `witnessQuorum` of them (default: all) must have cosigned, and none may have a failing
 * signature. Never throws.
 */
export function verifyProofBundle(input: {
  bundle: string;
  leaf: { hash: Uint8Array } | { signature: Uint8Array; entry: Uint8Array };
  logVerifierKey: string;
  witnessVerifierKeys?: readonly string[];
  witnessQuorum?: number;
  origin?: string;
}): ProofResult {
  let bundle: ProofBundle;
  try {
    bundle = parseProof(input.bundle);
  } catch (error) {
    return fail("malformed-proof", (error as Error).message);
  }
  let log, witnesses;
  try {
    log = noteVerifier(input.logVerifierKey);
    witnesses = (input.witnessVerifierKeys ?? []).map(cosignatureVerifier);
  } catch (error) {
    return fail("bad-key", (error as Error).message);
  }
  let opened, checkpoint;
  try {
    opened = openNote(bundle.checkpointNote, [log, ...witnesses]);
    checkpoint = parseCheckpoint(opened.text);
  } catch (error) {
    return fail("malformed-checkpoint", (error as Error).message);
  }
  const origin = input.origin ?? log.name;
  if (checkpoint.origin !== origin) {
    return fail("origin", `the checkpoint is for ${checkpoint.origin}, not ${origin}`);
  }
  if (!trustedBy(opened, log)) return fail("log-signature", "no valid signature by the log key");
  const failing = opened.signatures.filter((s) => s.known && !s.verified && s.name !== log.name);
  if (failing.length > 0) {
    return fail("witness-signature", `bad cosignature by ${failing.map((s) => s.name).join(", ")}`);
  }
  const cosigned = witnesses.filter((w) => trustedBy(opened, w)).map((w) => w.name);
  const quorum = input.witnessQuorum ?? witnesses.length;
  if (cosigned.length < quorum) {
    return fail(
      "witness-quorum",
      `${cosigned.length} of the ${quorum} witness cosignatures needed`,
    );
  }
  const leaf =
    "hash" in input.leaf ? input.leaf.hash : eventLeafHash(input.leaf.signature, input.leaf.entry);
  if (!verifyInclusion(leaf, bundle.index, checkpoint.size, bundle.proof, checkpoint.rootHash)) {
    return fail("inclusion", `the leaf is not at index ${bundle.index} of the checkpointed tree`);
  }
  return { ok: true, index: bundle.index, checkpoint, witnesses: cosigned };
}
