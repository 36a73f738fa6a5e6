/**
 * "Check integrity now" on the audit page runs in the request, so it is bounded: it checks at most
 * a fixed number of the events since the newest checkpoint (the signer checks every one as it
 * catches up), and says how many it left. docs/decisions/020.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

// The page reads the checkpoint key and the log's name from the environment (lib/env.ts), so they
// are set before any application module is loaded.
const keysDir = mkdtempSync(path.join(tmpdir(), "page-check-keys-"));
const keyFile = path.join(keysDir, "checkpoint-key.pem");
const checkpointKey = generateKeyPairSync("ed25519").privateKey;
writeFileSync(keyFile, checkpointKey.export({ type: "pkcs8", format: "pem" }) as string, {
  mode: 0o600,
});
const ORIGIN = "console.page-check/audit";
process.env.AUDIT_SIGNING_KEY_FILE = keyFile;
process.env.AUDIT_LOG_ORIGIN = ORIGIN;

const { db } = await import("@/tests/db");
const { trustedEventKeys } = await import("@/lib/server/audit-keys");
const { signRound } = await import("@/lib/server/audit-log-signer");
const { getAuditIntegrity } = await import("@/lib/server/get-audit-integrity");
const { decide } = await import("@/tests/audit-fixtures");

beforeAll(async () => {
  for (let i = 0; i < 3; i++) await decide(i);
  const round = await signRound(db, {
    origin: ORIGIN,
    privateKey: checkpointKey,
    eventKeys: trustedEventKeys(),
    witnesses: [],
  });
  expect(round.kind).toBe("signed");
});

describe("the audit page's check", () => {
  it("checks at most its bound of newer events and says how many it left to the signer", async () => {
    for (let i = 0; i < 7; i++) await decide(10 + i);
    const { check } = await getAuditIntegrity({ checkNow: true, checkMax: 4 });
    expect(check).toMatchObject({ ok: true, checked: 4, unchecked: 3, problems: [] });
    const all = await getAuditIntegrity({ checkNow: true });
    expect(all.check).toMatchObject({ ok: true, checked: 7, unchecked: 0 });
  });
});
