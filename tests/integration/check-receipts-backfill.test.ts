/**
 * A log checkpointed before check receipts (docs/decisions/049-check-receipts.md): each round the
 * signer checks a stretch further back, so the receipt comes to cover the whole log; a position
 * whose row fails, or whose row is not the tree's leaf there, is named in it.
 */
import { generateKeyPairSync } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { entryBytes, signEntry } from "@/lib/domain/audit-entry";
import { openReceipt } from "@/lib/domain/check-receipt";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { eventSigner, trustedEventKeys } from "@/lib/server/audit-keys";
import { signRound, type SignerConfig } from "@/lib/server/audit-log-signer";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import { asOwner, forgedContent, insertV2 } from "@/tests/audit-tampering";
import { db } from "@/tests/db";

const app = new pg.Client({ connectionString: process.env.DATABASE_URL });
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
const config: SignerConfig = {
  origin: "console.test/backfill",
  privateKey: generateKeyPairSync("ed25519").privateKey,
  eventKeys: trustedEventKeys(),
  witnesses: [],
};

let n = 0;
async function decide() {
  n++;
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      actor: { type: "SYSTEM", name: `w${n}` },
      data: { permission: "audit:read", path: `/${n}` },
    }),
  );
}

async function newestReceipt() {
  const { rows } = await owner.query<{ receipt: string | null }>(
    `SELECT receipt FROM "AuditCheckpoint" ORDER BY size DESC LIMIT 1`,
  );
  return openReceipt(rows[0]?.receipt, trustedEventKeys());
}

let forged: { id: string; position: string };
let signedBefore: number;

beforeAll(async () => {
  await Promise.all([app.connect(), owner.connect()]);
  for (let i = 0; i < 6; i++) await decide();
  const content = forgedContent(eventSigner().keyId);
  const entry = entryBytes(content);
  forged = await insertV2(
    app,
    content,
    entry,
    signEntry(entry, generateKeyPairSync("ed25519").privateKey),
  );
  for (let i = 0; i < 3; i++) await decide();
  const round = await signRound(db, config, { force: true });
  if (round.kind !== "signed") throw new Error(round.kind);
  signedBefore = round.size;
  // As before receipts: checkpoints without one. And two genuine rows at each other's positions,
  // as the owner could put them: each row passes its own check, but neither is the tree's leaf.
  await asOwner(owner, [
    [`UPDATE "AuditCheckpoint" SET receipt = NULL`],
    [`UPDATE "AuditEvent" SET "position" = "position" + 1000000 WHERE "position" IN (3, 4)`],
    [`UPDATE "AuditEvent" SET "position" = 3 WHERE "position" = 1000004`],
    [`UPDATE "AuditEvent" SET "position" = 4 WHERE "position" = 1000003`],
  ]);
});
afterAll(async () => {
  await Promise.all([app.end(), owner.end()]);
});

describe("the receipt of a log checkpointed before receipts", () => {
  it("reaches back a stretch at each round until it covers the log, naming what is not the tree's", async () => {
    const froms: number[] = [];
    for (let round = 0; round < 10; round++) {
      await decide();
      const result = await signRound(db, config, { force: true, backfill: 4 });
      expect(result.kind).toBe("signed");
      const receipt = (await newestReceipt())!;
      froms.push(receipt.from);
      if (receipt.from === 0) break;
    }
    // The first receipt starts where the checkpoints without one ended, then 4 back each round.
    expect(froms[0]).toBe(signedBefore - 4);
    expect(froms.at(-1)).toBe(0);
    for (let i = 1; i < froms.length; i++) expect(froms[i]).toBe(Math.max(0, froms[i - 1]! - 4));
    const receipt = (await newestReceipt())!;
    expect(receipt.flagged.filter((p) => p < signedBefore)).toEqual([
      3,
      4,
      Number(forged.position),
    ]);
  });

  it("lets the verification rely on it and still name everything checking every signature names", async () => {
    const relying = await verifyAuditLog(db, { keys: trustedEventKeys() });
    const everyOne = await verifyAuditLog(db, { keys: trustedEventKeys(), everySignature: true });
    expect(relying.receipt).toMatchObject({ from: 0 });
    expect(relying.problems).toEqual(everyOne.problems);
    expect(relying.problems).toContainEqual({
      id: forged.id,
      position: forged.position,
      problem: "the signature does not match the entry",
    });
  });

  it("goes on signing when a leaf tile below is missing, vouching for none of its positions", async () => {
    // As the owner: the first leaf tile deleted, and the receipts with it, so the signer reaches
    // back over it again. Its positions cannot be shown to be the tree's leaves.
    // Past a whole tile of 256 first, so the tile is not the tree's right edge (which every
    // round reads, and without which no round can sign, as before receipts).
    for (let t = 0; t < 10; t++)
      await auditedTransaction(db, async (tx) => {
        for (let i = 0; i < 30; i++)
          await recordAudit(tx, {
            action: "access.denied",
            outcome: "REFUSED",
            actor: { type: "SYSTEM", name: `bulk ${t}.${i}` },
            data: { permission: "audit:read", path: `/bulk/${t}/${i}` },
          });
      });
    expect(await signRound(db, config, { force: true })).toMatchObject({ kind: "signed" });
    await asOwner(owner, [
      [`DELETE FROM "AuditTile" WHERE level = 0 AND index = 0 AND width = 256`],
      [`UPDATE "AuditCheckpoint" SET receipt = NULL`],
    ]);
    await decide();
    const result = await signRound(db, config, { force: true });
    expect(result.kind).toBe("signed");
    const receipt = (await newestReceipt())!;
    expect(receipt.from).toBe(0);
    for (let position = 0; position < 256; position++) expect(receipt.covers(position)).toBe(false);
    // The rows after the tile are vouched for as before.
    expect(receipt.covers(256)).toBe(true);
    expect(
      (await verifyAuditLog(db, { keys: trustedEventKeys() })).problems.map((p) => p.id),
    ).toEqual([forged.id]);
  });
});
