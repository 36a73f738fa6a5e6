/**
 * Fixed Ed25519 keys for the tlog tests (a key from a 32-byte seed, so signatures are
 * reproducible: Ed25519 signing is deterministic). Test support only.
 */
import { createPrivateKey, type KeyObject } from "node:crypto";

/** The PKCS#8 DER prefix of an Ed25519 private key, followed by its 32-byte seed. */
const PKCS8_ED25519_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

export function keyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError("an Ed25519 seed is 32 bytes");
  return createPrivateKey({
    key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]),
    format: "der",
    type: "pkcs8",
  });
}

/** A fixed test key: the seed is `byte` repeated. */
export function testKey(byte: number): KeyObject {
  return keyFromSeed(Buffer.alloc(32, byte));
}
