/**
 * Signs a Security Event Token (RFC 8417) with the transmitter's key (RS256, or ES256 for a P-256
 * key), typ secevent+jwt, one event per token (as the CAEP interoperability profile has it).
 */
import { SignJWT } from "jose";
import { ssfSigner } from "./keys";

export type SetClaims = {
  issuer: string;
  audience: string;
  jti: string;
  /** Groups the tokens that one decision produced (the audit event's id). */
  txn?: string;
  subId: Record<string, unknown>;
  type: string;
  claims: Record<string, unknown>;
  issuedAt?: Date;
};

export async function signSet(set: SetClaims): Promise<string> {
  const signer = await ssfSigner();
  return new SignJWT({
    jti: set.jti,
    ...(set.txn ? { txn: set.txn } : {}),
    sub_id: set.subId,
    events: { [set.type]: set.claims },
  })
    .setProtectedHeader({ alg: signer.alg, typ: "secevent+jwt", kid: signer.kid })
    .setIssuer(set.issuer)
    .setAudience(set.audience)
    .setIssuedAt(set.issuedAt ? Math.floor(set.issuedAt.getTime() / 1000) : undefined)
    .sign(signer.privateKey);
}
