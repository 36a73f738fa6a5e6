/**
 * The audit event key (docs/decisions/017-verifiable-audit-log.md): an Ed25519 private key kept
 * with the application, in a file the database never sees, that signs every audit entry. Read
 * once per process and kept on globalThis (Next may evaluate a module twice in one process).
 * Verifiers trust the public half of this key plus any retired public keys listed in
 * AUDIT_EVENT_PUBLIC_KEY_FILES, by key id.
 *
 * NOTE: not marked "server-only": the seed and the audit commands (plain Node) sign and verify too.
 * It reads process.env directly for the same reason (lib/env.ts validates the same names).
 */
import { createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { eventKeyId } from "@/lib/domain/audit-entry";

export type EventSigner = { privateKey: KeyObject; keyId: string };

const cache = globalThis as unknown as { auditEventSigner?: Map<string, EventSigner> };

export function eventSigner(): EventSigner {
  const file = process.env.AUDIT_EVENT_KEY_FILE;
  if (!file)
    throw new Error(
      "AUDIT_EVENT_KEY_FILE is not set: the console does not write audit events it cannot sign",
    );
  cache.auditEventSigner ??= new Map();
  let signer = cache.auditEventSigner.get(file);
  if (!signer) {
    const privateKey = createPrivateKey(readFileSync(file, "utf8"));
    signer = { privateKey, keyId: eventKeyId(createPublicKey(privateKey)) };
    cache.auditEventSigner.set(file, signer);
  }
  return signer;
}

/** The event keys a verifier trusts, by key id: the current key's public half and retired ones. */
export function trustedEventKeys(): Map<string, KeyObject> {
  const keys = new Map<string, KeyObject>();
  const add = (key: KeyObject) => keys.set(eventKeyId(key), key);
  if (process.env.AUDIT_EVENT_KEY_FILE) add(createPublicKey(eventSigner().privateKey));
  for (const file of (process.env.AUDIT_EVENT_PUBLIC_KEY_FILES ?? "").split(",")) {
    if (file.trim()) add(createPublicKey(readFileSync(file.trim(), "utf8")));
  }
  return keys;
}
