/**
 * Audit format versions against PostgreSQL (docs/decisions/010-audit-format-versions.md): every
 * event row says it is v1, and every verifier (the database walk, the checkpoint signer, the
 * export verifier) refuses a row in a version it does not know, naming it, instead of hashing it
 * as v1.
 */
import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readdir } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AUDIT_FORMAT_V1 } from "@/lib/domain/audit-chain";
import { verifyExportLines } from "@/lib/domain/audit-export";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { recordAudit, auditedTransaction } from "@/lib/server/audit";
import { writeCheckpoint } from "@/lib/server/audit-checkpoints";
import { exportAuditEvents } from "@/lib/server/export-audit-events";
import { verifyAuditChain } from "@/lib/server/verify-audit-chain";
import { db } from "@/tests/db";
import { actor } from "@/tests/recovery";

const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });

async function decide(n: number) {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      actor: { type: "SYSTEM", name: `v${n}` },
      data: { permission: "audit:read", path: `/${n}` },
    }),
  );
}

beforeAll(async () => {
  await owner.connect();
  for (let i = 0; i < 4; i++) await decide(i);
});
afterAll(async () => {
  await owner.end();
});

describe("audit format versions", () => {
  it("writes every event as format v1, and the chain verifies", async () => {
    const versions = await db.auditEvent.groupBy({ by: ["formatVersion"], _count: true });
    expect(versions).toEqual([
      { formatVersion: AUDIT_FORMAT_V1, _count: await db.auditEvent.count() },
    ]);
    expect(await verifyAuditChain(db)).toMatchObject({ ok: true, firstBreak: null });
  });

  it("refuses a row in a version it does not know, in the database, the checkpoint signer and the export", async () => {
    const target = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "asc" }, skip: 1 });
    // As someone with the owner's powers: relabel one intact v1 row. Its v1 hash still matches.
    await owner.query("BEGIN");
    await owner.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER "AuditEvent_no_update_or_delete"`);
    await owner.query(`UPDATE "AuditEvent" SET "formatVersion" = 2 WHERE id = $1`, [
      target.id.toString(),
    ]);
    await owner.query(
      `ALTER TABLE "AuditEvent" ENABLE ALWAYS TRIGGER "AuditEvent_no_update_or_delete"`,
    );
    await owner.query("COMMIT");

    expect(await verifyAuditChain(db)).toMatchObject({
      ok: false,
      checked: 1,
      firstBreak: { id: target.id.toString(), problem: "unknown format version" },
    });

    const dir = await mkdtemp(path.join(tmpdir(), "checkpoints-"));
    const privateKeyPem = generateKeyPairSync("ed25519")
      .privateKey.export({ type: "pkcs8", format: "pem" })
      .toString();
    await expect(writeCheckpoint({ client: db, privateKeyPem, dir })).rejects.toThrow(
      `first break at event ${target.id}: unknown format version`,
    );
    expect(await readdir(dir)).toEqual([]);

    const reviewer = await actor("SECURITY");
    const file = await new Response(
      await exportAuditEvents({
        actor: reviewer,
        search: AuditSearchSchema.parse({}),
        format: "jsonl",
      }),
    ).text();
    const exported = file
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { id: string; formatVersion: number });
    expect(exported.find((line) => line.id === target.id.toString())?.formatVersion).toBe(2);
    expect((await verifyExportLines(file.split("\n"), { complete: true })).failure).toBe(
      `event ${target.id}: unknown format version 2`,
    );
  });
});
