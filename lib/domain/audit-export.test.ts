import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AUDIT_FORMAT_V1, chainHashV1, GENESIS, type ChainedContent } from "./audit-chain";
import { parseAuditPayload } from "./audit-actions";
import {
  CSV_HEADER,
  EXPORT_COLUMNS,
  EXPORT_FORMATS,
  toCsvLine,
  toJsonLine,
  toOcsfLine,
  verifyExportLines,
  type ExportedEvent,
} from "./audit-export";

const event: ExportedEvent = {
  id: "42",
  formatVersion: 1,
  createdAt: "2026-11-22T12:00:00.000Z",
  action: "access.denied",
  outcome: "REFUSED",
  reason: "FORBIDDEN",
  actorType: "STAFF",
  actorId: null,
  actorName: '=HYPERLINK("http://evil")',
  actorRole: "AGENT",
  targetType: null,
  targetId: null,
  subjectUserId: null,
  caseId: null,
  requestId: "r",
  ip: null,
  data: { path: "/audit", note: 'a "quote"' },
  prevHash: "0".repeat(64),
  hash: "f".repeat(64),
};

describe("audit export formats", () => {
  it("JSON Lines keeps every field, chain fields and format version included, one event a line", () => {
    const line = toJsonLine(event);
    expect(line.endsWith("\n")).toBe(true);
    expect(JSON.parse(line)).toEqual({
      ...event,
      position: null,
      eventId: null,
      appTime: null,
      keyId: null,
      entry: null,
      signature: null,
      proof: null,
    });
  });

  it("CSV quotes every cell, escapes quotes and neutralises formulas", () => {
    expect(CSV_HEADER.startsWith('"id","createdAt","action"')).toBe(true);
    expect(
      CSV_HEADER.endsWith(
        '"prevHash","hash","formatVersion","position","eventId","appTime","keyId","entry","signature"\r\n',
      ),
    ).toBe(true);
    const line = toCsvLine(event);
    expect(line).toContain(`"'=HYPERLINK(""http://evil"")"`);
    expect(line).toContain(`"{""path"":""/audit"",""note"":""a \\""quote\\""""}"`);
    expect(line.endsWith(`"${"f".repeat(64)}","1","","","","","",""\r\n`)).toBe(true);
  });
});

function content(i: number): ChainedContent {
  const { id: _id, formatVersion: _v, prevHash: _p, hash: _h, ...rest } = event;
  return {
    ...rest,
    createdAt: new Date(Date.UTC(2026, 10, 23, 12, 0, i)).toISOString(),
    data: { permission: "audit:read", path: `/${i}` },
  };
}

/** An exported chain of `length` events, as JSON Lines. */
function exported(length: number, from = 1): string[] {
  let prev = GENESIS;
  return Array.from({ length }, (_, i) => {
    const c = content(i);
    const hash = chainHashV1(prev, c);
    const line = toJsonLine({
      ...c,
      id: String(from + i),
      formatVersion: AUDIT_FORMAT_V1,
      prevHash: prev,
      hash,
    });
    prev = hash;
    return line.trimEnd();
  });
}

function edit(line: string, change: (event: Record<string, unknown>) => void): string {
  const parsed = JSON.parse(line) as Record<string, unknown>;
  change(parsed);
  return JSON.stringify(parsed);
}

describe("verifyExportLines", () => {
  it("verifies every hash and link of a complete export", async () => {
    expect(await verifyExportLines(["", ...exported(4), ""], { complete: true })).toEqual({
      count: 4,
      hashed: 4,
      linked: 4,
      legacy: 0,
      signed: 0,
      proven: 0,
      failure: null,
    });
  });

  it("reads an export made before formatVersion existed as v1", async () => {
    const old = exported(3).map((line) => edit(line, (e) => delete e.formatVersion));
    expect(await verifyExportLines(old, { complete: true })).toEqual({
      count: 3,
      hashed: 3,
      linked: 3,
      legacy: 0,
      signed: 0,
      proven: 0,
      failure: null,
    });
  });

  it.each([3, 0, "1", null])(
    "refuses an event in format version %j, naming it, rather than hashing it as v1",
    async (version) => {
      const lines = exported(3);
      lines[1] = edit(lines[1]!, (e) => (e.formatVersion = version));
      expect((await verifyExportLines(lines, { complete: true })).failure).toBe(
        `event 2: unknown format version ${JSON.stringify(version)}`,
      );
    },
  );

  it("refuses a changed field, and a field the hash does not cover", async () => {
    const changed = exported(3);
    changed[2] = edit(changed[2]!, (e) => (e.outcome = "ALLOWED"));
    expect((await verifyExportLines(changed, { complete: false })).failure).toBe(
      "event 3: hash does not match its content",
    );
    const added = exported(3);
    added[0] = edit(added[0]!, (e) => (e.note = "approved by the CEO"));
    expect((await verifyExportLines(added, { complete: false })).failure).toBe(
      'event 1: field "note" is not part of the export',
    );
    expect((await verifyExportLines(["{not json"], { complete: false })).failure).toBe(
      "line 1 is not JSON",
    );
  });

  it("accepts a filtered export's gaps, but not with --complete", async () => {
    const filtered = exported(5).filter((_, i) => i !== 2);
    expect(await verifyExportLines(filtered, { complete: false })).toEqual({
      count: 4,
      hashed: 4,
      linked: 3,
      legacy: 0,
      signed: 0,
      proven: 0,
      failure: null,
    });
    expect((await verifyExportLines(filtered, { complete: true })).failure).toBe(
      "event 4 does not follow the event before it",
    );
  });
});

describe("export formats", () => {
  it("are each one the audit.exported payload can name", () => {
    for (const format of EXPORT_FORMATS)
      expect(parseAuditPayload("audit.exported", { filters: {}, format })).toEqual({
        filters: {},
        format,
      });
  });

  it("write OCSF as one JSON object per line, without the chain fields", () => {
    const line = toOcsfLine(event);
    expect(line.endsWith("\n")).toBe(true);
    expect(line.trimEnd()).not.toContain("\n");
    const ocsf = JSON.parse(line) as { unmapped: Record<string, unknown> };
    expect(ocsf).toMatchObject({
      class_uid: 3004,
      metadata: { uid: "42", event_code: "access.denied" },
    });
    expect(Object.keys(ocsf)).not.toContain("hash");
    expect(Object.keys(ocsf.unmapped)).not.toContain("hash");
  });
});

describe("toJsonLine", () => {
  it("writes what JSON.stringify writes for the columns in order, absent ones as null", () => {
    const value = fc.oneof(fc.constant(null), fc.constant(undefined), fc.string(), fc.integer());
    fc.assert(
      fc.property(
        fc.record(
          Object.fromEntries(
            EXPORT_COLUMNS.map((column) => [column, column === "data" ? fc.jsonValue() : value]),
          ),
        ),
        (event) => {
          const line = toJsonLine(event as unknown as ExportedEvent);
          expect(line).toBe(
            JSON.stringify(
              Object.fromEntries(
                EXPORT_COLUMNS.map((column) => [
                  column,
                  (event as Record<string, unknown>)[column] ?? null,
                ]),
              ),
            ) + "\n",
          );
        },
      ),
    );
  });
});
