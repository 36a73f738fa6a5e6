/**
 * The Shared Signals signing key (docs/decisions/034-shared-signals.md): a P-256 private key in
 * its own file (SSF_SIGNING_KEY_FILE), never the audit keys, that signs every Security Event
 * Token with ES256. Its public half is published at /ssf/jwks. Read once per process and kept on
 * globalThis (Next may evaluate a module twice).
 *
 * NOTE: reads process.env like lib/server/audit-keys.ts (lib/env.ts validates the same name), so
 * tests and tooling can point it at a file of their own.
 */
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { exportJWK, type JWK } from "jose";

export type SsfSigner = { privateKey: KeyObject; kid: string; jwk: JWK };

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
    if (
      privateKey.asymmetricKeyType !== "ec" ||
      privateKey.asymmetricKeyDetails?.namedCurve !== "prime256v1"
    )
      throw new Error("SSF_SIGNING_KEY_FILE must hold a P-256 (prime256v1) private key for ES256");
    const publicKey = createPublicKey(privateKey);
    const spki = publicKey.export({ type: "spki", format: "der" });
    const kid = createHash("sha256").update(spki).digest("base64url").slice(0, 16);
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: "ES256", use: "sig" };
    signer = { privateKey, kid, jwk };
    cache.ssfSigner.set(file, signer);
  }
  return signer;
}

/** The published key set: the signing key's public half. */
export async function ssfJwks(): Promise<{ keys: JWK[] }> {
  return { keys: [(await ssfSigner()).jwk] };
}
