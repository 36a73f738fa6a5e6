/**
 * Audit format versions against PostgreSQL (docs/decisions/010 and 017): new events are v2; a log
 * written in v1 is sealed into the v2 log by one signed event and keeps verifying as v1; a v1 row
 * that appears after the seal, and a row in a version no verifier knows, are named by the
 * database walk, the signer's counts and the export verifier.
 */
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GENESIS } from "@/lib/domain/audit-chain";
import { AUDIT_FORMAT_V2 } from "@/lib/domain/audit-entry";
import { verifyExportLines } from "@/lib/domain/audit-export";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { auditedTransaction, recordAudit } from "@/lib/server/audit";
import { trustedEventKeys } from "@/lib/server/audit-keys";
import { countStrayRows } from "@/lib/server/audit-log-signer";
import { exportAuditEvents } from "@/lib/server/export-audit-events";
import { sealV1Log } from "@/lib/server/seal-v1-log";
import { verifyAuditLog } from "@/lib/server/verify-audit-log";
import { db } from "@/tests/db";
import { appendV1 as appendV1As } from "@/tests/audit-tampering";
import { actor } from "@/tests/recovery";

const owner = new pg.Client({ connectionString: process.env.TEST_OWNER_DATABASE_URL });
const appendV1 = (i: number, prev: string) => appendV1As(owner, i, prev);
const verify = () => verifyAuditLog(db, { keys: trustedEventKeys() });

let v1Head = GENESIS;

beforeAll(async () => {
  await owner.connect();
  // A log from before v2: a legacy row (before the chain existed), then a chain of three.
  await owner.query(
    `INSERT INTO "AuditEvent" ("formatVersion", action, outcome, "actorType", "actorName", data)
     VALUES (1, 'system.demo_seeded', 'ALLOWED', 'SYSTEM', 'seed', '{}')`,
  );
  for (let i = 0; i < 3; i++) v1Head = await appendV1(i, v1Head);
});
afterAll(async () => {
  await owner.end();
});

describe("audit format versions", () => {
  it("seals a v1 log into the v2 log once, and the whole log verifies", async () => {
    expect(await sealV1Log(db)).toBe("sealed");
    expect(await sealV1Log(db)).toBe("sealed before");
    await auditedTransaction(db, (tx) =>
      recordAudit(tx, {
        action: "access.denied",
        outcome: "REFUSED",
        actor: { type: "SYSTEM", name: "v2 writer" },
        data: { permission: "audit:read", path: "/v2" },
      }),
    );
    const seal = await db.auditEvent.findFirstOrThrow({
      where: { action: "audit.format_changed" },
    });
    expect(seal).toMatchObject({ formatVersion: AUDIT_FORMAT_V2, position: 0n });
    expect(seal.data).toMatchObject({ v1Rows: 4, chained: 3, headHash: v1Head });
    const report = await verify();
    expect(report).toMatchObject({
      ok: true,
      size: 2,
      v1: { rows: 4, chained: 3, sealed: true },
    });
    expect(await countStrayRows(db, 2)).toBe(0);
  });

  it("names a v1 row appended after the seal, even one that continues the chain correctly", async () => {
    await appendV1(99, v1Head);
    const added = await db.auditEvent.findFirstOrThrow({
      where: { hash: { not: null } },
      orderBy: { id: "desc" },
    });
    const report = await verify();
    expect(report.ok).toBe(false);
    expect(report.problems).toContainEqual({
      id: added.id.toString(),
      position: null,
      problem: "a v1 row outside the sealed v1 chain",
    });
    expect(await countStrayRows(db, 2)).toBe(1);
  });

  it("names a row in a version it does not know, in the database walk and the export verifier", async () => {
    const { rows } = await owner.query<{ id: string }>(
      `INSERT INTO "AuditEvent" ("formatVersion", action, outcome, "actorType", "actorName", data)
       VALUES (7, 'approval.approved', 'ALLOWED', 'STAFF', 'Grace Okafor', '{}') RETURNING id`,
    );
    const id = rows[0]!.id;
    expect((await verify()).problems).toContainEqual({
      id,
      position: null,
      problem: "format version 7 is not 2",
    });
    // The export leaves the row out and counts it; a line in that version fails the file.
    const file = await new Response(
      await exportAuditEvents({
        actor: await actor("SECURITY"),
        search: AuditSearchSchema.parse({}),
        format: "jsonl",
      }),
    ).text();
    const lines = file.trim().split("\n");
    expect(lines.some((line) => (JSON.parse(line) as { id?: string }).id === id)).toBe(false);
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ end: { excluded: 2 } });
    const relabelled = lines.map((line, i) =>
      i === 1 ? JSON.stringify({ ...JSON.parse(line), formatVersion: 7 }) : line,
    );
    expect((await verifyExportLines(relabelled, { complete: false })).failure).toMatch(
      /unknown format version 7/,
    );
  });
});
