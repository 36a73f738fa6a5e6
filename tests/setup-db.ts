/**
 * Gives the test file its own database, cloned from the migrated template, before any app
 * module reads DATABASE_URL. Files never see each other's rows.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, inject } from "vitest";
import { asAppRole } from "../scripts/lib/app-role.ts";
import { ssfSigningKey } from "../scripts/lib/console-keys.ts";

const adminUrl = inject("databaseAdminUrl");
const name = `test_${randomBytes(6).toString("hex")}`;
const admin = new pg.Client({ connectionString: adminUrl });
await admin.connect();
await admin.query(`CREATE DATABASE "${name}" TEMPLATE "${inject("templateDatabase")}"`);
await admin.end();

const url = new URL(adminUrl);
url.pathname = `/${name}`;
// The app's role, as in production; tests that must act as the owner (tampering) use this one.
process.env.TEST_OWNER_DATABASE_URL = url.toString();
process.env.DATABASE_URL = asAppRole(url.toString(), inject("appRolePassword"));
process.env.NEXTAUTH_SECRET ??= randomBytes(32).toString("base64url");
// The audit event key of this file's console (as the start script makes one for the demo).
if (!process.env.AUDIT_EVENT_KEY_FILE) {
  const keyFile = path.join(mkdtempSync(path.join(tmpdir(), "console-keys-")), "event-key.pem");
  const { privateKey } = generateKeyPairSync("ed25519");
  writeFileSync(keyFile, privateKey.export({ type: "pkcs8", format: "pem" }), { mode: 0o600 });
  process.env.AUDIT_EVENT_KEY_FILE = keyFile;
}
// The Shared Signals signing key (RSA, RS256), as the start script makes one for the demo.
if (!process.env.SSF_SIGNING_KEY_FILE) {
  const keyFile = path.join(mkdtempSync(path.join(tmpdir(), "console-keys-")), "ssf-key.pem");
  writeFileSync(keyFile, ssfSigningKey(), { mode: 0o600 });
  process.env.SSF_SIGNING_KEY_FILE = keyFile;
}
// The tests' Shared Signals receivers listen on this machine (decision 034 refuses that otherwise).
process.env.SSF_PRIVATE_ENDPOINTS ??= "allow";
// The tests run the demo configuration (demo mailbox, demo sign-in) unless a test says otherwise.
process.env.DEMO_SIGN_IN ??= "on";
// Test files call use cases hundreds of times from one "client": budgets out of the way, except
// in the files that test them (they set RATE_LIMITS themselves, in vi.hoisted).
process.env.RATE_LIMITS ??= [
  "anonymous.client",
  "redeem.client",
  "redeem.clientAccount",
  "link.client",
  "sso.client",
  "signIn.client",
  "signIn.account",
  "recoveryCode.client",
  "recoveryCode.account",
]
  .map((name) => `${name}=100000/60`)
  .join(",");

afterAll(async () => {
  const { db } = await import("@/lib/db");
  await db.$disconnect();
});
