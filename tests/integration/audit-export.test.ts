import { describe, expect, it } from "vitest";
import { chainHash, GENESIS } from "@/lib/domain/audit-chain";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { recordAudit } from "@/lib/server/audit";
import { exportAuditEvents } from "@/lib/server/export-audit-events";
import { db } from "@/tests/db";
import { actor } from "@/tests/recovery";

async function text(stream: ReadableStream<Uint8Array>) {
  return new Response(stream).text();
}

describe("audit export", () => {
  it("streams every event oldest first with its chain fields, verifiable line by line, and records the export", async () => {
    for (let i = 0; i < 5; i++) {
      await db.$transaction((tx) => recordAudit(tx, { action: "access.denied", outcome: "REFUSED", actor: { type: "SYSTEM", name: `t${i}` }, data: { permission: "audit:read", path: `/${i}` } }));
    }
    const reviewer = await actor("SECURITY");
    const before = await db.auditEvent.count();
    const lines = (await text(await exportAuditEvents({ actor: reviewer, search: AuditSearchSchema.parse({}), format: "jsonl" }))).trim().split("\n").map((l) => JSON.parse(l));

    // The export's own audit event was written before streaming began, so it is in the file.
    expect(lines).toHaveLength(before + 1);
    expect(lines.at(-1)).toMatchObject({ action: "audit.exported", actorId: reviewer.id, data: { filters: {}, format: "jsonl" } });
    let previous = GENESIS;
    for (const { id: _id, prevHash, hash, ...content } of lines) {
      expect(prevHash).toBe(previous);
      expect(chainHash(prevHash, content)).toBe(hash);
      previous = hash;
    }
  });

  it("exports only what the filters select", async () => {
    const reviewer = await actor("SECURITY");
    const csv = await text(await exportAuditEvents({ actor: reviewer, search: AuditSearchSchema.parse({ action: "access.denied" }), format: "csv" }));
    const rows = csv.trim().split("\r\n");
    expect(rows[0]).toContain('"id","createdAt","action"');
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(1).every((row) => row.includes('"access.denied"'))).toBe(true);
  });
});
