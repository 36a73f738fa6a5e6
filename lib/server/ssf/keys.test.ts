/**
 * The Shared Signals key decides the algorithm: RSA signs RS256 (what the CAEP interoperability
 * profile asks for, and what the console makes), a P-256 key made before that keeps signing
 * ES256, and anything weaker or different is refused before a token is signed.
 */
import { createPrivateKey, generateKeyPairSync } from "node:crypto";
import { describe, expect, it } from "vitest";
import { ssfSigningKey } from "@/scripts/lib/console-keys";
import { ssfAlgorithm } from "./keys";

describe("ssfAlgorithm", () => {
  it("signs RS256 with the RSA key the console generates", () => {
    const key = createPrivateKey(ssfSigningKey());
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(ssfAlgorithm(key)).toBe("RS256");
  });

  it("keeps signing ES256 with an earlier P-256 key", () => {
    const { privateKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    expect(ssfAlgorithm(privateKey)).toBe("ES256");
  });

  it("refuses a short RSA key, another curve and Ed25519, saying what it needs", () => {
    const short = generateKeyPairSync("rsa", { modulusLength: 1024 }).privateKey;
    expect(ssfAlgorithm(short)).toEqual({
      refused: "an RSA key for RS256 must have at least 2048 bits",
    });
    for (const key of [
      generateKeyPairSync("ec", { namedCurve: "P-384" }).privateKey,
      generateKeyPairSync("ed25519").privateKey,
    ])
      expect(ssfAlgorithm(key)).toEqual({
        refused: expect.stringContaining("RSA private key (RS256, 2048 bits or more)"),
      });
  });
});
