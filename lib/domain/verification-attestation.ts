/**
 * A full verification's result, attested with the checkpoint key (docs/decisions/017). The result
 * is an audit event signed with the event key like every event, but every application host holds
 * that key: with it alone, a leaked key could write a clean result over a failing one. The
 * attestation is a second Ed25519 signature, by the key that signs checkpoints, over the result;
 * the reviewer page counts only attested results.
 */
import { sign, verify, type KeyObject } from "node:crypto";
import { canonicalJson } from "./canonical-json";

export type VerificationResult = {
  ok: boolean;
  rows: number;
  size: number;
  checkpointSize: number | null;
  problemCount: number;
  problems: string[];
};

const PREFIX = "audit-verified/v1\n";

function message(result: VerificationResult): Buffer {
  const { ok, rows, size, checkpointSize, problemCount, problems } = result;
  return Buffer.from(
    PREFIX + canonicalJson({ ok, rows, size, checkpointSize, problemCount, problems }),
    "utf8",
  );
}

export function attestResult(result: VerificationResult, checkpointKey: KeyObject): string {
  return sign(null, message(result), checkpointKey).toString("base64");
}

export function attestationValid(
  result: VerificationResult & { attestation?: string | null },
  checkpointPublicKey: KeyObject,
): boolean {
  if (typeof result.attestation !== "string") return false;
  try {
    const signature = Buffer.from(result.attestation, "base64");
    return signature.length === 64 && verify(null, message(result), checkpointPublicKey, signature);
  } catch {
    return false;
  }
}
