/**
 * The witness's configuration, from its own environment: WITNESS_NAME (its key name),
 * WITNESS_KEY_FILE (Ed25519 PKCS#8 PEM), WITNESS_STATE_FILE (JSON), WITNESS_PORT, WITNESS_HOST
 * (default 127.0.0.1) and WITNESS_LOGS, a JSON list of `{ "origin": …, "vkey": … }`.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { SIG_COSIGNATURE_V1 } from "../domain/tlog/cosignature";
import { isKeyName, noteVerifier, rawPublicKey, verifierKey } from "../domain/tlog/note";
import type { WitnessLog } from "./witness";

export type WitnessConfig = {
  name: string;
  keyFile: string;
  stateFile: string;
  port: number;
  host: string;
  logs: WitnessLog[];
};

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name]?.trim();
  if (!value) throw new Error(`${name} is required`);
  return value;
}

export function witnessConfig(env: NodeJS.ProcessEnv, { needLogs = true } = {}): WitnessConfig {
  const name = required(env, "WITNESS_NAME");
  if (!isKeyName(name)) throw new Error("WITNESS_NAME must have no spaces and no '+'");
  const port = Number(env.WITNESS_PORT ?? "7380");
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error("bad WITNESS_PORT");
  const logs = needLogs ? parseLogs(required(env, "WITNESS_LOGS")) : [];
  return {
    name,
    keyFile: required(env, "WITNESS_KEY_FILE"),
    stateFile: needLogs ? required(env, "WITNESS_STATE_FILE") : (env.WITNESS_STATE_FILE ?? ""),
    port,
    host: env.WITNESS_HOST?.trim() || "127.0.0.1",
    logs,
  };
}

export function parseLogs(json: string): WitnessLog[] {
  const parsed: unknown = JSON.parse(json);
  if (!Array.isArray(parsed) || parsed.length === 0) {
    throw new Error("WITNESS_LOGS must be a non-empty JSON list");
  }
  return parsed.map((entry: { origin?: unknown; vkey?: unknown }) => {
    if (typeof entry?.origin !== "string" || !entry.origin || typeof entry.vkey !== "string") {
      throw new Error("each of WITNESS_LOGS needs an origin and a vkey");
    }
    noteVerifier(entry.vkey); // throws on a bad key
    return { origin: entry.origin, vkey: entry.vkey };
  });
}

export function readWitnessKey(file: string): KeyObject {
  const key = createPrivateKey(readFileSync(file, "utf8"));
  if (key.asymmetricKeyType !== "ed25519") throw new Error(`${file} is not an Ed25519 key`);
  return key;
}

/** Creates the key file when missing (mode 0600); returns the key. */
export function initWitnessKey(file: string): KeyObject {
  if (!existsSync(file)) {
    const { privateKey } = generateKeyPairSync("ed25519");
    writeFileSync(file, privateKey.export({ format: "pem", type: "pkcs8" }), {
      mode: 0o600,
      flag: "wx",
    });
  }
  return readWitnessKey(file);
}

export function witnessVerifierKey(name: string, key: KeyObject): string {
  return verifierKey(name, rawPublicKey(key), SIG_COSIGNATURE_V1);
}
