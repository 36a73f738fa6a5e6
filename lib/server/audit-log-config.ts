/**
 * The audit log's configuration from the environment (docs/decisions/017-verifiable-audit-log.md),
 * shared by the web process's signer and the audit commands: the log's name (origin), the
 * checkpoint key, the event keys a verifier trusts, the checkpoint directory and the witnesses.
 * lib/env.ts validates the same variables for the web process.
 *
 * NOTE: not marked "server-only": the audit commands (plain Node) use it.
 */
import { createPrivateKey, createPublicKey } from "node:crypto";
import { readFileSync } from "node:fs";
import { DEFAULT_CHECKPOINT_INTERVAL_SECONDS } from "@/lib/domain/checkpoint-cadence";
import { parseWitnesses } from "@/lib/domain/witness-config";
import type { NoteVerifier } from "@/lib/domain/tlog/note";
import { logVerifier, type SignerConfig } from "./audit-log-signer";
import { trustedEventKeys } from "./audit-keys";

/** The log's name: AUDIT_LOG_ORIGIN, or the console's host (and port) followed by /audit. */
export function logOrigin(env: NodeJS.ProcessEnv = process.env): string {
  if (env.AUDIT_LOG_ORIGIN) return env.AUDIT_LOG_ORIGIN;
  // As the start script defaults it, so the audit commands name the same log as the console.
  const host = new URL(env.NEXTAUTH_URL ?? `http://localhost:${env.PORT ?? "3000"}`).host;
  return `${host}/audit`;
}

export function checkpointIntervalSeconds(env: NodeJS.ProcessEnv = process.env): number {
  const value = Number(
    env.AUDIT_CHECKPOINT_INTERVAL_SECONDS ?? DEFAULT_CHECKPOINT_INTERVAL_SECONDS,
  );
  return Number.isInteger(value) && value >= 1 && value <= 3600
    ? value
    : DEFAULT_CHECKPOINT_INTERVAL_SECONDS;
}

/** The configured witnesses (read at each call, like the rest of this module). */
export function configuredWitnesses(env: NodeJS.ProcessEnv = process.env) {
  return parseWitnesses(env.AUDIT_WITNESSES);
}

/**
 * The log's note verifier from the public half of the checkpoint key (AUDIT_PUBLIC_KEY_FILE, or
 * the signing key's where that is all there is), or null when no checkpoint key is configured.
 */
export function logNoteVerifier(env: NodeJS.ProcessEnv = process.env): NoteVerifier | null {
  const file = env.AUDIT_PUBLIC_KEY_FILE ?? env.AUDIT_SIGNING_KEY_FILE;
  if (!file) return null;
  return logVerifier({
    origin: logOrigin(env),
    publicKey: createPublicKey(readFileSync(file, "utf8")),
  });
}

/** The signer's configuration, or null when no checkpoint key is configured. */
export function signerConfig(env: NodeJS.ProcessEnv = process.env): SignerConfig | null {
  if (!env.AUDIT_SIGNING_KEY_FILE) return null;
  return {
    origin: logOrigin(env),
    privateKey: createPrivateKey(readFileSync(env.AUDIT_SIGNING_KEY_FILE, "utf8")),
    eventKeys: trustedEventKeys(),
    dir: env.AUDIT_CHECKPOINT_DIR,
    witnesses: configuredWitnesses(env),
  };
}
