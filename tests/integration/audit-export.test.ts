import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AUDIT_ACTIONS, type AuditAction } from "@/lib/domain/audit-actions";
import { verifyExportLines, type ExportCheckOptions } from "@/lib/domain/audit-export";
import { AuditSearchSchema } from "@/lib/domain/audit-search";
import { rawPublicKey, verifierKey } from "@/lib/domain/tlog/note";
import { recordAudit, auditedTransaction } from "@/lib/server/audit";
import { trustedEventKeys } from "@/lib/server/audit-keys";
import { signRound } from "@/lib/server/audit-log-signer";
import { exportAuditEvents } from "@/lib/server/export-audit-events";
import { db } from "@/tests/db";
import { AUDIT_PAYLOAD_EXAMPLES, ocsfErrors, validateOcsf } from "@/tests/ocsf";
import { actor } from "@/tests/recovery";

async function text(stream: ReadableStream<Uint8Array>) {
  return new Response(stream).text();
}

const ORIGIN = "console.test/audit";
const checkpointKey = generateKeyPairSync("ed25519").privateKey;
// The console trusts checkpoints signed with its own key only (decision 017).
const keyFile = path.join(mkdtempSync(path.join(tmpdir(), "export-keys-")), "checkpoint.pub.pem");
writeFileSync(keyFile, createPublicKey(checkpointKey).export({ type: "spki", format: "pem" }));
process.env.AUDIT_PUBLIC_KEY_FILE = keyFile;
process.env.AUDIT_LOG_ORIGIN = ORIGIN;
/** What an auditor holds: the log's vkey and the event keys, public halves only. */
const auditor: Omit<ExportCheckOptions, "complete"> = {
  logKey: verifierKey(ORIGIN, rawPublicKey(checkpointKey)),
  eventKeys: trustedEventKeys(),
};

async function exportAll() {
  return text(
    await exportAuditEvents({
      actor: await actor("SECURITY"),
      search: AuditSearchSchema.parse({}),
      format: "jsonl",
    }),
  );
}

describe("audit export", () => {
  it("streams every event in position order with its signed entry and inclusion proof, verifiable with public keys only", async () => {
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
    const before = await db.auditEvent.count();
    // The export's own event triggers a checkpoint; here the signer runs at once instead.
    await signRound(db, {
      origin: ORIGIN,
      privateKey: checkpointKey,
      eventKeys: auditor.eventKeys!,
      witnesses: [],
    });
    const file = await exportAll();
    const lines = file
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    // The export's own audit event was written before streaming began, so it is in the file.
    expect(lines).toHaveLength(before + 2);
    expect(lines.at(-2)).toMatchObject({
      action: "audit.exported",
      data: { filters: {}, format: "jsonl" },
      position: before,
      proof: null,
    });
    expect(lines.at(-1)).toEqual({
      end: {
        events: before + 1,
        checkpointSize: before,
        checkpoint: expect.stringMatching(new RegExp(`^${ORIGIN}\n${before}\n`)),
        filtered: false,
        excluded: 0,
      },
    });
    expect(lines.slice(0, -2).map((l) => l.position)).toEqual(
      Array.from({ length: before }, (_, i) => i),
    );
    expect(lines[0].proof).toMatch(/^c2sp.org\/tlog-proof@v1\n/);
    // What `npm run audit:verify-export -- file --complete --log-key … --event-key …` runs.
    const result = await verifyExportLines(file.split("\n"), { complete: true, ...auditor });
    expect(result).toMatchObject({
      count: before + 1,
      signed: before + 1,
      proven: before,
      failure: null,
    });
  });

  it("names a truncated, reordered or altered export, and a wrong inclusion proof", async () => {
    const file = (await exportAll()).trim().split("\n");
    const check = (lines: string[]) =>
      verifyExportLines(lines, { complete: true, ...auditor }).then((r) => r.failure);
    expect(await check(file)).toBeNull();
    // Cut short: the end line is gone, or events before it are.
    expect(await check(file.slice(0, -1))).toBe(
      "the file ends without its end line: it was cut short",
    );
    expect(await check([...file.slice(0, 2), ...file.slice(3)])).toMatch(
      /^the end line counts (\d+) events but the file has \d+$/,
    );
    // A line removed and the end line's count changed to match: the gap is named.
    const spliced = [...file.slice(0, 2), ...file.slice(3)];
    const end = JSON.parse(spliced.at(-1)!) as { end: { events: number } };
    spliced[spliced.length - 1] = JSON.stringify({
      end: { ...end.end, events: end.end.events - 1 },
    });
    expect(await check(spliced)).toBe(
      "line 3: position 2 is missing, and the export does not account for it",
    );
    // Reordered: caught whether or not the export claims to be complete.
    const swapped = [file[1]!, file[0]!, ...file.slice(2)];
    expect(await check(swapped)).toMatch(
      /^line 2 \(event \d+\): position 0 after 1: events were reordered or repeated$/,
    );
    expect((await verifyExportLines(swapped, { complete: false, ...auditor })).failure).toMatch(
      /^line 2 \(event \d+\): position 0 after 1: events were reordered or repeated$/,
    );
    // A column that says something the signed entry does not.
    const altered = { ...JSON.parse(file[2]!), actorName: "Grace Okafor" };
    expect(await check([...file.slice(0, 2), JSON.stringify(altered), ...file.slice(3)])).toMatch(
      /^line 3 \(event \d+\): columns differ from the signed entry: actorName$/,
    );
    // Another event's proof.
    const wrong = { ...JSON.parse(file[2]!), proof: JSON.parse(file[1]!).proof };
    expect(await check([...file.slice(0, 2), JSON.stringify(wrong), ...file.slice(3)])).toMatch(
      /^line 3 \(event \d+\): inclusion proof: /,
    );
    // A proof checked against another log's key.
    const stranger = verifierKey(ORIGIN, rawPublicKey(generateKeyPairSync("ed25519").privateKey));
    expect(
      (await verifyExportLines(file, { complete: true, ...auditor, logKey: stranger })).failure,
    ).toMatch(/^line 1 \(event \d+\): inclusion proof: log-signature/);
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
    expect(rows[0]).toContain('"hash","formatVersion","position","eventId"');
    expect(rows[0]).not.toContain('"proof"');
    expect(rows.length).toBeGreaterThan(1);
    expect(rows.slice(1).every((row) => row.includes('"access.denied"'))).toBe(true);
  });

  it("streams OCSF events, one per line, every one valid against the compiled schema", async () => {
    const reviewer = await actor("SECURITY");
    // One event of every action in the closed list, allowed and refused, written as the console writes them.
    for (const action of Object.keys(AUDIT_ACTIONS) as AuditAction[])
      for (const outcome of ["ALLOWED", "REFUSED"] as const)
        await auditedTransaction(db, (tx) =>
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
      ...rows.map((row) => row.eventId),
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
