/**
 * The signed checkpoint, format v1 (docs/security-requirements.md H5, docs/decisions/010-audit-format-versions.md):
 * the bytes that are signed and how, kept apart from the files and the database so that they can
 * be pinned by known answers (audit-format.test.ts) and re-implemented by an auditor. The chain's
 * own v1 format is in audit-chain.ts.
 *
 * Body: the canonical JSON (canonical-json.ts) of the statement, as UTF-8. Signature: Ed25519
 * (RFC 8032, pure, no prehash) over those bytes, in standard base64 with padding.
 */
import { sign, verify, type KeyObject } from "node:crypto";
import { canonicalJson } from "./canonical-json";

export const CHECKPOINT_FORMAT_V1 = 1;

/**
 * What a v1 checkpoint signs: the id and hash of the chain's head ("0" and "" for an empty chain),
 * how many chained events there are up to it, and when it was signed (ISO 8601, UTC, milliseconds).
 */
export type Checkpoint = {
  version: typeof CHECKPOINT_FORMAT_V1;
  headId: string;
  headHash: string;
  chained: number;
  signedAt: string;
};

export function checkpointBodyV1(statement: Checkpoint): string {
  return canonicalJson(statement);
}

export function signCheckpointV1(statement: Checkpoint, privateKey: KeyObject): string {
  return sign(null, Buffer.from(checkpointBodyV1(statement), "utf8"), privateKey).toString(
    "base64",
  );
}

export function checkpointSignatureValidV1(
  statement: Checkpoint,
  signature: string,
  publicKey: KeyObject,
): boolean {
  return verify(
    null,
    Buffer.from(checkpointBodyV1(statement), "utf8"),
    publicKey,
    Buffer.from(signature, "base64"),
  );
}
