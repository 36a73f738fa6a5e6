/**
 * The Shared Signals signing key (docs/decisions/034-shared-signals.md): a private key in its own
 * file (SSF_SIGNING_KEY_FILE), never the audit keys, that signs every Security Event Token. An RSA
 * key (2048 bits or more) signs RS256, the algorithm the CAEP interoperability profile asks for and
 * what `keys:generate` and the demo make; a P-256 key signs ES256 (the console's first keys were
 * P-256, and they keep working). Its public half is published at /ssf/jwks. Read once per process and kept on
 * globalThis (Next may evaluate a module twice).
 *
 * NOTE: reads process.env like lib/server/audit-keys.ts (lib/env.ts validates the same name), so
 * tests and tooling can point it at a file of their own.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { exportJWK, type JWK } from "jose";

export type SsfAlgorithm = "RS256" | "ES256";
export type SsfSigner = { privateKey: KeyObject; kid: string; alg: SsfAlgorithm; jwk: JWK };

/** The algorithm a key signs with, or why the key cannot sign Security Event Tokens. */
export function ssfAlgorithm(key: KeyObject): SsfAlgorithm | { refused: string } {
  if (key.asymmetricKeyType === "rsa")
    return (key.asymmetricKeyDetails?.modulusLength ?? 0) >= 2048
      ? "RS256"
      : { refused: "an RSA key for RS256 must have at least 2048 bits" };
  if (key.asymmetricKeyType === "ec" && key.asymmetricKeyDetails?.namedCurve === "prime256v1")
    return "ES256";
  return {
    refused: "it must hold an RSA private key (RS256, 2048 bits or more) or a P-256 one (ES256)",
  };
}

const cache = globalThis as unknown as { ssfSigner?: Map<string, SsfSigner> };

/** Whether the transmitter is configured (a signing key file is set). */
export function ssfConfigured(): boolean {
  return Boolean(process.env.SSF_SIGNING_KEY_FILE);
}

export async function ssfSigner(): Promise<SsfSigner> {
  const file = process.env.SSF_SIGNING_KEY_FILE;
  if (!file)
    throw new Error("SSF_SIGNING_KEY_FILE is not set: the console sends no Shared Signals");
  cache.ssfSigner ??= new Map();
  let signer = cache.ssfSigner.get(file);
  if (!signer) {
    const privateKey = createPrivateKey(readFileSync(file, "utf8"));
    const alg = ssfAlgorithm(privateKey);
    if (typeof alg !== "string") throw new Error(`SSF_SIGNING_KEY_FILE: ${alg.refused}`);
    const publicKey = createPublicKey(privateKey);
    const spki = publicKey.export({ type: "spki", format: "der" });
    const kid = createHash("sha256").update(spki).digest("base64url").slice(0, 16);
    const jwk = { ...(await exportJWK(publicKey)), kid, alg, use: "sig" };
    signer = { privateKey, kid, alg, jwk };
    cache.ssfSigner.set(file, signer);
  }
  return signer;
}

/** The published key set: the signing key's public half. */
export async function ssfJwks(): Promise<{ keys: JWK[] }> {
  return { keys: [(await ssfSigner()).jwk] };
}
