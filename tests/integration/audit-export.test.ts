import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, type AuditAction } from "@/lib/domain/audit-actions";
import { AUDIT_FORMAT_V1, chainHashV1, GENESIS } from "@/lib/domain/audit-chain";
import { verifyExportLines } from "@/lib/domain/audit-export";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { recordAudit, auditedTransaction } from "@/lib/server/audit";
import { exportAuditEvents } from "@/lib/server/export-audit-events";
import { db } from "@/tests/db";
import { AUDIT_PAYLOAD_EXAMPLES, ocsfErrors, validateOcsf } from "@/tests/ocsf";
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

  it("streams OCSF events, one per line, every one valid against the compiled schema", async () => {
    const reviewer = await actor("SECURITY");
    // One event of every action in the closed list, allowed and refused, written as the console writes them.
    for (const action of Object.keys(AUDIT_ACTIONS) as AuditAction[])
      for (const outcome of ["ALLOWED", "REFUSED"] as const)
        await db.$transaction((tx) =>
          recordAudit(tx, {
            action,
            outcome,
            reason: outcome === "REFUSED" ? "NOT_ALLOWED" : undefined,
            actor: { type: "STAFF", id: reviewer.id, name: reviewer.name, role: reviewer.role },
            data: AUDIT_PAYLOAD_EXAMPLES[action] as never,
            request: { requestId: `req-${action}`, ip: "198.51.100.4" },
          }),
        );
    const rows = await db.auditEvent.findMany({ orderBy: { id: "asc" } });
    const file = await text(
      await exportAuditEvents({
        actor: reviewer,
        search: AuditSearchSchema.parse({}),
        format: "ocsf",
      }),
    );
    expect(file.endsWith("\n")).toBe(true);
    const lines = file.trimEnd().split("\n");
    // Every stored event, oldest first, and the export's own event last.
    expect(lines).toHaveLength(rows.length + 1);
    const events = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const [i, event] of events.entries())
      expect(validateOcsf(event), `line ${i + 1}: ${ocsfErrors()}`).toBe(true);
    expect(events.map((e) => (e.metadata as { uid: string }).uid)).toEqual([
      ...rows.map((row) => String(row.id)),
      expect.any(String),
    ]);
    expect(events.at(-1)).toMatchObject({
      class_uid: 3004,
      activity_id: 2,
      metadata: { event_code: "audit.exported" },
      actor: { user: { uid: reviewer.id } },
      unmapped: { data: { filters: {}, format: "ocsf" } },
    });
    const revoked = events.find(
      (e) => (e.unmapped as { action: string; outcome: string }).action === "passkey.revoked",
    );
    expect(revoked).toMatchObject({
      class_uid: 3007,
      activity_id: 13,
      type_uid: 300713,
      status_id: 1,
      src_endpoint: { ip: "198.51.100.4" },
      auth_factors: [{ factor_type_id: 10 }],
    });
  });
});
