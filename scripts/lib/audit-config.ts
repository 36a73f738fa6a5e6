/**
 * Where the audit commands find the database, the checkpoint directory and the keys. With no
 * DATABASE_URL, the embedded demo database (npm start must be running).
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { loadEnvironmentFile } from "./env-file.ts";

const root = path.resolve(import.meta.dirname, "../..");

export function auditConfig() {
  loadEnvironmentFile();
  const passwordFile = path.join(root, ".data/postgres.password");
  const databaseUrl =
    process.env.DATABASE_URL ||
    (existsSync(passwordFile)
      ? `postgresql://postgres:${encodeURIComponent(readFileSync(passwordFile, "utf8").trim())}@127.0.0.1:${process.env.EMBEDDED_PG_PORT ?? 54329}/console`
      : null);
  // The demo's keys (scripts/start.ts makes them), unless the environment names others.
  const demo = (name: string) =>
    existsSync(path.join(root, ".data", name)) ? path.join(root, ".data", name) : undefined;
  process.env.AUDIT_EVENT_KEY_FILE ??= demo("audit-event-key.pem");
  process.env.AUDIT_SIGNING_KEY_FILE ??= demo("audit-signing-key.pem");
  process.env.AUDIT_PUBLIC_KEY_FILE ??= demo("audit-public-key.pem");
  process.env.AUDIT_CHECKPOINT_DIR ??= path.join(root, ".data/audit-checkpoints");
  const read = (file: string | undefined) =>
    file && existsSync(file) ? readFileSync(file, "utf8") : null;
  return {
    databaseUrl,
    checkpointDir: path.resolve(
      root,
      process.env.AUDIT_CHECKPOINT_DIR ?? ".data/audit-checkpoints",
    ),
    privateKeyPem: read(
      process.env.AUDIT_SIGNING_KEY_FILE ?? path.join(root, ".data/audit-signing-key.pem"),
    ),
    publicKeyPem: read(
      process.env.AUDIT_PUBLIC_KEY_FILE ?? path.join(root, ".data/audit-public-key.pem"),
    ),
  };
}
