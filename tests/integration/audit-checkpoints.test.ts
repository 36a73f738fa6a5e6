import { generateKeyPairSync } from "node:crypto";
import { mkdtemp, readdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chainHashV1, GENESIS } from "@/lib/domain/audit-chain";
import { recordAudit, auditedTransaction } from "@/lib/server/audit";
import { verifyWithCheckpoint, writeCheckpoint } from "@/lib/server/audit-checkpoints";
import { db } from "@/tests/db";

const { privateKey, publicKey } = generateKeyPairSync("ed25519");
const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
const publicKeyPem = publicKey.export({ type: "spki", format: "pem" }).toString();
const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });

async function decide(n: number) {
  await auditedTransaction(db, (tx) =>
    recordAudit(tx, {
      action: "access.denied",
      outcome: "REFUSED",
      actor: { type: "SYSTEM", name: `w${n}` },
      data: { permission: "audit:read", path: `/${n}` },
    }),
  );
}

const REENABLE = `ALTER TABLE "AuditEvent" ENABLE ALWAYS TRIGGER "AuditEvent_no_update_or_delete", ENABLE ALWAYS TRIGGER "AuditEvent_no_truncate"`;

/** As someone with the owner's powers: run SQL with the append-only triggers off. */
async function tamper(sql: string, params: unknown[] = []) {
  await owner.query("BEGIN");
  await owner.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL`);
  await owner.query(sql, params);
  await owner.query(REENABLE);
  await owner.query("COMMIT");
}

beforeAll(async () => {
  await owner.connect();
});
afterAll(async () => {
  await owner.end();
});

describe("signed checkpoints", () => {
  it("sign the head; verification passes, and later events extend it", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "checkpoints-"));
    for (let i = 0; i < 5; i++) await decide(i);
    const { checkpoint } = await writeCheckpoint({ client: db, privateKeyPem, dir });
    expect(checkpoint.chained).toBe(await db.auditEvent.count());
    await decide(5);
    expect(await verifyWithCheckpoint({ client: db, publicKeyPem, dir })).toMatchObject({
      ok: true,
      checkpointProblem: null,
    });
  });

  it("catch a deleted tail, which the chain alone cannot see", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "checkpoints-"));
    for (let i = 0; i < 4; i++) await decide(10 + i);
    await writeCheckpoint({ client: db, privateKeyPem, dir });
    const last = await db.auditEvent.findFirstOrThrow({ orderBy: { id: "desc" } });
    await tamper(`DELETE FROM "AuditEvent" WHERE id >= $1`, [(last.id - 1n).toString()]);
    const report = await verifyWithCheckpoint({ client: db, publicKeyPem, dir });
    expect(report.firstBreak).toBeNull();
    expect(report).toMatchObject({
      ok: false,
      checkpointProblem: `event ${last.id}, the head of the latest checkpoint, is missing: the chain was cut`,
    });
  });

  it("catch a chain rewritten consistently from some event on", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "checkpoints-"));
    for (let i = 0; i < 3; i++) await decide(20 + i);
    await writeCheckpoint({ client: db, privateKeyPem, dir });
    // Rewrite every event's content and recompute every hash: the chain itself stays valid.
    const rows = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
    let prev = GENESIS;
    await owner.query("BEGIN");
    await owner.query(`ALTER TABLE "AuditEvent" DISABLE TRIGGER ALL`);
    await owner.query(`UPDATE "AuditEvent" SET "prevHash" = NULL`);
    for (const row of rows) {
      const content = {
        createdAt: row.createdAt.toISOString(),
        action: row.action,
        outcome: "ALLOWED",
        reason: null,
        actorType: row.actorType,
        actorId: row.actorId,
        actorName: row.actorName,
        actorRole: row.actorRole,
        targetType: row.targetType,
        targetId: row.targetId,
        subjectUserId: row.subjectUserId,
        caseId: row.caseId,
        requestId: row.requestId,
        ip: row.ip,
        data: row.data,
      };
      const hash = chainHashV1(prev, content);
      await owner.query(
        `UPDATE "AuditEvent" SET outcome = 'ALLOWED', reason = NULL, "prevHash" = $2, hash = $3 WHERE id = $1`,
        [row.id.toString(), prev, hash],
      );
      prev = hash;
    }
    await owner.query(REENABLE);
    await owner.query("COMMIT");
    const report = await verifyWithCheckpoint({ client: db, publicKeyPem, dir });
    expect(report.firstBreak).toBeNull();
    expect(report.checkpointProblem).toMatch(
      /no longer has the hash the latest checkpoint signed: the chain was rewritten/,
    );
  });

  it("refuse a checkpoint whose signature does not verify with the trusted key", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "checkpoints-"));
    await decide(30);
    const { file } = await writeCheckpoint({ client: db, privateKeyPem, dir });
    const forged = JSON.parse(await readFile(file, "utf8"));
    forged.statement.chained += 1;
    await writeFile(file, JSON.stringify(forged));
    expect((await verifyWithCheckpoint({ client: db, publicKeyPem, dir })).checkpointProblem).toBe(
      "the latest checkpoint's signature is not valid for the trusted key",
    );
    expect(await readdir(dir)).toHaveLength(1);
  });

  it("refuse a checkpoint in a format version they do not know, before reading its signature", async () => {
    const dir = await mkdtemp(path.join(tmpdir(), "checkpoints-"));
    await decide(40);
    const { file } = await writeCheckpoint({ client: db, privateKeyPem, dir });
    const future = JSON.parse(await readFile(file, "utf8"));
    future.statement.version = 2;
    await writeFile(file, JSON.stringify(future));
    expect(await verifyWithCheckpoint({ client: db, publicKeyPem, dir })).toMatchObject({
      ok: false,
      checkpointProblem:
        "the latest checkpoint is in format version 2, which this verifier does not know",
    });
  });
});
