import { describe, expect, it } from "vitest";
import { AUDIT_FORMAT_V1, chainHashV1, GENESIS } from "@/lib/domain/audit-chain";
import { verifyExportLines } from "@/lib/domain/audit-export";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { recordAudit, auditedTransaction } from "@/lib/server/audit";
import { exportAuditEvents } from "@/lib/server/export-audit-events";
import { db } from "@/tests/db";
import { actor } from "@/tests/recovery";

async function text(stream: ReadableStream<Uint8Array>) {
  return new Response(stream).text();
}

describe("audit export", () => {
  it("streams every event oldest first with its chain fields, verifiable line by line, and records the export", async () => {
    for (let i = 0; i < 5; i++) {
      await auditedTransaction(db, (tx) =>
        recordAudit(tx, {
          action: "access.denied",
          outcome: "REFUSED",
          actor: { type: "SYSTEM", name: `t${i}` },
          data: { permission: "audit:read", path: `/${i}` },
        }),
      );
    }
    const reviewer = await actor("SECURITY");
    const before = await db.auditEvent.count();
    const file = await text(
      await exportAuditEvents({
        actor: reviewer,
        search: AuditSearchSchema.parse({}),
        format: "jsonl",
      }),
    );
    const lines = file
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));

    // The export's own audit event was written before streaming began, so it is in the file.
    expect(lines).toHaveLength(before + 1);
    expect(lines.at(-1)).toMatchObject({
      action: "audit.exported",
      actorId: reviewer.id,
      data: { filters: {}, format: "jsonl" },
    });
    let previous = GENESIS;
    for (const { id: _id, formatVersion, prevHash, hash, ...content } of lines) {
      expect(formatVersion).toBe(AUDIT_FORMAT_V1);
      expect(prevHash).toBe(previous);
      expect(chainHashV1(prevHash, content)).toBe(hash);
      previous = hash;
    }
    // What `npm run audit:verify-export -- file --complete` runs.
    expect(await verifyExportLines(file.split("\n"), { complete: true })).toEqual({
      count: before + 1,
      hashed: before + 1,
      linked: before + 1,
      legacy: 0,
      failure: null,
    });
  });

  it("exports only what the filters select", async () => {
    const reviewer = await actor("SECURITY");
    const csv = await text(
      await exportAuditEvents({
        actor: reviewer,
        search: AuditSearchSchema.parse({ action: "access.denied" }),
        format: "csv",
      }),
    );
    const rows = csv.trim().split("\r\n");
    expect(rows[0]).toContain('"id","createdAt","action"');
    expect(rows[0]).toContain('"hash","formatVersion"');
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(1).every((row) => row.includes('"access.denied"'))).toBe(true);
  });
});
